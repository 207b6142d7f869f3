/**
 * Follows a log file another process writes: a supervised program's output file (processes), Ollama's
 * server.log, a plugin's debug run (the log viewer). One implementation for all of them.
 *
 * It polls (no fs.watch, which misses writes through another process's descriptor on some file
 * systems) and opens the file for each look instead of holding it: a held handle would keep Windows
 * from renaming the file when its owner rotates it. One UTF-8 decoder (characters split across reads
 * stay whole); lines end at \n, \r\n or a lone \r (progress bars).
 *
 * What happens to the file under it: truncated (size < offset, or the bytes last read are no longer
 * where they were) → read again from 0; replaced (another inode at the path, e.g. after a rotation by
 * rename) → the rest of the old file is read from where the rotation put it (`rotatedNames`), then the
 * new one from 0; missing → looked for again at each poll, read whole when it appears. Optionally the
 * follower itself keeps the file bounded by copy-truncating it (processes' own logs).
 */
import { promises as fsp, type Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Where reading begins: the first byte, the last N lines (the file read backwards), or about the last N bytes. */
export type FollowStart = 'start' | { lines: number } | { bytes: number };

export type FollowEvent =
  /** The file is not there (once per absence). */
  | 'missing'
  /** The file was truncated (or rewritten shorter): reading starts again at 0. */
  | 'truncated'
  /** Another file is at the path (rotated by rename, or a new file after an absence): read from 0. */
  | 'replaced';

export interface FileFollowerSink {
  /** Complete lines, in order, a batch per chunk read. */
  lines(lines: string[]): void;
  event?(event: FollowEvent): void;
  /** A look failed (not for a missing file: that is `missing`); the next poll tries again. */
  error?(error: unknown): void;
}

export interface FileFollowerOptions {
  /** How often `start()` looks for new bytes (default 500 ms). */
  pollMs?: number;
  /** Where to begin in a file that is there at the first look (default 'start'). */
  from?: FollowStart;
  /** Where a rotation renames the file (Ollama: server-1.log): the lines the old file got after the last look are read there. */
  rotatedNames?: readonly string[];
  /**
   * Keep the file under `maxBytes` by copy-truncating it: `makeRoom` frees the copy's name (shifting
   * older copies) and returns it.
   */
  copyTruncate?: { maxBytes: number; makeRoom(): Promise<string> };
}

const READ_CHUNK = 256 * 1024;
const BACKWARD_BLOCK = 64 * 1024;
const FINGERPRINT_BYTES = 64;
const LF = 0x0a;
const CR = 0x0d;

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** Which file this is: another inode (or, where there is none, another birth time) is another file. */
const identity = (s: Stats): string => `${s.dev}:${s.ino}:${s.ino === 0 ? s.birthtimeMs : 0}`;

export class FileFollower {
  private readonly pollMs: number;
  private from: FollowStart;
  private decoder = new StringDecoder('utf8');
  private partial = '';
  /** The last character read was a \r: a \n right after it ends no second line. */
  private afterCR = false;
  /** Started mid-line (`from: {bytes}`): the first, cut line is dropped. */
  private skipFirst = false;
  private offset = 0;
  /** The last bytes read, ending at `offset`: a file rewritten under us no longer has them there. */
  private seen: Buffer = Buffer.alloc(0);
  private fileId: string | null = null;
  private absent = false;
  private bytes = 0;
  private batch: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly file: string,
    private readonly sink: FileFollowerSink,
    private readonly opts: FileFollowerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.from = opts.from ?? 'start';
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

  /** Bytes read so far: growth means the program printed something (even without a line end). */
  received(): number {
    return this.bytes;
  }

  /** Reads whatever is new now (tests and the supervisor's exit path call it). */
  poll(): Promise<void> {
    this.queue = this.queue
      .then(() => this.readNew())
      .catch((error: unknown) => {
        this.deliver();
        this.sink.error?.(error);
      });
    return this.queue;
  }

  /** The writer ended: a last line it printed without a line end counts as a line. */
  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.decoder = new StringDecoder('utf8');
    this.partial = '';
    if (rest) this.emit(rest);
    this.deliver();
  }

  private async readNew(): Promise<void> {
    let stat: Stats;
    try {
      stat = await fsp.stat(this.file);
    } catch (e) {
      if (!isMissing(e)) throw e;
      if (!this.absent) {
        this.absent = true;
        // Rotated away and not recreated yet: the old file's last lines are where it went.
        if (this.fileId !== null) await this.drainRotated(this.fileId);
        this.sink.event?.('missing');
      }
      // Whatever appears next is new, and read whole.
      this.from = 'start';
      return;
    }
    this.absent = false;
    const id = identity(stat);
    if (this.fileId === null) {
      this.fileId = id;
      await this.position(stat.size);
    } else if (id !== this.fileId) {
      await this.drainRotated(this.fileId);
      this.restart(id, 'replaced');
    } else if (stat.size < this.offset || !(await this.sameBytesBefore())) {
      // Truncated (a copy-truncate of another program, or by hand) — also when the program wrote past
      // our offset again before this look: the bytes we read last are not there.
      this.restart(id, 'truncated');
    }
    await this.readTo(this.file);
    const limit = this.opts.copyTruncate;
    if (limit && this.offset > limit.maxBytes) await this.copyTruncate(limit.makeRoom);
    this.deliver();
  }

  /** The first look: where `from` says reading begins. */
  private async position(size: number): Promise<void> {
    const from = this.from;
    if (from === 'start') return;
    if ('bytes' in from) {
      if (size <= from.bytes) return;
      this.offset = size - from.bytes;
      this.skipFirst = !(await this.lineStartsAt(this.offset));
      return;
    }
    this.offset = await this.startOfLastLines(size, from.lines);
  }

  /**
   * The offset of the first of the last `count` lines, read backwards in blocks (never the whole
   * file): just past the (count+1)-th line end from the end. A last line without its end yet is not
   * counted: it comes on top, as the line being written.
   */
  private async startOfLastLines(size: number, count: number): Promise<number> {
    const handle = await fsp.open(this.file, 'r');
    try {
      const block = Buffer.alloc(BACKWARD_BLOCK);
      let ends = 0;
      // The byte after the one looked at (in file order), to tell \r\n from a lone \r.
      let next = -1;
      for (let end = size; end > 0;) {
        const start = Math.max(0, end - BACKWARD_BLOCK);
        const { bytesRead } = await handle.read(block, 0, end - start, start);
        for (let i = bytesRead - 1; i >= 0; i--) {
          const byte = block[i] as number;
          if ((byte === LF || (byte === CR && next !== LF)) && ++ends > count) return start + i + 1;
          next = byte;
        }
        end = start;
      }
      return 0;
    } finally {
      await handle.close();
    }
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
      return byte[0] === LF || byte[0] === CR;
    } finally {
      await handle.close();
    }
  }

  /** The old file was renamed to one of `rotatedNames`: read what it got after our last look. */
  private async drainRotated(oldId: string): Promise<void> {
    for (const name of this.opts.rotatedNames ?? []) {
      const stat = await fsp.stat(name).catch(() => null);
      if (stat && identity(stat) === oldId) {
        if (stat.size > this.offset) await this.readTo(name);
        return;
      }
    }
  }

  private restart(id: string, why: 'replaced' | 'truncated'): void {
    this.flush();
    this.fileId = id;
    this.offset = 0;
    this.seen = Buffer.alloc(0);
    this.afterCR = false;
    this.skipFirst = false;
    this.sink.event?.(why);
  }

  /** Reads `file` from the offset to its end, handing over the lines of each chunk. */
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
        this.deliver();
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Keeps the file bounded while its writer runs: copy it, read what the copy holds beyond our
   * offset, truncate the original. Bytes written between the copy and the truncation are lost — the
   * usual price of copytruncate, and the only way without the writer's help: Windows will not rename
   * a file another process holds open.
   */
  private async copyTruncate(makeRoom: () => Promise<string>): Promise<void> {
    try {
      const copy = await makeRoom();
      await fsp.copyFile(this.file, copy);
      await this.readTo(copy);
      await fsp.truncate(this.file, 0);
      this.offset = 0;
      this.seen = Buffer.alloc(0);
    } catch {
      // Next poll tries again; the file only grows meanwhile.
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
    this.batch.push(line);
  }

  private deliver(): void {
    if (this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    this.sink.lines(lines);
  }
}
