/** A process's identity is its pid plus its start time (core/process-start-time.ts). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  parseWindowsStartTime,
  processStartTime,
  processStartTimeOf,
  sameStart,
} from '../../../electron/core/process-start-time';

describe('processStartTimeOf on Windows (PowerShell CIM, injected runner)', () => {
  const env = { SystemRoot: 'C:\\Windows Dir', PATH: 'C:\\evil' };

  it('runs powershell.exe by absolute path, without profile or prompts, for exactly that pid', async () => {
    const calls: [string, string[]][] = [];
    const start = await processStartTimeOf(4242, {
      platform: 'win32',
      env,
      run: async (file, args) => {
        calls.push([file, args]);
        return '1785000000123\r\n';
      },
    });
    expect(start).toBe(1_785_000_000_123);
    expect(calls).toHaveLength(1);
    const [file, args] = calls[0]!;
    expect(file).toBe('C:\\Windows Dir\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(args.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-Command']);
    expect(args[3]).toContain("Win32_Process -Filter 'ProcessId=4242'");
    expect(args[3]).toContain('CreationDate');
  });

  it('null when PowerShell fails, prints nothing (no such process) or prints something else', async () => {
    const answer = (out: string | Error) =>
      processStartTimeOf(7, {
        platform: 'win32',
        env,
        run: async () => {
          if (out instanceof Error) throw out;
          return out;
        },
      });
    expect(await answer(new Error('powershell.exe ENOENT'))).toBeNull();
    expect(await answer('')).toBeNull();
    expect(await answer('\r\n')).toBeNull();
    expect(await answer('Get-CimInstance : Access denied\r\n')).toBeNull();
    expect(await answer('12\r\n34\r\n')).toBeNull();
  });

  it('never queries for a pid that is not a positive integer', async () => {
    let ran = false;
    const run = async () => {
      ran = true;
      return '1';
    };
    for (const pid of [0, -1, 1.5, Number.NaN]) {
      expect(await processStartTimeOf(pid, { platform: 'win32', env, run })).toBeNull();
    }
    expect(ran).toBe(false);
  });

  it.each([
    ['1785000000123', 1_785_000_000_123],
    ['\uFEFF1785000000123\r\n', 1_785_000_000_123],
    ['  1785000000123  \n\n', 1_785_000_000_123],
    ['0', null],
    ['-5', null],
    ['2026-07-01T10:00:00Z', null],
    ['1785000000123 extra', null],
  ])('parses %j → %s', (out, expected) => {
    expect(parseWindowsStartTime(out)).toBe(expected);
  });

  it('other platforms than Linux and Windows: unknown', async () => {
    expect(await processStartTimeOf(process.pid, { platform: 'darwin' })).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('processStartTime on Linux (/proc)', () => {
  it('a fresh child started just now, this process earlier; a gone pid has none', async () => {
    const before = Date.now();
    const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},10000)'], { stdio: 'ignore' });
    try {
      const start = processStartTime(child.pid!);
      expect(start).not.toBeNull();
      expect(sameStart(start, before)).toBe(true);
      expect(await processStartTimeOf(child.pid!, { platform: 'linux' })).toBe(start);
      expect(processStartTime(process.pid)!).toBeLessThanOrEqual(start!);
    } finally {
      child.kill('SIGKILL');
    }
    expect(processStartTime(2 ** 22 + 12345)).toBeNull();
  });
});

describe('sameStart', () => {
  it.each([
    [1000, 1000, true],
    [1000, 2999, true],
    [1000, 3000, false],
    [5000, 1000, false],
    [null, 1000, true],
    [1000, null, true],
    [null, null, true],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(sameStart(a, b)).toBe(expected);
  });
});
