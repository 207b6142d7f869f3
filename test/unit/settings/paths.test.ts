import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDataDir, settingsFilePath } from '../../../electron/settings/paths';

describe('settingsFilePath', () => {
  it('uses %APPDATA% on Windows', () => {
    const file = settingsFilePath({
      platform: 'win32',
      env: { APPDATA: 'C:\\Users\\Taro Yamada\\AppData\\Roaming' },
      homedir: 'C:\\Users\\Taro Yamada',
    });
    expect(file).toBe('C:\\Users\\Taro Yamada\\AppData\\Roaming\\dify-stack-tray\\settings.json');
    expect(path.win32.isAbsolute(file)).toBe(true);
  });

  it('falls back to the home folder when APPDATA is unset or relative on Windows', () => {
    for (const env of [{}, { APPDATA: 'relative\\dir' }]) {
      expect(settingsFilePath({ platform: 'win32', env, homedir: 'D:\\home\\user' })).toBe(
        'D:\\home\\user\\AppData\\Roaming\\dify-stack-tray\\settings.json',
      );
    }
  });

  it('uses ~/.config on Linux, or an absolute $XDG_CONFIG_HOME', () => {
    expect(settingsFilePath({ platform: 'linux', env: {}, homedir: '/home/user' })).toBe(
      '/home/user/.config/dify-stack-tray/settings.json',
    );
    expect(
      settingsFilePath({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, homedir: '/home/user' }),
    ).toBe('/xdg/dify-stack-tray/settings.json');
    // The XDG spec says relative values are invalid and must be ignored.
    expect(
      settingsFilePath({ platform: 'linux', env: { XDG_CONFIG_HOME: 'xdg' }, homedir: '/home/user' }),
    ).toBe('/home/user/.config/dify-stack-tray/settings.json');
  });

  it('takes --config as given, resolved against the working folder', () => {
    expect(
      settingsFilePath({
        platform: 'linux',
        env: {},
        homedir: '/home/u',
        configFile: 'my.json',
        cwd: '/work',
      }),
    ).toBe('/work/my.json');
    expect(
      settingsFilePath({
        platform: 'win32',
        env: { APPDATA: 'C:\\AppData' },
        homedir: 'C:\\u',
        configFile: 'conf\\s.json',
        cwd: 'D:\\Program Files\\x',
      }),
    ).toBe('D:\\Program Files\\x\\conf\\s.json');
    expect(
      settingsFilePath({
        platform: 'win32',
        env: {},
        homedir: 'C:\\u',
        configFile: 'E:\\s.json',
        cwd: 'D:\\x',
      }),
    ).toBe('E:\\s.json');
  });
});

describe('localDataDir', () => {
  it('is %LOCALAPPDATA% on Windows (pids and logs do not roam), the settings folder elsewhere', () => {
    const home = 'C:\\Users\\Taro Yamada';
    expect(
      localDataDir({
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\Taro Yamada\\AppData\\Local' },
        homedir: home,
      }),
    ).toBe('C:\\Users\\Taro Yamada\\AppData\\Local\\dify-stack-tray');
    expect(localDataDir({ platform: 'win32', env: { LOCALAPPDATA: 'relative' }, homedir: home })).toBe(
      'C:\\Users\\Taro Yamada\\AppData\\Local\\dify-stack-tray',
    );
    expect(localDataDir({ platform: 'linux', env: {}, homedir: '/home/taro' })).toBe(
      path.posix.join('/home/taro', '.config', 'dify-stack-tray'),
    );
  });
});
