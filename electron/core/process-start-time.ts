/**
 * When a process started: with its pid, the identity of a process. A pid is reused once its process is
 * gone, so whoever keeps a pid across time (the project lock's holder, the registry of the programs we
 * started) keeps the start time too and compares it before trusting — or killing — that pid.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { childEnv, taskkillPath } from './child-process';

/**
 * ms since epoch; Linux: /proc/<pid>/stat starttime + btime (sync, cheap); other platforms: null.
 * Windows would need a WMI query per look: use `processStartTimeOf` there.
 */
export function processStartTime(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks since boot) comes after the command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootLine = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    const boot = Number(bootLine?.split(' ')[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(boot)) return null;
    return Math.round((boot + ticks / 100) * 1000); // USER_HZ is 100 on every Linux we run on.
  } catch {
    return null;
  }
}

export interface StartTimeOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Runs `file args` and resolves with its stdout (tests inject one). */
  run?: (file: string, args: string[]) => Promise<string>;
}

/** Windows PowerShell 5.1 ships with every Windows 10/11, always in this folder under System32. */
export function powershellPath(env: NodeJS.ProcessEnv): string {
  // System32 found as taskkill's is: from SystemRoot, never from PATH or the working folder.
  return path.win32.join(
    path.win32.dirname(taskkillPath(env)),
    'WindowsPowerShell',
    'v1.0',
    'powershell.exe',
  );
}

/**
 * The PowerShell command printing a process's start in ms since the epoch (nothing when there is no such
 * process). CreationDate is a local DateTime; the DateTimeOffset cast keeps its offset, so the figure is
 * UTC whatever the machine's time zone.
 */
export function windowsStartTimeArgs(pid: number): string[] {
  const query =
    `$p = Get-CimInstance -ClassName Win32_Process -Filter 'ProcessId=${pid}';` +
    ` if ($p) { ([DateTimeOffset]$p.CreationDate).ToUnixTimeMilliseconds() }`;
  return ['-NoProfile', '-NonInteractive', '-Command', query];
}

/** PowerShell's answer → ms since epoch; anything but one integer line (an error, no process) → null. */
export function parseWindowsStartTime(stdout: string): number | null {
  const lines = stdout
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length !== 1 || !/^\d{1,15}$/.test(lines[0] ?? '')) return null;
  const ms = Number(lines[0]);
  return ms > 0 ? ms : null;
}

const runFile = (env: NodeJS.ProcessEnv) => (file: string, args: string[]) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      file,
      args,
      { env: childEnv(env), windowsHide: true, timeout: 15_000, encoding: 'utf8' },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

/** One query per pid at a time: several callers asking at once (list, stop) share it. */
const inFlight = new Map<number, Promise<number | null>>();

/**
 * Linux: as `processStartTime`. win32: one PowerShell CIM query (Win32_Process CreationDate); null when
 * it fails. Other platforms: null (a live pid then counts as the same process).
 *
 * Not cached across calls: a cached figure would outlive its process and vouch for a reused pid.
 */
export async function processStartTimeOf(pid: number, opts: StartTimeOptions = {}): Promise<number | null> {
  const platform = opts.platform ?? process.platform;
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (platform === 'linux') return processStartTime(pid);
  if (platform !== 'win32') return null;
  const run = opts.run ?? runFile(opts.env ?? process.env);
  const shared = opts.run ? undefined : inFlight.get(pid);
  if (shared) return shared;
  const query = run(powershellPath(opts.env ?? process.env), windowsStartTimeArgs(pid))
    .then(parseWindowsStartTime)
    .catch(() => null)
    .finally(() => {
      if (inFlight.get(pid) === query) inFlight.delete(pid);
    });
  if (!opts.run) inFlight.set(pid, query);
  return query;
}

/**
 * Two start times of one process: /proc's 10 ms ticks and btime's whole seconds, and WMI's own
 * rounding, make two readings differ by up to about a second — within 2 s is the same start. An
 * unknown side (null) cannot tell: true.
 */
export function sameStart(a: number | null, b: number | null): boolean {
  return a === null || b === null || Math.abs(a - b) < 2_000;
}
