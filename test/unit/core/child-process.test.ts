/** Child processes get no secrets of ours, and on Windows an absolute executable path (core/child-process.ts). */
import { describe, expect, it } from 'vitest';
import { childEnv, findOnPath, resolveExecutable, taskkillPath } from '../../../electron/core/child-process';

describe('childEnv', () => {
  it('drops DIFY_PASSWORD (any case) and keeps everything else', () => {
    const env = childEnv({
      PATH: '/usr/bin',
      DIFY_PASSWORD: 'hunter2',
      dify_password: 'x',
      LANG: 'ja_JP.UTF-8',
    });
    expect(env).toEqual({ PATH: '/usr/bin', LANG: 'ja_JP.UTF-8' });
  });
});

describe('resolveExecutable', () => {
  const files = new Set(['C:\\Program Files\\Docker\\docker.exe', 'C:\\Tools\\docker-compose.cmd']);
  const isFile = (f: string) => files.has(f);

  it.each([
    ['docker', 'C:\\Program Files\\Docker\\docker.exe'],
    ['docker.exe', 'C:\\Program Files\\Docker\\docker.exe'],
    ['docker-compose', 'C:\\Tools\\docker-compose.cmd'],
    ['ollama', null],
  ])('win32: %s → %s', (command, expected) => {
    const env = { Path: '.;C:\\Program Files\\Docker;"C:\\Tools"', PATHEXT: '.COM;.EXE;.BAT;.CMD' };
    expect(resolveExecutable(command, { platform: 'win32', env, isFile })).toBe(expected);
  });

  it('elsewhere the name is left to execvp', () => {
    expect(resolveExecutable('docker', { platform: 'linux', env: { PATH: '' } })).toBe('docker');
  });

  it('findOnPath skips relative and empty entries on every platform', () => {
    const seen: string[] = [];
    const isFileSeen = (f: string) => {
      seen.push(f);
      return false;
    };
    findOnPath(['docker'], { platform: 'linux', env: { PATH: ':.:bin:/usr/bin' }, isFile: isFileSeen });
    expect(seen).toEqual(['/usr/bin/docker']);
  });

  it('taskkill comes from the system folder', () => {
    expect(taskkillPath({ SystemRoot: 'D:\\WINDOWS' })).toBe('D:\\WINDOWS\\System32\\taskkill.exe');
    expect(taskkillPath({})).toBe('C:\\Windows\\System32\\taskkill.exe');
  });
});
