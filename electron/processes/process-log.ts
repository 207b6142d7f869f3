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
import { open as openCallback, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';

const openFd = promisify(openCallback);

export const DEFAULT_KEEP = 5;
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** `fromStart: false` shows the end of a long log, not all of it. */
const TAIL_BYTES = 64 * 1024;
const READ_CHUNK = 256 * 1024;
const FINGERPRINT_BYTES = 64;

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

/** Which file this is: another inode (or, where there is none, another birth time) is another file. */
const identity = (s: Stats): string => `${s.dev}:${s.ino}:${s.ino === 0 ? s.birthtimeMs : 0}`;

/**
 * Follows a log file the child writes directly: reads new bytes (poll; no fs.watch, which misses
 * writes through another process's descriptor on some file systems), one UTF-8 decoder (characters
 * split across reads stay whole), lines split on \n, \r\n and a lone \r (progress bars), the last
 * `maxLines` kept. Survives truncation (size < offset → from 0) and replacement (another file → from
 * 0); copy-truncates past `maxBytes`.
 */
export class LogFollower {
  private readonly maxLines: number;
  private readonly pollMs: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private fromStart: boolean;
  private readonly kept: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private decoder = new StringDecoder('utf8');
  private partial = '';
  /** The last character read was a \r: a \n right after it ends no second line. */
  private afterCR = false;
  /** Started mid-file: the first (partial) line is dropped. */
  private skipFirst = false;
  private offset = 0;
  /** The last bytes read, ending at `offset`: a file rewritten under us no longer has them there. */
  private seen: Buffer = Buffer.alloc(0);
  private fileId: string | null = null;
  private bytes = 0;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly file: string,
    opts: LogFollowerOptions = {},
  ) {
    this.maxLines = opts.maxLines ?? 1_000;
    this.pollMs = opts.pollMs ?? 500;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.keep = opts.keep ?? DEFAULT_KEEP;
    this.fromStart = opts.fromStart ?? false;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.poll().finally(() => {
          if (this.running) tick();
        });
      }, this.pollMs);
      this.timer.unref(); // Following never keeps a CLI run alive.
    };
    void this.poll().finally(() => {
      if (this.running) tick();
    });
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The last `maxLines` complete lines (a line still being written is not one yet: see `flush`). */
  lines(): string[] {
    return this.kept.slice(-this.maxLines);
  }

  /** Bytes read so far: growth means the program printed something (even without a line end). */
  received(): number {
    return this.bytes;
  }

  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads whatever is new now (tests and the supervisor's exit path call it). */
  poll(): Promise<void> {
    this.queue = this.queue.then(() => this.readNew()).catch(() => undefined);
    return this.queue;
  }

  /** The program ended: a last line it printed without a line end counts as a line. */
  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.decoder = new StringDecoder('utf8');
    this.partial = '';
    if (rest) this.emit(rest);
  }

  private async readNew(): Promise<void> {
    let stat: Stats;
    try {
      stat = await fsp.stat(this.file);
    } catch (e) {
      if (!isMissing(e)) throw e;
      // Rotated away or not created yet: whatever appears next is new, and read whole.
      this.fromStart = true;
      return;
    }
    const id = identity(stat);
    if (this.fileId === null) {
      this.fileId = id;
      if (!this.fromStart && stat.size > TAIL_BYTES) {
        this.offset = stat.size - TAIL_BYTES;
        this.skipFirst = !(await this.lineStartsAt(this.offset));
      }
    } else if (id !== this.fileId || stat.size < this.offset || !(await this.sameBytesBefore())) {
      // Replaced, or truncated (a copy-truncate of another program, or by hand) — also when the
      // program wrote past our offset again before this look: the bytes we read last are not there.
      this.restart(id);
    }
    await this.readTo(this.file);
    if (this.offset > this.maxBytes) await this.copyTruncate();
  }

  /** Are the last bytes we read still where we read them? */
  private async sameBytesBefore(): Promise<boolean> {
    if (this.offset === 0 || this.seen.length === 0) return true;
    const handle = await fsp.open(this.file, 'r');
    try {
      const now = Buffer.alloc(this.seen.length);
      const { bytesRead } = await handle.read(now, 0, now.length, this.offset - this.seen.length);
      return bytesRead === now.length && now.equals(this.seen);
    } finally {
      await handle.close();
    }
  }

  /** Does a line begin at `offset` (the byte before it ends one)? */
  private async lineStartsAt(offset: number): Promise<boolean> {
    const handle = await fsp.open(this.file, 'r');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, offset - 1);
      return byte[0] === 0x0a || byte[0] === 0x0d;
    } finally {
      await handle.close();
    }
  }

  private restart(id: string): void {
    this.flush();
    this.fileId = id;
    this.offset = 0;
    this.seen = Buffer.alloc(0);
    this.afterCR = false;
  }

  /** Reads `file` from the offset to its end. */
  private async readTo(file: string): Promise<void> {
    const handle = await fsp.open(file, 'r');
    try {
      const buffer = Buffer.alloc(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.bytes += bytesRead;
        this.remember(buffer.subarray(0, bytesRead));
        this.take(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Keeps the log bounded while the program runs: copy to file.1 (older copies shifted), read what the
   * copy holds beyond our offset, truncate the original. Bytes the program writes between the copy and
   * the truncation are lost — the usual price of copytruncate, and the only way without the program's
   * help: Windows will not rename a file another process holds open.
   */
  private async copyTruncate(): Promise<void> {
    try {
      await shiftRotated(this.file, this.keep);
      await fsp.copyFile(this.file, `${this.file}.1`);
      await this.readTo(`${this.file}.1`);
      await fsp.truncate(this.file, 0);
      this.offset = 0;
      this.seen = Buffer.alloc(0);
    } catch {
      // Next poll tries again; the log only grows meanwhile.
    }
  }

  private remember(chunk: Buffer): void {
    // Copied (Buffer.concat copies too): the read buffer is reused.
    const joined = Buffer.concat([this.seen, chunk.subarray(Math.max(0, chunk.length - FINGERPRINT_BYTES))]);
    this.seen = joined.subarray(Math.max(0, joined.length - FINGERPRINT_BYTES));
  }

  private take(text: string): void {
    let start = 0;
    if (this.afterCR && text.startsWith('\n')) start = 1;
    this.afterCR = false;
    const ends = /\r\n|\r|\n/g;
    ends.lastIndex = start;
    for (let m = ends.exec(text); m; m = ends.exec(text)) {
      const line = this.partial + text.slice(start, m.index);
      this.partial = '';
      start = m.index + m[0].length;
      // A \r ending the chunk may be the first half of a \r\n split across reads.
      if (m[0] === '\r' && start === text.length) this.afterCR = true;
      this.emit(line);
    }
    this.partial += text.slice(start);
  }

  private emit(line: string): void {
    if (this.skipFirst) {
      this.skipFirst = false;
      return;
    }
    this.kept.push(line);
    if (this.kept.length > this.maxLines * 2) this.kept.splice(0, this.kept.length - this.maxLines);
    for (const listener of [...this.listeners]) listener(line);
  }
}
