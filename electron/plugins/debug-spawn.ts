/**
 * Running the programs of a plugin's debug session (venv creation, pip, the plugin itself) the way the
 * processes capability runs Ollama and A1111: output straight into the session's log file through an
 * inherited descriptor (no pipe, so the viewer, the CLI and the state detection all read one file),
 * in a process group of its own, and ended with its whole tree — pip and a plugin both start children.
 */
import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { closeSync } from 'node:fs';
import { childEnv } from '../core/child-process';
import { AppError } from '../core/errors';
import { openChildLog, terminateTree } from '../processes/api';

export interface DebugProgram {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface RunningProgram {
  pid: number;
  /** Resolves with the exit code (null after a signal) once the program has ended. */
  exited: Promise<number | null>;
  /** Ends the program and everything it started; resolves when they are gone. */
  stop(): Promise<void>;
}

export interface SpawnIntoLogOptions {
  platform?: NodeJS.Platform;
  /** posix: how long the group has after SIGTERM before SIGKILL (a plugin needs no long grace). */
  graceMs?: number;
}

/** Starts `program` with stdout+stderr appended to `logFile`. */
export async function spawnIntoLog(
  program: DebugProgram,
  logFile: string,
  options: SpawnIntoLogOptions = {},
): Promise<RunningProgram> {
  const platform = options.platform ?? process.platform;
  const fd = await openChildLog(logFile);
  let child;
  try {
    child = spawn(program.command, program.args, {
      cwd: program.cwd,
      env: childEnv(program.env),
      // Its own process group (posix), so the tree can be signalled as one; on Windows the tree is
      // walked by taskkill instead, and `detached` would open a console window.
      detached: platform !== 'win32',
      stdio: ['ignore', fd, fd],
      windowsHide: true,
    });
  } finally {
    closeSync(fd); // The child holds its own copy.
  }
  const pid = child.pid;
  const started = new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  const failed = await started;
  if (failed || pid === undefined) {
    throw new AppError('PLUGIN_DEBUG_START_FAILED', {
      params: { command: program.command, reason: failed?.message ?? 'no process id' },
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | null = null;
  return {
    pid,
    exited,
    stop() {
      stopping ??= terminateTree(pid, { platform, graceMs: options.graceMs ?? 2_000 }).then(() => undefined);
      return stopping;
    },
  };
}

/** Runs `program` to its end (its output into the log); the signal ends its tree. */
export async function runIntoLog(
  program: DebugProgram,
  logFile: string,
  signal: AbortSignal,
  options: SpawnIntoLogOptions = {},
): Promise<number | null> {
  if (signal.aborted) throw new AppError('CANCELLED');
  const running = await spawnIntoLog(program, logFile, options);
  const onAbort = (): void => void running.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await running.exited;
    if (signal.aborted) throw new AppError('CANCELLED');
    return code;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** One line of our own in the session's log (what happens between the program's runs). */
export function writeLogNote(logFile: string, text: string): Promise<void> {
  return appendFile(logFile, `[dify-stack] ${text}\n`, { mode: 0o600 });
}
