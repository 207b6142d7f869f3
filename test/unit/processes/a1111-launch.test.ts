import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  a1111LaunchSpec,
  a1111Launcher,
  parseWebuiUserBat,
  shlexSplit,
} from '../../../electron/processes/a1111-launch';

const DIR = 'C:\\Program Files\\sd webui';
const crlf = (...lines: string[]) => lines.join('\r\n') + '\r\n';

describe('parseWebuiUserBat', () => {
  it("reads the shipped file (CRLF): every variable cleared, webui.bat's defaults apply", () => {
    const shipped = readFileSync(join(__dirname, '../../doubles/a1111/webui-user.bat'), 'utf8');
    expect(shipped).toContain('\r\n');
    expect(parseWebuiUserBat(shipped)).toEqual({ PYTHON: '', GIT: '', VENV_DIR: '', COMMANDLINE_ARGS: '' });
  });

  it.each<[string, string, Record<string, string>]>([
    [
      'a BOM and plain set lines',
      '\uFEFF@echo off\r\nset COMMANDLINE_ARGS=--xformers --api\r\n',
      { COMMANDLINE_ARGS: '--xformers --api' },
    ],
    [
      'SET in upper case, quoted form, text after the closing quote',
      'SET "PYTHON=C:\\Python 3.10\\python.exe" rem\r\n',
      { PYTHON: 'C:\\Python 3.10\\python.exe' },
    ],
    [
      'quotes kept in the unquoted form, trailing spaces too',
      'set COMMANDLINE_ARGS="--api"  \r\n',
      { COMMANDLINE_ARGS: '"--api"  ' },
    ],
    ['names in upper case', 'set commandline_args=--medvram\r\n', { COMMANDLINE_ARGS: '--medvram' }],
    ['rem and :: comments', 'rem set A=1\r\nREM\r\n:: set B=2\r\n  @rem set C=3\r\nset D=4\r\n', { D: '4' }],
    [
      'an earlier variable expanded, %% as a percent sign',
      'set GIT=D:\\git\\bin\\git.exe\r\nset X=%GIT% 100%%\r\n',
      { GIT: 'D:\\git\\bin\\git.exe', X: 'D:\\git\\bin\\git.exe 100%' },
    ],
    ['an unknown variable expands to nothing in a batch file', 'set X=a%NOPE%b\r\n', { X: 'ab' }],
    ['set /p and set /a are not assignments we can replay', 'set /p X=Answer: \r\nset /a Y=1+1\r\n', {}],
    [
      'lines after `call webui.bat` run only after it',
      'set A=1\r\ncall webui.bat\r\nset B=2\r\n',
      { A: '1' },
    ],
    ['LF-only files too', 'set A=1\nset B=2\n', { A: '1', B: '2' }],
    ['a later line wins', 'set A=1\r\nset a=2\r\n', { A: '2' }],
  ])('%s', (_name, text, expected) => {
    expect(parseWebuiUserBat(text)).toEqual(expected);
  });

  it('expands variables of the environment and %~dp0', () => {
    const text = crlf('set PATH=%PATH%;C:\\tools', 'set VENV_DIR=%~dp0venv');
    expect(parseWebuiUserBat(text, { env: { Path: 'C:\\Windows' }, dir: DIR })).toEqual({
      PATH: 'C:\\Windows;C:\\tools',
      VENV_DIR: `${DIR}\\venv`,
    });
  });
});

describe('a1111Launcher', () => {
  it('is webui.bat (+ webui-user.bat) on Windows, webui.sh (+ webui-user.sh) elsewhere', () => {
    expect(a1111Launcher(DIR, 'win32')).toEqual({
      launcher: `${DIR}\\webui.bat`,
      userFile: `${DIR}\\webui-user.bat`,
    });
    expect(a1111Launcher('/opt/sd webui', 'linux')).toEqual({
      launcher: '/opt/sd webui/webui.sh',
      userFile: '/opt/sd webui/webui-user.sh',
    });
  });
});

describe('shlexSplit (as launch.py splits COMMANDLINE_ARGS)', () => {
  it.each([
    ['--api  --port 7860', ['--api', '--port', '7860']],
    [`--ckpt-dir "D:\\my models" --x 'a b'`, ['--ckpt-dir', 'D:\\my models', '--x', 'a b']],
    ['--dir D:\\models', ['--dir', 'D:models']],
    ['"a\\"b" \'c\\d\'', ['a"b', 'c\\d']],
    ['', []],
  ])('%j', (text, values) => {
    expect(shlexSplit(text).map((t) => t.value)).toEqual(values);
  });
});

describe('a1111LaunchSpec on Windows', () => {
  const baseEnv = {
    SystemRoot: 'D:\\Windows',
    Path: 'D:\\Windows\\System32',
    Python: 'C:\\inherited\\python.exe',
    DIFY_PASSWORD: 'secret',
    COMMANDLINE_ARGS: '--inherited',
  };
  const userBatText = crlf(
    '@echo off',
    '',
    'set PYTHON=',
    'set GIT=',
    'set VENV_DIR=',
    'set COMMANDLINE_ARGS=--xformers --port 7000 --listen --ckpt-dir "D:\\my models"',
    'set PYTORCH_CUDA_ALLOC_CONF=garbage_collection_threshold:0.6',
    '',
    'call webui.bat',
  );

  it("runs webui.bat through System32's cmd.exe with our flags as arguments, the user's set lines as environment", () => {
    const { spec, dropped } = a1111LaunchSpec({
      dir: DIR,
      platform: 'win32',
      baseEnv,
      port: 7861,
      listen: false,
      extraArgs: '--medvram --nowebui --port=9999',
      userBatText,
    });
    expect(spec.command).toBe('D:\\Windows\\System32\\cmd.exe');
    expect(spec.args).toEqual(['/d', '/s', '/c', `""${DIR}\\webui.bat" --api --port 7861"`]);
    expect(spec.windowsVerbatimArguments).toBe(true);
    expect(spec.cwd).toBe(DIR);
    expect(spec.kind).toBe('child');
    // COMMANDLINE_ARGS: the user's, then ours from the settings, without the flags the settings decide.
    expect(spec.env.COMMANDLINE_ARGS).toBe('--xformers --ckpt-dir "D:\\my models" --medvram');
    expect(dropped).toEqual(['--port 7000', '--listen', '--nowebui', '--port=9999']);
    expect(spec.env.PYTORCH_CUDA_ALLOC_CONF).toBe('garbage_collection_threshold:0.6');
    expect(spec.env.PYTHONUNBUFFERED).toBe('1');
    // `set PYTHON=` clears it, whatever its case was: webui.bat then uses its default.
    expect(
      Object.keys(spec.env).filter((k) => ['PYTHON', 'GIT', 'VENV_DIR'].includes(k.toUpperCase())),
    ).toEqual([]);
    expect(spec.env.DIFY_PASSWORD).toBeUndefined();
  });

  it('adds --listen when the settings ask for it, and removes --server-name (it would override --listen)', () => {
    const { spec, dropped } = a1111LaunchSpec({
      dir: DIR,
      platform: 'win32',
      baseEnv,
      port: 7860,
      listen: true,
      extraArgs: '--server-name 192.168.1.9',
      userBatText: null,
    });
    expect(spec.args[3]).toBe(`""${DIR}\\webui.bat" --api --port 7860 --listen"`);
    expect(dropped).toEqual(['--server-name 192.168.1.9']);
  });

  it('without webui-user.bat, the inherited COMMANDLINE_ARGS (what webui.bat alone would see) is kept', () => {
    const { spec } = a1111LaunchSpec({
      dir: DIR,
      platform: 'win32',
      baseEnv,
      port: 7860,
      listen: false,
      extraArgs: '',
      userBatText: null,
    });
    expect(spec.env.COMMANDLINE_ARGS).toBe('--inherited');
    expect(spec.env.Python).toBe('C:\\inherited\\python.exe');
  });

  it('leaves COMMANDLINE_ARGS out when nothing remains', () => {
    const { spec } = a1111LaunchSpec({
      dir: DIR,
      platform: 'win32',
      baseEnv: { SystemRoot: 'C:\\Windows' },
      port: 7860,
      listen: false,
      extraArgs: '--listen',
      userBatText: 'set COMMANDLINE_ARGS=--port 1\r\n',
    });
    expect(spec.env.COMMANDLINE_ARGS).toBeUndefined();
  });
});

describe('a1111LaunchSpec on Linux', () => {
  it('runs webui.sh with -f first when root, our flags, then the extra arguments split like a shell', () => {
    const { spec, dropped } = a1111LaunchSpec({
      dir: '/opt/sd webui',
      platform: 'linux',
      baseEnv: { PATH: '/usr/bin', DIFY_PASSWORD: 'x', COMMANDLINE_ARGS: '--port 1234 --lowvram' },
      port: 7860,
      listen: true,
      extraArgs: `--ckpt-dir '/data/sd models' --listen`,
      asRoot: true,
    });
    expect(spec).toMatchObject({
      command: 'bash',
      args: [
        '/opt/sd webui/webui.sh',
        '-f',
        '--api',
        '--port',
        '7860',
        '--listen',
        '--ckpt-dir',
        '/data/sd models',
      ],
      cwd: '/opt/sd webui',
      kind: 'child',
    });
    expect(spec.windowsVerbatimArguments).toBeUndefined();
    expect(spec.env).toMatchObject({ PYTHONUNBUFFERED: '1', COMMANDLINE_ARGS: '--lowvram' });
    expect(spec.env.DIFY_PASSWORD).toBeUndefined();
    expect(dropped).toEqual(['--port 1234', '--listen']);
  });

  it('has no -f for a normal user', () => {
    const { spec } = a1111LaunchSpec({
      dir: '/sd',
      platform: 'linux',
      baseEnv: {},
      port: 7860,
      listen: false,
      extraArgs: '',
      asRoot: false,
    });
    expect(spec.args).toEqual(['/sd/webui.sh', '--api', '--port', '7860']);
    expect(spec.env.COMMANDLINE_ARGS).toBeUndefined();
  });
});
