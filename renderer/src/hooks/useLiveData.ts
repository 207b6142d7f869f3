import { useCallback, useEffect, useState } from 'react';
import type {
  AppInfo,
  ErrorInfo,
  JobSnapshotDto,
  SettingsView,
  StatusSnapshot,
} from '../../../electron/contract';
import { getBridge, invoke, on, toErrorInfo } from '../api';
import { mergeJob, mergeJobs } from '../lib/jobs';

export interface LiveData {
  appInfo: AppInfo | null;
  settingsView: SettingsView | null;
  snapshot: StatusSnapshot | null;
  jobs: JobSnapshotDto[];
  /** Set when the first load failed; the window cannot show anything useful then. */
  loadError: ErrorInfo | null;
  loaded: boolean;
  acceptSnapshot(snapshot: StatusSnapshot): void;
  acceptSettings(view: SettingsView): void;
}

const NO_BRIDGE: ErrorInfo = {
  code: 'INTERNAL',
  message: 'This window is not connected to the app.',
  detail: 'The preload bridge is missing: the page was opened outside Dify Stack Tray.',
};

/** Snapshots from an invoke answer and from events can cross: keep whichever is newer. */
function newer(prev: StatusSnapshot | null, next: StatusSnapshot): StatusSnapshot {
  return prev && prev.updatedAt > next.updatedAt ? prev : next;
}

/**
 * The window's copy of main's state: loaded once, then kept live by the `status`, `job` and
 * `settings` events. Subscriptions start before the first load so no update falls in between.
 */
export function useLiveData(): LiveData {
  const [appInfo, setAppInfo] = useState<AppInfo | null>(null);
  const [settingsView, setSettingsView] = useState<SettingsView | null>(null);
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(null);
  const [jobs, setJobs] = useState<JobSnapshotDto[]>([]);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [loaded, setLoaded] = useState(false);

  // Opened outside the app (a plain browser): nothing to talk to, say so instead of spinning.
  const bridgeMissing = getBridge() === null;

  useEffect(() => {
    if (bridgeMissing) return undefined;
    let alive = true;
    const offs = [
      on('status', (s) => setSnapshot((prev) => newer(prev, s))),
      on('job', (j) => setJobs((prev) => mergeJob(prev, j))),
      on('settings', (v) => setSettingsView(v)),
    ];
    Promise.all([
      invoke('app:info', {}),
      invoke('settings:get', {}),
      invoke('status:get', {}),
      invoke('jobs:list', {}),
    ]).then(
      ([info, view, status, jobList]) => {
        if (!alive) return;
        setAppInfo(info);
        setSettingsView(view);
        setSnapshot((prev) => newer(prev, status));
        // Main answered after every event already received here, so its list is the newer word.
        setJobs((prev) => mergeJobs(prev, jobList));
        setLoaded(true);
      },
      (e: unknown) => {
        if (alive) setLoadError(toErrorInfo(e));
      },
    );
    return () => {
      alive = false;
      for (const off of offs) off();
    };
  }, [bridgeMissing]);

  const acceptSnapshot = useCallback((s: StatusSnapshot) => setSnapshot((prev) => newer(prev, s)), []);
  const acceptSettings = useCallback((v: SettingsView) => setSettingsView(v), []);

  return {
    appInfo,
    settingsView,
    snapshot,
    jobs,
    loadError: bridgeMissing ? NO_BRIDGE : loadError,
    loaded,
    acceptSnapshot,
    acceptSettings,
  };
}
