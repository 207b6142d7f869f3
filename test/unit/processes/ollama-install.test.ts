import { describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import {
  desktopAppPids,
  findOllama,
  ollamaDesktopSpec,
  ollamaServeSpec,
  type OllamaInstall,
} from '../../../electron/processes/ollama-install';

const files =
  (...list: string[]) =>
  (f: string) =>
    list.includes(f);

const LOCAL = 'C:\\Users\\Taro Yamada\\AppData\\Local';
const DEFAULT_DIR = `${LOCAL}\\Programs\\Ollama`;
const winEnv = { LocalAppData: LOCAL, Path: 'C:\\Windows\\System32;C:\\Windows', SystemRoot: 'C:\\Windows' };

describe('findOllama on Windows', () => {
  it('finds the default install and the desktop app beside it (LOCALAPPDATA in any case)', () => {
    const isFile = files(`${DEFAULT_DIR}\\ollama.exe`, `${DEFAULT_DIR}\\ollama app.exe`);
    expect(findOllama({ setting: '', platform: 'win32', env: winEnv, isFile })).toEqual({
      serve: `${DEFAULT_DIR}\\ollama.exe`,
      desktopApp: `${DEFAULT_DIR}\\ollama app.exe`,
      looked: [`${DEFAULT_DIR}\\ollama.exe`],
    });
  });

  it('falls back to PATH; no desktop app beside a bare ollama.exe', () => {
    const env = { ...winEnv, Path: 'relative\\dir;D:\\Tools\\Ollama CLI;C:\\Windows' };
    const isFile = files('D:\\Tools\\Ollama CLI\\ollama.exe', 'relative\\dir\\ollama.exe');
    expect(findOllama({ setting: '', platform: 'win32', env, isFile })).toEqual({
      serve: 'D:\\Tools\\Ollama CLI\\ollama.exe',
      desktopApp: null,
      looked: [`${DEFAULT_DIR}\\ollama.exe`, 'PATH'],
    });
  });

  it('takes a folder setting (quoted, as Explorer copies a path, with spaces)', () => {
    const isFile = files('E:\\My Apps\\Ollama\\ollama.exe', 'E:\\My Apps\\Ollama\\ollama app.exe');
    const r = findOllama({ setting: '  "E:\\My Apps\\Ollama"  ', platform: 'win32', env: winEnv, isFile });
    expect(r).toMatchObject({
      serve: 'E:\\My Apps\\Ollama\\ollama.exe',
      desktopApp: 'E:\\My Apps\\Ollama\\ollama app.exe',
    });
  });

  it('takes the desktop app itself as the setting: serve is the ollama.exe beside it', () => {
    const isFile = files('E:\\Ollama\\ollama.exe', 'E:\\Ollama\\ollama app.exe');
    const r = findOllama({ setting: 'E:\\Ollama\\ollama app.exe', platform: 'win32', env: winEnv, isFile });
    expect(r).toMatchObject({ serve: 'E:\\Ollama\\ollama.exe', desktopApp: 'E:\\Ollama\\ollama app.exe' });
  });

  it('reports a setting that points nowhere instead of using another Ollama', () => {
    const isFile = files(`${DEFAULT_DIR}\\ollama.exe`);
    expect(findOllama({ setting: 'E:\\Nowhere', platform: 'win32', env: winEnv, isFile })).toEqual({
      serve: null,
      desktopApp: null,
      looked: ['E:\\Nowhere\\ollama.exe'],
    });
  });

  it('never resolves a relative setting against our working folder', () => {
    const isFile = files('ollama.exe', 'tools\\ollama.exe');
    for (const setting of ['ollama.exe', 'tools']) {
      expect(findOllama({ setting, platform: 'win32', env: winEnv, isFile })).toMatchObject({ serve: null });
    }
  });
});

describe('findOllama on Linux', () => {
  it('finds ollama on PATH', () => {
    const env = { PATH: '/usr/bin:/opt/ollama/bin' };
    const r = findOllama({ setting: '', platform: 'linux', env, isFile: files('/opt/ollama/bin/ollama') });
    expect(r).toEqual({ serve: '/opt/ollama/bin/ollama', desktopApp: null, looked: ['PATH'] });
  });

  it("looks in /usr/local/bin (the install script's folder) when PATH lacks it", () => {
    const r = findOllama({
      setting: '',
      platform: 'linux',
      env: { PATH: '/usr/bin' },
      isFile: files('/usr/local/bin/ollama'),
    });
    expect(r.serve).toBe('/usr/local/bin/ollama');
    const none = findOllama({ setting: '', platform: 'linux', env: { PATH: '/usr/bin' }, isFile: files() });
    expect(none).toEqual({ serve: null, desktopApp: null, looked: ['PATH', '/usr/local/bin/ollama'] });
  });

  it('takes a file setting as it is', () => {
    const r = findOllama({
      setting: '/srv/ollama',
      platform: 'linux',
      env: {},
      isFile: files('/srv/ollama'),
    });
    expect(r.serve).toBe('/srv/ollama');
  });
});

describe('ollamaServeSpec', () => {
  const install: OllamaInstall = { serve: `${DEFAULT_DIR}\\ollama.exe`, desktopApp: null, looked: [] };

  it('runs `serve` with our OLLAMA_HOST (it wins over an inherited or extra one, any case) and quote-stripped extras', () => {
    const spec = ollamaServeSpec(install, {
      hostValue: '127.0.0.1:11500',
      extraEnv: { OLLAMA_KEEP_ALIVE: ' "30m" ', ollama_host: '0.0.0.0', OLLAMA_MODELS: "'D:\\models'" },
      baseEnv: {
        ...winEnv,
        Ollama_Host: '0.0.0.0:80',
        USERPROFILE: 'C:\\Users\\Taro Yamada',
        DIFY_PASSWORD: 'secret',
      },
      platform: 'win32',
    });
    expect(spec).toMatchObject({
      command: install.serve,
      args: ['serve'],
      cwd: 'C:\\Users\\Taro Yamada',
      kind: 'child',
    });
    const hostKeys = Object.keys(spec.env).filter((k) => k.toUpperCase() === 'OLLAMA_HOST');
    expect(hostKeys).toEqual(['OLLAMA_HOST']);
    expect(spec.env.OLLAMA_HOST).toBe('127.0.0.1:11500');
    expect(spec.env.OLLAMA_KEEP_ALIVE).toBe('30m');
    expect(spec.env.OLLAMA_MODELS).toBe('D:\\models');
    expect(spec.env.DIFY_PASSWORD).toBeUndefined();
    expect(spec.env.Path).toBe(winEnv.Path);
  });

  it('on Linux, names differing in case are different variables; cwd falls back to the executable folder', () => {
    const spec = ollamaServeSpec(
      { serve: '/usr/local/bin/ollama', desktopApp: null, looked: [] },
      {
        hostValue: '127.0.0.1:11434',
        extraEnv: {},
        baseEnv: { ollama_host: 'x', HOME: 'relative' },
        platform: 'linux',
      },
    );
    expect(spec.env).toMatchObject({ ollama_host: 'x', OLLAMA_HOST: '127.0.0.1:11434' });
    expect(spec.cwd).toBe('/usr/local/bin');
  });

  it('throws OLLAMA_NOT_FOUND with the places looked at when there is no executable', () => {
    const missing: OllamaInstall = { serve: null, desktopApp: null, looked: ['C:\\a\\ollama.exe', 'PATH'] };
    let error: unknown;
    try {
      ollamaServeSpec(missing, { hostValue: '', extraEnv: {}, baseEnv: {}, platform: 'win32' });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error) && error.code).toBe('OLLAMA_NOT_FOUND');
    expect(isAppError(error) && error.params).toEqual({ looked: 'C:\\a\\ollama.exe, PATH' });
  });
});

describe('ollamaDesktopSpec', () => {
  it('starts the desktop app hidden, the way `ollama` itself does (cmd/start_windows.go)', () => {
    const spec = ollamaDesktopSpec(
      { serve: `${DEFAULT_DIR}\\ollama.exe`, desktopApp: `${DEFAULT_DIR}\\ollama app.exe`, looked: [] },
      { baseEnv: { ...winEnv, DIFY_PASSWORD: 'x' } },
    );
    expect(spec).toMatchObject({
      command: `${DEFAULT_DIR}\\ollama app.exe`,
      args: ['--hide', '--fast-startup'],
      cwd: DEFAULT_DIR,
      kind: 'desktop-app',
    });
    expect(spec.env.DIFY_PASSWORD).toBeUndefined();
  });
});

describe('desktopAppPids', () => {
  it("runs System32's tasklist and reads the CSV rows of `ollama app.exe`", async () => {
    const run = vi.fn(async () =>
      [
        '"ollama app.exe","4242","Console","1","45,012 K"',
        '"Ollama App.exe","4343","Console","1","12,000 K"',
        '"ollama.exe","5555","Console","1","1,012,000 K"',
        '',
      ].join('\r\n'),
    );
    const pids = await desktopAppPids({ platform: 'win32', env: { SystemRoot: 'D:\\Windows' }, run });
    expect(pids).toEqual([4242, 4343]);
    expect(run).toHaveBeenCalledWith('D:\\Windows\\System32\\tasklist.exe', [
      '/FI',
      'IMAGENAME eq ollama app.exe',
      '/FO',
      'CSV',
      '/NH',
    ]);
  });

  it('finds none in the localized "no tasks" message', async () => {
    const run = async () => 'INFO: 指定された条件に一致するタスクは実行されていません。\r\n';
    expect(await desktopAppPids({ platform: 'win32', env: {}, run })).toEqual([]);
  });

  it('is empty elsewhere than Windows, without running anything', async () => {
    const run = vi.fn(async () => '');
    expect(await desktopAppPids({ platform: 'linux', env: {}, run })).toEqual([]);
    expect(run).not.toHaveBeenCalled();
  });
});
