/**
 * What a page is to the window: its id, the app-level data it may ask for, and what it may ask the
 * window to do. Pages import this file, never the registry (which imports them).
 */
import type {
  AppInfo,
  JobSnapshotDto,
  LogsOpenRequest,
  SettingsView,
  StatusSnapshot,
} from '../../../electron/contract';

/**
 * Every page of the window. registry.tsx must have exactly one entry per id (its type says so), so
 * adding a page is: its folder, its id here, its registry entry.
 */
export type PageId = 'dashboard' | 'timeouts' | 'plugins' | 'logs' | 'gpu' | 'settings' | 'setup';

/** The latest request to open the log viewer, numbered so the Logs page applies each one once. */
export interface LogsRequest {
  n: number;
  request: LogsOpenRequest;
}

/** The window's copy of main's state (hooks/useLiveData.ts), complete once the first load is in. */
export interface AppData {
  snapshot: StatusSnapshot;
  jobs: readonly JobSnapshotDto[];
  appInfo: AppInfo;
  settingsView: SettingsView;
  /** Not main's state but the window's: the last `openLogs` (or `logs:open` from main), if any. */
  logsRequest: LogsRequest | null;
}

export interface AppActions {
  /** A status answer a page asked for itself (Refresh), kept unless an event already brought newer. */
  acceptSnapshot(snapshot: StatusSnapshot): void;
  /** Settings a page saved, shown everywhere at once (the `settings` event follows anyway). */
  acceptSettings(view: SettingsView): void;
  openPage(id: PageId): void;
  /** The Logs page on these sources, at a line if the request names one. */
  openLogs(request: LogsOpenRequest): void;
}

/** A page's props: the app data its registry entry declares it needs, and the window's actions. */
export type PageProps<K extends keyof AppData> = Pick<AppData, K> & { app: AppActions };
