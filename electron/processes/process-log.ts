/**
 * A supervised program's output goes straight into a log file: the child writes it through a file
 * descriptor it inherits, not through a pipe to us. A pipe would tie the program to the program that
 * started it — a `dify-stack` CLI run ends right after the start, and a closed pipe kills a writer
 * with SIGPIPE/EPIPE — while a file stays writable whoever reads it, and the app (or the next CLI run)
 * follows the same file.
 *
 * Rotation: at each start the old logs shift (`file` → `file.1` → … like Ollama's server-N.log). A
 * program that runs for weeks is copy-truncated while followed: the child opened the file O_APPEND, so
 * after the truncation it keeps writing at the new end instead of leaving a hole.
 */
import { open as openCallback, promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FileFollower } from '../core/file-follower';

const openFd = promisify(openCallback);

export const DEFAULT_KEEP = 5;
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** `fromStart: false` shows the end of a long log, not all of it. */
const TAIL_BYTES = 64 * 1024;

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** file.<keep-1> → file.<keep>, …, file.1 → file.2 (the oldest dropped): room for a new file.1. */
async function shiftRotated(file: string, keep: number): Promise<void> {
  await fsp.rm(`${file}.${keep}`, { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    await fsp.rename(`${file}.${n}`, `${file}.${n + 1}`).catch((e: unknown) => {
      if (!isMissing(e)) throw e;
    });
  }
}

/** Before a start: file → file.1 → … → file.<keep> (oldest dropped), like Ollama's server-N.log. Missing file: no-op. */
export async function rotateLog(file: string, keep = DEFAULT_KEEP): Promise<void> {
  try {
    await fsp.access(file);
  } catch {
    return;
  }
  if (keep < 1) return fsp.rm(file, { force: true });
  await shiftRotated(file, keep);
  await fsp.rename(file, `${file}.1`);
}

/** A file descriptor for a child's stdout+stderr (append, 0o600; folder created 0o700). The caller closes it after spawn. */
export async function openChildLog(file: string): Promise<number> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return openFd(file, 'a', 0o600);
}

export interface LogFollowerOptions {
  /** Lines kept (default 1 000). */
  maxLines?: number;
  /** How often `start()` looks for new bytes (default 500 ms). */
  pollMs?: number;
  /** Past this size the file is copy-truncated (default 20 MB). */
  maxBytes?: number;
  /** Rotated copies kept by the copy-truncate (default 5). */
  keep?: number;
  /** true: read the file from its first byte; false (default): from the end minus the last ~64 KB. */
  fromStart?: boolean;
}

/**
 * Follows a log file the child writes directly (core/file-follower.ts does the reading: truncation,
 * replacement, split characters, \r lines) and keeps the last `maxLines` lines for the state and the
 * crash report; copy-truncates past `maxBytes` into file.1 … file.<keep>.
 */
export class LogFollower {
  private readonly maxLines: number;
  private readonly kept: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly follower: FileFollower;

  constructor(file: string, opts: LogFollowerOptions = {}) {
    this.maxLines = opts.maxLines ?? 1_000;
    const keep = opts.keep ?? DEFAULT_KEEP;
    this.follower = new FileFollower(
      file,
      { lines: (lines) => lines.forEach((line) => this.keepLine(line)) },
      {
        pollMs: opts.pollMs ?? 500,
        from: opts.fromStart ? 'start' : { bytes: TAIL_BYTES },
        copyTruncate: {
          maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
          makeRoom: async () => {
            await shiftRotated(file, keep);
            return `${file}.1`;
          },
        },
      },
    );
  }

  start(): void {
    this.follower.start();
  }

  stop(): void {
    this.follower.stop();
  }

  /** The last `maxLines` complete lines (a line still being written is not one yet: see `flush`). */
  lines(): string[] {
    return this.kept.slice(-this.maxLines);
  }

  /** Bytes read so far: growth means the program printed something (even without a line end). */
  received(): number {
    return this.follower.received();
  }

  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads whatever is new now (tests and the supervisor's exit path call it). */
  poll(): Promise<void> {
    return this.follower.poll();
  }

  /** The program ended: a last line it printed without a line end counts as a line. */
  flush(): void {
    this.follower.flush();
  }

  private keepLine(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.maxLines * 2) this.kept.splice(0, this.kept.length - this.maxLines);
    for (const listener of [...this.listeners]) listener(line);
  }
}
