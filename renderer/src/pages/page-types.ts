/**
 * What a page is to the window: its id, the app-level data it may ask for, and what it may ask the
 * window to do. Pages import this file, never the registry (which imports them).
 */
import type { AppInfo, JobSnapshotDto, SettingsView, StatusSnapshot } from '../../../electron/contract';

/**
 * Every page of the window. registry.tsx must have exactly one entry per id (its type says so), so
 * adding a page is: its folder, its id here, its registry entry.
 */
export type PageId = 'dashboard' | 'timeouts' | 'plugins' | 'gpu' | 'settings';

/** The window's copy of main's state (hooks/useLiveData.ts), complete once the first load is in. */
export interface AppData {
  snapshot: StatusSnapshot;
  jobs: readonly JobSnapshotDto[];
  appInfo: AppInfo;
  settingsView: SettingsView;
}

export interface AppActions {
  /** A status answer a page asked for itself (Refresh), kept unless an event already brought newer. */
  acceptSnapshot(snapshot: StatusSnapshot): void;
  /** Settings a page saved, shown everywhere at once (the `settings` event follows anyway). */
  acceptSettings(view: SettingsView): void;
  openPage(id: PageId): void;
}

/** A page's props: the app data its registry entry declares it needs, and the window's actions. */
export type PageProps<K extends keyof AppData> = Pick<AppData, K> & { app: AppActions };
