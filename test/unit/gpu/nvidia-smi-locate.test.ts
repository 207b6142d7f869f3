/** Where nvidia-smi is found (electron/gpu/nvidia-smi-locate.ts): Windows with path.win32, and posix. */
import { describe, expect, it } from 'vitest';
import { locateNvidiaSmi } from '../../../electron/gpu/nvidia-smi-locate';

const ROOT = 'C:\\Program Files (x86)\\Win Dows';
const STORE = `${ROOT}\\System32\\DriverStore\\FileRepository`;

function win(
  files: string[],
  opts: { dirs?: Record<string, number>; setting?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const set = new Set(files);
  const dirs = opts.dirs ?? {};
  return locateNvidiaSmi({
    setting: opts.setting ?? '',
    platform: 'win32',
    env: opts.env ?? { SystemRoot: ROOT, Path: 'C:\\Tools;relative\\bin' },
    isFile: (f) => set.has(f),
    listDir: (d) => (d === STORE ? Object.keys(dirs) : []),
    modifiedAt: (d) => dirs[d.slice(STORE.length + 1)] ?? 0,
  });
}

describe('locateNvidiaSmi on Windows', () => {
  it('System32 first (SystemRoot with spaces, any case of the variable)', () => {
    const exe = `${ROOT}\\System32\\nvidia-smi.exe`;
    expect(
      win([exe, `${STORE}\\nv_dispi.inf_amd64_1\\nvidia-smi.exe`, 'C:\\Tools\\nvidia-smi.exe']).path,
    ).toBe(exe);
    const lower = locateNvidiaSmi({
      setting: '',
      platform: 'win32',
      env: { SYSTEMROOT: 'D:\\WINDOWS' },
      isFile: (f) => f === 'D:\\WINDOWS\\System32\\nvidia-smi.exe',
      listDir: () => [],
    });
    expect(lower.path).toBe('D:\\WINDOWS\\System32\\nvidia-smi.exe');
  });

  it('then the newest nv* DriverStore folder that holds it', () => {
    const r = win(
      [
        `${STORE}\\nv_dispi.inf_amd64_old\\nvidia-smi.exe`,
        `${STORE}\\nv_dispi.inf_amd64_new\\nvidia-smi.exe`,
        `${STORE}\\other.inf_amd64_x\\nvidia-smi.exe`,
        'C:\\Tools\\nvidia-smi.exe',
      ],
      {
        dirs: {
          'nv_dispi.inf_amd64_old': 1000,
          'nv_dispi.inf_amd64_new': 2000,
          'nv_dispi.inf_amd64_newest_without_exe': 3000,
          'other.inf_amd64_x': 4000,
        },
      },
    );
    expect(r.path).toBe(`${STORE}\\nv_dispi.inf_amd64_new\\nvidia-smi.exe`);
  });

  it('then PATH (absolute entries only), and says where it looked', () => {
    expect(win(['C:\\Tools\\nvidia-smi.exe']).path).toBe('C:\\Tools\\nvidia-smi.exe');
    const none = win(['relative\\bin\\nvidia-smi.exe']);
    expect(none.path).toBeNull();
    expect(none.looked).toEqual([
      `${ROOT}\\System32\\nvidia-smi.exe`,
      `${STORE}\\nv*\\nvidia-smi.exe`,
      'PATH',
    ]);
  });

  it('without SystemRoot: WINDIR, else C:\\Windows', () => {
    expect(win([], { env: { windir: 'E:\\Win' } }).looked[0]).toBe('E:\\Win\\System32\\nvidia-smi.exe');
    expect(win([], { env: {} }).looked[0]).toBe('C:\\Windows\\System32\\nvidia-smi.exe');
  });

  it('a setting overrides and is the only place looked at', () => {
    const mine = 'D:\\My Tools\\nvidia-smi.exe';
    const sys = `${ROOT}\\System32\\nvidia-smi.exe`;
    expect(win([mine, sys], { setting: `"${mine}"` })).toEqual({ path: mine, looked: [mine] });
    expect(win([sys], { setting: mine })).toEqual({ path: null, looked: [mine] });
    expect(win([sys], { setting: 'tools\\nvidia-smi.exe' }).path).toBeNull();
    expect(win(['C:\\Tools\\nvidia-smi.exe', sys], { setting: 'nvidia-smi' }).path).toBe(
      'C:\\Tools\\nvidia-smi.exe',
    );
  });
});

describe('locateNvidiaSmi elsewhere', () => {
  const isFile = (f: string) => f === '/usr/bin/nvidia-smi' || f === '/opt/nv/nvidia-smi';
  it('PATH, or the setting', () => {
    const env = { PATH: 'bin:/usr/local/bin:/usr/bin' };
    expect(locateNvidiaSmi({ setting: '', platform: 'linux', env, isFile })).toEqual({
      path: '/usr/bin/nvidia-smi',
      looked: ['PATH'],
    });
    expect(locateNvidiaSmi({ setting: '/opt/nv/nvidia-smi', platform: 'linux', env, isFile }).path).toBe(
      '/opt/nv/nvidia-smi',
    );
    expect(locateNvidiaSmi({ setting: '', platform: 'linux', env: { PATH: '' }, isFile }).path).toBeNull();
  });
});
