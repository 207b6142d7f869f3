/**
 * One nvidia-smi process: its readings as they come, and how it ended with the output that explains
 * it. Used for the long-lived `--loop-ms` stream and for single runs alike.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { childEnv } from '../core/child-process';
import type { GpuReading } from '../core/contract';
import { parseReadingLine } from './nvidia-smi-parse';

export type SpawnLike = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be started at all (ENOENT: the file went away, EACCES…). */
  spawnError: NodeJS.ErrnoException | null;
  /** Its lines that were not readings (messages), stdout then stderr; bounded. */
  stdout: string;
  stderr: string;
  /** How many readings it printed. */
  readings: number;
}

/** Bounds on what is kept of a run's messages: a broken nvidia-smi must not fill memory. */
const KEEP_LINES = 20;
const KEEP_STDERR = 8_192;
const MAX_PARTIAL_LINE = 65_536;
/** posix: how long SIGTERM has before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export class SmiRun {
  private readonly child: ChildProcess | null = null;
  private partial = '';
  private messages: string[] = [];
  private stderr = '';
  private readings = 0;
  private finished: RunEnd | null = null;
  private readonly ended: Promise<RunEnd>;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    private readonly onReading: (r: GpuReading) => void,
    spawnFn: SpawnLike = spawn,
  ) {
    let settle: (end: RunEnd) => void = () => undefined;
    this.ended = new Promise((resolve) => (settle = resolve));
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError: Error | null): void => {
      if (this.finished) return;
      if (this.killTimer) clearTimeout(this.killTimer);
      this.line(this.partial);
      this.partial = '';
      this.finished = {
        code,
        signal,
        spawnError: spawnError as NodeJS.ErrnoException | null,
        stdout: this.messages.join('\n'),
        stderr: this.stderr,
        readings: this.readings,
      };
      settle(this.finished);
    };
    let child: ChildProcess;
    try {
      child = spawnFn(command, args, {
        env: childEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      // Windows throws EINVAL at once for a .bat/.cmd without a shell: that is not an nvidia-smi.
      finish(null, null, e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.data(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-KEEP_STDERR);
    });
    // 'close' comes after the output is read to its end; a spawn failure may bring only 'error'.
    child.once('close', (code, signal) => finish(code, signal, null));
    child.once('error', (e) => {
      if (child.pid === undefined) finish(null, null, e);
    });
  }

  /** Resolves when the process has ended and its output was read. */
  end(): Promise<RunEnd> {
    return this.ended;
  }

  /** Ends it (SIGTERM, then SIGKILL on posix; TerminateProcess on Windows) and waits for that. */
  kill(): Promise<RunEnd> {
    const child = this.child;
    if (child && !this.finished && !this.killTimer) {
      child.kill();
      this.killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }
    return this.ended;
  }

  private data(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = (lines.pop() as string).slice(-MAX_PARTIAL_LINE);
    for (const l of lines) this.line(l);
  }

  private line(raw: string): void {
    // Windows writes CRLF.
    const line = raw.replace(/\r$/, '');
    const reading = parseReadingLine(line);
    if (reading) {
      this.readings++;
      this.onReading(reading);
    } else if (line.trim()) {
      this.messages.push(line.trim());
      if (this.messages.length > KEEP_LINES) this.messages.shift();
    }
  }
}

/** The last thing it said (a message, not a reading): the error's `lastLine`. */
export function lastLineOf(end: RunEnd): string {
  const lines = `${end.stdout}\n${end.stderr}`.split(/\r?\n/).filter((l) => l.trim());
  return (lines.at(-1) ?? '').trim().slice(0, 300);
}
