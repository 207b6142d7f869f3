/**
 * What the app does about the OS and the stack when it starts, decided here (pure or over small
 * interfaces) so main.ts only passes Electron's functions in.
 */
import type { ComponentId, StatusSnapshot } from '../core/contract';
import type { SettingsApi } from '../settings/api';
import type { SettingsView } from '../settings/contract';

type Settings = SettingsView['settings'];

export type LaunchStart = 'start' | 'setting-off' | 'already-running';

/**
 * Start the stack at launch only when the user asked for it and something of the stack is not up:
 * an app restarted beside a running stack must not queue a Start job that does nothing but show up.
 */
export function launchStartDecision(
  settings: Pick<Settings, 'startStackOnLaunch' | 'stackComponents'>,
  snapshot: Pick<StatusSnapshot, 'components'>,
): LaunchStart {
  if (!settings.startStackOnLaunch) return 'setting-off';
  const wanted = (id: ComponentId) =>
    settings.stackComponents.length === 0 || settings.stackComponents.includes(id);
  // 'unavailable' is a component with nothing to start (not installed, not configured): the Start
  // job would skip it too.
  const down = snapshot.components.filter(
    (c) => wanted(c.id) && c.state !== 'running' && c.state !== 'starting' && c.state !== 'unavailable',
  );
  return down.length > 0 ? 'start' : 'already-running';
}

/** The OS's "open at login" entry (Electron's app.setLoginItemSettings in the app). */
export interface LoginItemAdapter {
  setOpenAtLogin(open: boolean): void;
}

/** What the app was started with at login: main.ts reads it to stay in the tray instead of showing the window. */
export const LOGIN_ARG = '--hidden';

/** Electron's `app.setLoginItemSettings`, as much of it as we use. */
export type SetLoginItemSettings = (settings: { openAtLogin: boolean; args: string[] }) => void;

/** Where Electron has login items (its docs: app.setLoginItemSettings is macOS and Windows only). */
export function loginItemSupported(platform: string): boolean {
  return platform === 'win32' || platform === 'darwin';
}

/**
 * The login item over Electron's call: started at login, the app opens into the tray (LOGIN_ARG).
 * Elsewhere (Linux) nothing is called: the OS has no such entry for Electron to write.
 */
export function electronLoginItem(
  setLoginItemSettings: SetLoginItemSettings,
  platform: string = process.platform,
): LoginItemAdapter {
  return {
    setOpenAtLogin: (openAtLogin) => {
      if (loginItemSupported(platform)) setLoginItemSettings({ openAtLogin, args: [LOGIN_ARG] });
    },
  };
}

/**
 * Keeps the OS's login item equal to `startAtLogin`: once now — the user may have removed the entry
 * in Windows' Startup apps, or the settings file was edited while the app was not running — and at
 * every change of the field (other settings changes leave the OS alone). Returns the unsubscribe.
 */
export function followLoginItem(settings: Pick<SettingsApi, 'get' | 'onChange'>, adapter: LoginItemAdapter) {
  let applied = settings.get().settings.startAtLogin;
  adapter.setOpenAtLogin(applied);
  return settings.onChange((view) => {
    if (view.settings.startAtLogin === applied) return;
    applied = view.settings.startAtLogin;
    adapter.setOpenAtLogin(applied);
  });
}
