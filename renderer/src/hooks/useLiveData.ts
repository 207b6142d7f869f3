import { useCallback } from 'react';
import type {
  AppInfo,
  ErrorInfo,
  JobSnapshotDto,
  SettingsView,
  StatusSnapshot,
} from '../../../electron/contract';
import { getBridge, invoke } from '../api';
import {
  EMPTY_LIVE_STATE,
  LIVE_FOLDS,
  mergeLiveAnswer,
  withSettings,
  withSnapshot,
  type LiveState,
} from '../lib/live-state';
import { useQuery } from './useQuery';

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

async function loadLiveState(): Promise<LiveState> {
  const [appInfo, settingsView, snapshot, jobs] = await Promise.all([
    invoke('app:info', {}),
    invoke('settings:get', {}),
    invoke('status:get', {}),
    invoke('jobs:list', {}),
  ]);
  return { appInfo, settingsView, snapshot, jobs };
}

/**
 * The window's copy of main's state: loaded once, then kept live by the `status`, `job` and
 * `settings` events (lib/live-state.ts says how each one applies).
 */
export function useLiveData(): LiveData {
  // Opened outside the app (a plain browser): nothing to talk to, say so instead of spinning.
  const bridgeMissing = getBridge() === null;
  const live = useQuery(loadLiveState, [], {
    enabled: !bridgeMissing,
    fold: LIVE_FOLDS,
    merge: mergeLiveAnswer,
  });
  const { update } = live;
  const acceptSnapshot = useCallback(
    (s: StatusSnapshot) => update((held) => withSnapshot(held, s)),
    [update],
  );
  const acceptSettings = useCallback((v: SettingsView) => update((held) => withSettings(held, v)), [update]);

  const state = live.data ?? EMPTY_LIVE_STATE;
  return {
    appInfo: state.appInfo,
    settingsView: state.settingsView,
    snapshot: state.snapshot,
    jobs: state.jobs,
    loadError: bridgeMissing ? NO_BRIDGE : live.error,
    loaded: !bridgeMissing && !live.loading && live.error === null,
    acceptSnapshot,
    acceptSettings,
  };
}
