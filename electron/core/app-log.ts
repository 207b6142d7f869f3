/**
 * The app's own log: one line per event (a job started or failed, a setting changed, an error sent to
 * the window…), every line redacted (redact.ts) before it reaches the disk, in a size-rotated file with
 * a bounded number of generations — `app.log`, `app.1.log` … `app.<maxFiles>.log` — so the whole log
 * never exceeds (maxFiles + 1) × maxBytes.
 *
 * Two processes, two files: the tray app writes `app.log`, each `dify-stack` run appends to `cli.log`
 * (lines carry the pid). CLI runs may overlap, so the file is shared safely:
 * - a line (or a batch of lines) is ONE append: opened with O_APPEND, written in a single write and
 *   closed, so lines of two processes never interleave and no handle stays open (Windows cannot
 *   rename a file another process holds open);
 * - rotation runs under a lock (proper-lockfile, as the settings and project locks) and looks at the
 *   size again once it holds it: two processes over the limit at once rotate once, not twice.
 * A library such as rotating-file-stream keeps one stream open per process and rotates without a
 * lock, which fits neither rule; the rotation here is a dozen lines.
 *
 * Logging never throws and never waits for the disk: `write` queues, `flush` is for tests and exit.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { REDACTED, isSecretName, redactText } from './redact';

export type AppLogLevel = 'info' | 'warn' | 'error';
export type AppLogFields = Record<string, string | number | boolean | null | undefined>;

export interface AppLogOptions {
  /** The current file, e.g. `<local data>/logs/app.log`; generations sit beside it. */
  file: string;
  /** Rotate before a write would take the current file past this (default 1 MiB). */
  maxBytes?: number;
  /** Rotated generations kept (default 4). */
  maxFiles?: number;
  /** Written into every line: the CLI's runs share one file. */
  pid?: number;
  now?: () => Date;
}

/** What writers and the diagnostics export use of a log (a silent one in services without a log file). */
export type AppLogLike = Pick<AppLog, 'file' | 'info' | 'warn' | 'error' | 'write' | 'flush' | 'files'>;

/** Logs nothing: services assembled without a log folder (unit tests with a fake stack). */
export function silentAppLog(file = ''): AppLogLike {
  return {
    file,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    write: () => undefined,
    flush: async () => undefined,
    files: async () => [],
  };
}

/** A line longer than this is cut (a job's error detail can carry a whole compose output). */
export const MAX_LINE_CHARS = 4096;

export class AppLog {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly pid: number | undefined;
  private readonly now: () => Date;
  private pending: string[] = [];
  private draining: Promise<void> | null = null;
  private dirReady: Promise<unknown> | null = null;
  /** The last failure to write (shown in diagnostics; logging itself never throws). */
  lastError: string | null = null;

  constructor(options: AppLogOptions) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxFiles = Math.max(1, options.maxFiles ?? 4);
    this.pid = options.pid;
    this.now = options.now ?? (() => new Date());
  }

  info(event: string, fields?: AppLogFields): void {
    this.write('info', event, fields);
  }

  warn(event: string, fields?: AppLogFields): void {
    this.write('warn', event, fields);
  }

  error(event: string, fields?: AppLogFields): void {
    this.write('error', event, fields);
  }

  write(level: AppLogLevel, event: string, fields: AppLogFields = {}): void {
    this.pending.push(formatLine(this.now(), level, event, fields, this.pid));
    this.draining ??= this.drain();
  }

  /** Resolves when every line written so far is on disk (or failed to be). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** The files of this log that exist, oldest generation first, the current file last. */
  async files(): Promise<string[]> {
    const all = [
      ...Array.from({ length: this.maxFiles }, (_, i) => this.generation(this.maxFiles - i)),
      this.file,
    ];
    const exists = await Promise.all(
      all.map((f) =>
        fs.stat(f).then(
          () => true,
          () => false,
        ),
      ),
    );
    return all.filter((_, i) => exists[i]);
  }

  private generation(n: number): string {
    const ext = path.extname(this.file);
    return `${this.file.slice(0, this.file.length - ext.length)}.${n}${ext}`;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        this.pending = [];
        await this.append(batch);
      }
    } finally {
      this.draining = null;
    }
  }

  private async append(text: string): Promise<void> {
    try {
      this.dirReady ??= fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await this.dirReady;
      const bytes = Buffer.byteLength(text, 'utf8');
      if ((await sizeOf(this.file)) + bytes > this.maxBytes) await this.rotate(bytes);
      await fs.appendFile(this.file, text, { encoding: 'utf8', mode: 0o600 });
    } catch (e) {
      this.dirReady = null;
      this.lastError = e instanceof Error ? e.message : String(e);
    }
  }

  /** app.log → app.1.log → … → app.<maxFiles>.log (dropped), under the lock, if still needed. */
  private async rotate(incoming: number): Promise<void> {
    // proper-lockfile locks an existing path: the file is there, or there is nothing to rotate.
    if ((await sizeOf(this.file)) === 0) return;
    let release: (() => Promise<void>) | null = null;
    try {
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: 10_000,
        retries: { retries: 20, minTimeout: 20, maxTimeout: 100 },
        onCompromised: () => undefined,
      });
    } catch {
      // Another process holds it for long (or the lock cannot be made): write on, rotate next time.
      return;
    }
    try {
      if ((await sizeOf(this.file)) + incoming <= this.maxBytes) return;
      await fs.rm(this.generation(this.maxFiles), { force: true });
      for (let n = this.maxFiles - 1; n >= 1; n--) {
        await fs.rename(this.generation(n), this.generation(n + 1)).catch(() => undefined);
      }
      await fs.rename(this.file, this.generation(1));
    } finally {
      await release().catch(() => undefined);
    }
  }
}

async function sizeOf(file: string): Promise<number> {
  return fs.stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * `2026-12-03T16:30:00.000Z INFO  job.failed kind=stack:start code=COMPOSE_FAILED message="…"`, redacted,
 * one line whatever the values hold (they are quoted as JSON strings when they have spaces or quotes).
 */
export function formatLine(
  at: Date,
  level: AppLogLevel,
  event: string,
  fields: AppLogFields,
  pid?: number,
): string {
  const parts = [at.toISOString(), level.toUpperCase().padEnd(5), ...(pid ? [`[${pid}]`] : []), event];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    // Each value is redacted as it is (a JSON body's quotes are escaped once it is quoted), then the line.
    const shown = typeof value === 'string' && isSecretName(name, value) && value !== '' ? REDACTED : value;
    parts.push(`${name}=${fieldValue(typeof shown === 'string' ? redactText(shown) : shown)}`);
  }
  let line = redactText(parts.join(' '));
  if (line.length > MAX_LINE_CHARS) line = `${line.slice(0, MAX_LINE_CHARS)}…`;
  return `${line}\n`;
}

function fieldValue(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  return value === '' || /[\s"'=\\]/.test(value) ? JSON.stringify(value) : value;
}
