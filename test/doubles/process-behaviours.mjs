/**
 * The misbehaviours every process double (the `ollama` executable, the A1111 launcher) can be told to
 * show, through environment variables, so the supervisors are tested against the failures real servers
 * have:
 *
 *   DOUBLE_START_DELAY_MS    wait this long before serving (a slow start, a first-run install)
 *   DOUBLE_CRASH_AFTER_MS    exit by itself this long after serving began
 *   DOUBLE_CRASH_CODE        the exit code of that crash (default 2)
 *   DOUBLE_IGNORE_SIGTERM    "1": SIGTERM and SIGINT are ignored (only a kill ends it)
 *   DOUBLE_GRANDCHILD        "1": start a grandchild that outlives this process unless the whole tree
 *                            (process group) is killed; its pid is written to DOUBLE_GRANDCHILD_PIDFILE
 *   DOUBLE_PIDFILE           write this process's pid here once it runs
 *
 * Plain ESM JavaScript, run by `node` directly: the doubles are real executables the supervisors spawn.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const env = process.env;

export const startDelayMs = Number(env.DOUBLE_START_DELAY_MS ?? 0) || 0;

/** Applies the behaviours that do not depend on the server (signals, pid files, the grandchild). */
export function applyProcessBehaviours() {
  if (env.DOUBLE_PIDFILE) writeFileSync(env.DOUBLE_PIDFILE, String(process.pid));
  if (env.DOUBLE_IGNORE_SIGTERM === '1') {
    process.on('SIGTERM', () => console.error('double: SIGTERM ignored'));
    process.on('SIGINT', () => console.error('double: SIGINT ignored'));
  } else {
    // A server that stops cleanly on a signal, as Ollama and A1111 do.
    for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
  }
  if (env.DOUBLE_GRANDCHILD === '1') {
    // Stays in our process group (no `detached`): a group kill ends it, killing only us does not.
    const grandchild = spawn(
      process.execPath,
      ['-e', 'process.on("SIGTERM",()=>{});setInterval(()=>{},1e6)'],
      {
        stdio: 'ignore',
      },
    );
    grandchild.unref();
    if (env.DOUBLE_GRANDCHILD_PIDFILE) writeFileSync(env.DOUBLE_GRANDCHILD_PIDFILE, String(grandchild.pid));
  }
}

/** Call once the server serves: schedules the crash, when one was asked for. */
export function scheduleCrash() {
  const after = Number(env.DOUBLE_CRASH_AFTER_MS ?? '');
  if (!Number.isFinite(after) || env.DOUBLE_CRASH_AFTER_MS === undefined) return;
  setTimeout(() => {
    console.error('double: crashing as asked');
    process.exit(Number(env.DOUBLE_CRASH_CODE ?? 2));
  }, after);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
