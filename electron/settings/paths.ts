import path from 'node:path';

export const APP_DIR_NAME = 'dify-stack-tray';
export const SETTINGS_FILE_NAME = 'settings.json';

export interface SettingsLocationInput {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** `--config FILE`: used as given (relative to `cwd`). */
  configFile?: string;
  cwd?: string;
}

/**
 * Where the settings file lives. Pure (platform, env and home folder are passed in) so the Windows
 * rules are tested on Linux with `path.win32`:
 * - Windows: %APPDATA%\dify-stack-tray\settings.json (Roaming; falls back to the home folder's
 *   AppData\Roaming when APPDATA is unset, as it is for some service accounts);
 * - macOS: ~/Library/Application Support/dify-stack-tray/settings.json (Electron's userData there);
 * - elsewhere: $XDG_CONFIG_HOME (only when absolute, as the XDG spec says) or ~/.config.
 */
export function settingsFilePath(input: SettingsLocationInput): string {
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  if (input.configFile) return p.resolve(input.cwd ?? process.cwd(), input.configFile);
  return p.join(configRoot(input, p), APP_DIR_NAME, SETTINGS_FILE_NAME);
}

function configRoot(input: SettingsLocationInput, p: path.PlatformPath): string {
  const { env, homedir } = input;
  if (input.platform === 'win32') {
    return env.APPDATA && p.isAbsolute(env.APPDATA) ? env.APPDATA : p.join(homedir, 'AppData', 'Roaming');
  }
  if (input.platform === 'darwin') return p.join(homedir, 'Library', 'Application Support');
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.config');
}

/**
 * Where machine-bound files live (process ids, program logs): on Windows %LOCALAPPDATA%, which does
 * not roam with the profile — a pid recorded on one PC means nothing on another; elsewhere the
 * settings folder.
 */
export function localDataDir(input: Omit<SettingsLocationInput, 'configFile' | 'cwd'>): string {
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  if (input.platform === 'win32') {
    const local = input.env.LOCALAPPDATA;
    return p.join(
      local && p.isAbsolute(local) ? local : p.join(input.homedir, 'AppData', 'Local'),
      APP_DIR_NAME,
    );
  }
  return p.dirname(settingsFilePath(input));
}
