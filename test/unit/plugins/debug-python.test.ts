import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPythonVersion,
  locatePython,
  pythonCandidates,
  type FoundPython,
  type ProbeResult,
} from '../../../electron/plugins/debug-python';
import { venvPython } from '../../../electron/plugins/debug-venv';

const found = (version: string): FoundPython => ({
  command: 'python3',
  args: [],
  version,
  executable: '/usr/bin/python3',
});

describe('pythonCandidates', () => {
  it('tries what a user of the platform types, or only the configured interpreter', () => {
    expect(pythonCandidates('', 'win32')).toEqual([
      { command: 'py', args: ['-3'] },
      { command: 'python', args: [] },
    ]);
    expect(pythonCandidates('', 'linux')).toEqual([
      { command: 'python3', args: [] },
      { command: 'python', args: [] },
    ]);
    expect(pythonCandidates('  C:\\Python312\\python.exe ', 'win32')).toEqual([
      { command: 'C:\\Python312\\python.exe', args: [] },
    ]);
  });
});

describe('locatePython', () => {
  const WINDOWS_ENV = {
    PATH: 'C:\\Windows\\System32;C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps;relative\\bin',
    PATHEXT: '.COM;.EXE',
  };
  const files = new Set([
    'C:\\Windows\\py.exe',
    'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe',
    'relative\\bin\\py.exe',
  ]);

  it('skips the Store alias that only says "Python was not found" and names what it tried', async () => {
    const probed: string[] = [];
    const probe = async (command: string): Promise<ProbeResult> => {
      probed.push(command);
      return { code: 9009, stdout: '' };
    };
    await expect(
      locatePython({
        configured: '',
        platform: 'win32',
        env: WINDOWS_ENV,
        probe,
        isFile: (f) => files.has(f),
      }),
    ).rejects.toMatchObject({ code: 'PLUGIN_DEBUG_PYTHON_NOT_FOUND', params: { tried: 'py -3, python' } });
    // py.exe sits in C:\Windows, not on this PATH; a relative PATH entry is never searched.
    expect(probed).toEqual(['C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe']);
  });

  it('takes the first candidate that runs and reads its version and real interpreter', async () => {
    const env = { PATH: 'C:\\Windows;C:\\Python311', PATHEXT: '.EXE' };
    const probe = async (command: string, args: string[]): Promise<ProbeResult> => {
      expect(args.slice(0, 2)).toEqual(['-3', '-c']);
      return { code: 0, stdout: `3.12.4\r\nC:\\Python312\\python.exe\r\n` + command.slice(0, 0) };
    };
    const python = await locatePython({
      configured: '',
      platform: 'win32',
      env,
      probe,
      isFile: (f) => f === 'C:\\Windows\\py.exe',
    });
    expect(python).toEqual({
      command: 'C:\\Windows\\py.exe',
      args: ['-3'],
      version: '3.12.4',
      executable: 'C:\\Python312\\python.exe',
    });
  });

  it('refuses output that is not a version', async () => {
    await expect(
      locatePython({
        configured: '/opt/odd/python',
        platform: 'linux',
        env: {},
        probe: async () => ({ code: 0, stdout: 'hello\n' }),
      }),
    ).rejects.toMatchObject({ code: 'PLUGIN_DEBUG_PYTHON_NOT_FOUND', params: { tried: '/opt/odd/python' } });
  });
});

describe('checkPythonVersion', () => {
  it.each([
    ['3.12.1', '3.12', true],
    ['3.13.0', '3.12', true],
    ['4.0.0', '3.12', true],
    ['3.11.9', '3.12', false],
    ['3.10.2', '3.10', true],
    ['3.9.18', '3.10', false],
    ['3.11.7', null, true],
    ['3.11.7', 'latest', true],
  ])('Python %s for meta.runner.version %s: accepted %s', (have, want, ok) => {
    const run = () => checkPythonVersion(found(have), want, '.venv');
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: 'PLUGIN_DEBUG_PYTHON_TOO_OLD' }));
  });

  it('says which interpreter and which requirement', () => {
    try {
      checkPythonVersion(found('3.11.7'), '3.12', 'python3');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        params: { found: '3.11.7', required: '3.12', python: '/usr/bin/python3', where: 'python3' },
      });
    }
  });
});

describe('venvPython', () => {
  it('is Scripts\\python.exe on Windows and bin/python elsewhere, inside the folder’s .venv', () => {
    expect(venvPython('D:\\plugins\\my tool', 'win32')).toBe(
      'D:\\plugins\\my tool\\.venv\\Scripts\\python.exe',
    );
    expect(venvPython('/home/me/tool', 'linux')).toBe(
      path.posix.join('/home/me/tool', '.venv', 'bin', 'python'),
    );
  });
});
