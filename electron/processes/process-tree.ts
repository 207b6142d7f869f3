/**
 * Ending a supervised program with everything it started. Ollama's `serve` starts runner processes and
 * A1111's launcher is a shell or cmd.exe over python (facts.md): killing only the pid we know leaves the
 * rest holding the port and the GPU.
 *
 * posix: we spawn the program `detached`, so it leads its own process group (pgid = its pid) and every
 * descendant that does not create its own group is in it: a signal to -pid reaches all of them.
 * Windows: `taskkill /PID n /T /F` walks the parent-child tree; Node's `kill()` ends only the one process.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { taskkillPath } from '../core/child-process';
import { pidAlive } from '../core/pid-alive';

export interface TreeKillOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Runs a command and resolves with its exit code (tests inject one). */
  run?: (cmd: string, args: string[]) => Promise<number>;
  /** How long to wait for the tree to vanish after the kill (default 5 000 ms). */
  waitMs?: number;
}

export interface TerminateOptions extends TreeKillOptions {
  /** posix: how long the group has after SIGTERM before it is killed (default 10 000 ms). */
  graceMs?: number;
}

/** The command that kills a whole tree on Windows: [taskkillPath(env), ['/PID', String(pid), '/T', '/F']]. */
export function windowsTreeKill(pid: number, env: NodeJS.ProcessEnv): { command: string; args: string[] } {
  return { command: taskkillPath(env), args: ['/PID', String(pid), '/T', '/F'] };
}

/**
 * Linux: /proc/<pid>/stat's state and process group. A killed process whose parent is gone stays a
 * zombie ('Z') until init reaps it — and some inits (minimal containers, this test VM) never do — so a
 * zombie counts as gone.
 */
function procStat(pid: number): { state: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

const gone = (state: string): boolean => state === 'Z' || state === 'X';

/** Does this pid run (a zombie does not)? */
export function processRunning(pid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!pidAlive(pid)) return false;
  if (platform !== 'linux' || process.platform !== 'linux') return true;
  const stat = procStat(pid);
  return stat === null ? false : !gone(stat.state);
}

/** Linux: does any process of group `pgid` run (zombies aside)? */
function groupRunsLinux(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // Cannot tell: kill(-pgid, 0) said the group exists.
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgrp === pgid && !gone(stat.state)) return true;
  }
  return false;
}

/** Is the process (posix: or anything in its process group, `kill(-pid, 0)`) still there? */
export function treeAlive(pid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (platform === 'win32') return pidAlive(pid);
  if (processRunning(pid, platform)) return true;
  try {
    process.kill(-pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return platform === 'linux' && process.platform === 'linux' ? groupRunsLinux(pid) : true;
}

function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // ESRCH: that one is gone already (or pid leads no group); EPERM: not ours to signal.
    }
  }
}

const runHidden = (cmd: string, args: string[]): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore', windowsHide: true });
    child.once('error', () => resolve(-1));
    child.once('exit', (code) => resolve(code ?? -1));
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the tree is gone or `ms` passed; true when gone. */
export async function waitTreeGone(pid: number, ms: number, platform: NodeJS.Platform): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (!treeAlive(pid, platform)) return true;
    if (Date.now() >= until) return false;
    await sleep(Math.min(100, Math.max(10, until - Date.now())));
  }
}

/**
 * posix: SIGKILL to what is left of the process group of a leader that has already exited (its
 * runners, a shell's python). Only the group is signalled, never the pid itself: that number may
 * belong to another process by now, while a group id is not reused as long as the group exists.
 * win32: nothing — the tree's links ended with its root.
 */
export function killOrphans(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32' || !Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing was left.
  }
}

/**
 * posix: SIGKILL to the process group (-pid), then to pid itself; win32: taskkill /T /F by absolute
 * path, windowsHide. Resolves when gone (polls, ≤ 5 s) → true.
 */
export async function killTree(pid: number, opts: TreeKillOptions = {}): Promise<boolean> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') {
    const { command, args } = windowsTreeKill(pid, opts.env ?? process.env);
    // Its exit code says little (128: already gone; 1: part of the tree refused): look instead.
    await (opts.run ?? runHidden)(command, args);
  } else {
    signalTree(pid, 'SIGKILL');
  }
  return waitTreeGone(pid, opts.waitMs ?? 5_000, platform);
}

/**
 * posix: SIGTERM to the group, wait up to graceMs for the group to vanish, then killTree. win32:
 * killTree at once (console-less processes get no WM_CLOSE; a graceful stop is the caller's API call).
 */
export async function terminateTree(
  pid: number,
  opts: TerminateOptions = {},
): Promise<'exited' | 'killed' | 'failed'> {
  const platform = opts.platform ?? process.platform;
  if (!treeAlive(pid, platform)) return 'exited';
  if (platform !== 'win32') {
    signalTree(pid, 'SIGTERM');
    if (await waitTreeGone(pid, opts.graceMs ?? 10_000, platform)) return 'exited';
  }
  return (await killTree(pid, opts)) ? 'killed' : 'failed';
}
