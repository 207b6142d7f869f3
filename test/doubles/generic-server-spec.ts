/**
 * The test side of `generic-server.mjs`: the launch spec that runs the double, its readiness, and the
 * pid files its misbehaviours write (also to end what a test started).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LaunchSpec } from '../../electron/processes/supervisor';

export const GENERIC_SERVER = resolve(__dirname, 'generic-server.mjs');

/** Runs the double with `node`, on `port`, with the misbehaviours in `env` (DOUBLE_*). */
export function genericServerSpec(port: number, cwd: string, env: Record<string, string> = {}): LaunchSpec {
  return {
    command: process.execPath,
    args: [GENERIC_SERVER],
    cwd,
    env: { ...process.env, DOUBLE_PORT: String(port), ...env },
  };
}

/** GET / on 127.0.0.1:port answers 200 — the double's readiness. */
export async function serves(port: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Waits until Node in `pid` has run its script and idles in its event loop (Linux: the main thread
 * sleeps in epoll_wait, /proc/<pid>/wchan; elsewhere a fixed second). process-behaviours.mjs writes the
 * grandchild's pid file as soon as it is spawned, before that Node has installed the handler that
 * ignores SIGTERM: a SIGTERM in between would end it by the default action and prove nothing.
 */
export async function scriptRunning(pid: number, timeoutMs = 10_000): Promise<void> {
  if (process.platform !== 'linux') return new Promise((r) => setTimeout(r, 1_000));
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('epoll')) return;
    } catch {
      // Not there yet, or gone: the caller's own checks say which.
    }
    if (Date.now() > until) throw new Error(`pid ${pid} never idled in its event loop`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid a double wrote into `file`, once it has (polls up to `timeoutMs`). */
export async function pidFromFile(file: string, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {
      // Not written yet.
    }
    if (Date.now() > until) throw new Error(`no pid in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Is `pid` still the double (or its grandchild) that wrote `file`? Both carry the file's path in their
 * environment (DOUBLE_PIDFILE, inherited by the grandchild); a pid reused since by another program's
 * process does not. Linux tells; elsewhere the pid is trusted.
 */
function wroteIt(pid: number, file: string): boolean {
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(file);
  } catch {
    return false;
  }
}

/**
 * Ends, with their process groups, the doubles whose pids these files hold (a test's clean-up: what a
 * failed test started must not outlive it). Files never written, and pids that are no longer those
 * doubles, are skipped.
 */
export function killFromPidFiles(files: string[]): void {
  for (const file of files) {
    let pid: number;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !wroteIt(pid, file)) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
