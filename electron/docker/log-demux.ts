/**
 * Turns the bytes of a container's log stream into lines, incrementally: chunks may split a frame
 * header, a timestamp or a UTF-8 character anywhere.
 *
 * A non-TTY container's stream is multiplexed: each frame is an 8-byte header (stream type 1 stdout,
 * 2 stderr, 0 stdin — shown as stdout, 3 the engine's own error; three zero bytes; the payload length
 * as big-endian uint32) and its payload. A TTY container's stream is the raw bytes, all stdout.
 *
 * Why not `docker.modem.demuxStream` (what facts.md first suggests): it splits the stream into two
 * Node streams, and a reader of two streams can no longer tell whether a stderr line came before or
 * after a stdout line — a traceback and the line that caused it would swap places. Here lines come
 * out in the order the frames came in.
 *
 * With `timestamps`, the engine writes one frame per log message and starts each with its time. A line
 * longer than the log driver's 16 KB message limit arrives as several messages (the json-file driver's
 * "partial" messages), each with its own timestamp, and the cut may fall inside a UTF-8 character: so
 * the timestamp is taken off each frame's bytes before they reach the stream's decoder, and the line
 * keeps the time of its first message.
 */
import { StringDecoder } from 'node:string_decoder';
import { engineTimestampMs } from './engine-timestamp';

export type LogStreamName = 'out' | 'err';

/** One line as the container printed it. */
export interface DemuxedLogLine {
  stream: LogStreamName;
  /** The engine's timestamp in ms since the epoch; null without timestamps. */
  at: number | null;
  text: string;
  /** The engine's timestamp as it sent it (to the nanosecond), '' without one. */
  ts: string;
}

export interface LogDemuxOptions {
  /** The container has a TTY (`Config.Tty`): the stream is raw bytes, no frames, all stdout. */
  tty: boolean;
  /** The request asked for `timestamps`: every message starts with "<RFC3339Nano> ". */
  timestamps: boolean;
  /** A line is cut after this many characters, so output that never ends a line cannot grow memory without bound. */
  maxLineLength?: number;
}

const HEADER_BYTES = 8;
/** The longest timestamp looked for, with its space: "2026-12-03T06:45:05.472780960+09:00 " is 36. */
const MAX_TIMESTAMP_BYTES = 40;
/** Docker's own form, "2026-12-03T06:45:05.472780960Z" (RFC3339NanoFixed): looked for first. */
const ENGINE_TIMESTAMP_BYTES = 30;
const DEFAULT_MAX_LINE = 1 << 20;
const LF = 0x0a;
const CR = 13;
const SPACE = 0x20;
const FIRST_NON_ASCII = 0x80;

/** Splits a line that starts with "<timestamp> " (a TTY stream's lines) into its time and text. */
function splitTimestamp(line: string): { ts: string; at: number | null; text: string } {
  const space = line.indexOf(' ');
  if (space > 0 && space < MAX_TIMESTAMP_BYTES) {
    const ts = line.slice(0, space);
    const at = engineTimestampMs(ts);
    if (at !== null) return { ts, at, text: line.slice(space + 1) };
  }
  return { ts: '', at: null, text: line };
}

/** The lines of one stream (stdout or stderr): its own UTF-8 decoder and its unfinished line. */
class StreamLines {
  private readonly decoder = new StringDecoder('utf8');
  /** The decoder may hold the first bytes of a character (the last byte fed was not ASCII). */
  private held = false;
  private pending = '';
  /** Bytes of an unfinished line were fed (text in `pending`, or bytes held by the decoder). */
  private open = false;
  /** Time of the unfinished line's first message. */
  private ts = '';
  private at: number | null = null;
  /** When the unfinished line started, among both streams' lines, so the end flushes them in order. */
  startOrder = 0;

  constructor(
    private readonly name: LogStreamName,
    /** A TTY stream (or bytes that were not frames): the timestamps start each line of the text. */
    public timestampsInText: boolean,
    private readonly maxLine: number,
  ) {}

  /** Bytes [start, end) of `buf`, from a message with this time (ts '' when none). */
  feed(
    buf: Buffer,
    start: number,
    end: number,
    ts: string,
    at: number | null,
    order: number,
    out: DemuxedLogLine[],
  ): void {
    if (start >= end) return;
    const last = buf[end - 1] as number;
    if (last === LF && !this.open && !this.held && buf.indexOf(LF, start) === end - 1) {
      // The usual message: exactly one whole line (the engine writes a frame per line). Decoded without
      // its "\n", it is the line's text itself, not a slice keeping the decoded message alive.
      this.ts = ts;
      this.at = at;
      this.emit(buf.toString('utf8', start, end - 1), out);
      return;
    }
    // The decoder is needed only when a character may be split across feeds; most messages are ASCII-
    // terminated lines, decoded straight from the chunk without making a sub-buffer for the decoder.
    const text =
      !this.held && last < FIRST_NON_ASCII
        ? buf.toString('utf8', start, end)
        : this.decoder.write(buf.subarray(start, end));
    this.held = last >= FIRST_NON_ASCII;
    if (!this.open) {
      this.ts = ts;
      this.at = at;
      this.startOrder = order;
    }
    let from = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const piece = text.slice(from, nl);
      this.emit(this.pending ? this.pending + piece : piece, out);
      this.pending = '';
      this.ts = ts;
      this.at = at;
      this.startOrder = order;
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    if (from < text.length) this.pending += from ? text.slice(from) : text;
    this.open = last !== LF;
    if (this.pending.length > this.maxLine) {
      // Cut, not dropped: the rest follows as the next line, with the same time.
      this.emit(this.pending, out);
      this.pending = '';
    }
  }

  /** The stream ended: its unfinished line (and any bytes of an unfinished character) as a line. */
  flush(out: DemuxedLogLine[]): void {
    if (this.held) this.pending += this.decoder.end();
    this.held = false;
    if (this.pending) this.emit(this.pending, out);
    this.pending = '';
    this.open = false;
  }

  private emit(line: string, out: DemuxedLogLine[]): void {
    // "\r\n" endings (Windows programs, a TTY's output): the "\r" may have come in an earlier feed.
    const text = line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
    if (this.timestampsInText) out.push({ stream: this.name, ...splitTimestamp(text) });
    else out.push({ stream: this.name, at: this.at, text, ts: this.ts });
  }
}

/**
 * Feed it the stream's chunks in order (`push`), then `end()`; each returns the lines completed by
 * then, in the order the container printed them.
 */
export class LogDemuxer {
  private readonly out: StreamLines;
  private readonly err: StreamLines;
  /** No frames (a TTY container, or bytes that turned out not to be frames): everything is stdout. */
  private raw: boolean;
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  /** Where the current frame's payload goes; null for the engine's error frame (type 3). */
  private target: StreamLines | null = null;
  private readonly timestamps: boolean;
  /** The current frame's timestamp is still to be read (a timestamps request). */
  private wantTimestamp = false;
  private readonly stamp = Buffer.alloc(MAX_TIMESTAMP_BYTES);
  private stampFill = 0;
  private frameTs = '';
  private frameAt: number | null = null;
  private frames = 0;
  private errorBytes: Buffer[] = [];
  /** What the engine reported inside the stream (a type-3 frame), e.g. the log driver failing. */
  engineError: string | null = null;

  constructor(options: LogDemuxOptions) {
    const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
    this.raw = options.tty;
    this.timestamps = options.timestamps;
    this.out = new StreamLines('out', options.tty && options.timestamps, maxLine);
    this.err = new StreamLines('err', false, maxLine);
  }

  /**
   * The next bytes of the stream: `chunk[start, end)` (the whole chunk by default). Completed lines are
   * appended to `out` (a new array by default), which is returned — so a caller holding one chunk of a
   * chunked HTTP body in several pieces gathers their lines in one array without copying the bytes.
   */
  push(chunk: Buffer, start = 0, end: number = chunk.length, out: DemuxedLogLine[] = []): DemuxedLogLine[] {
    const n = end;
    let i = start;
    while (i < n) {
      if (this.raw) {
        this.out.feed(chunk, i, n, '', null, this.frames, out);
        break;
      }
      if (this.remaining === 0) {
        i = this.readHeader(chunk, i, n, out);
        continue;
      }
      const stop = i + Math.min(this.remaining, n - i);
      const frameEnds = stop - i === this.remaining;
      this.remaining -= stop - i;
      if (this.target === null) {
        this.keepEngineError(chunk, i, stop, frameEnds);
      } else {
        const from = this.wantTimestamp ? this.readTimestamp(chunk, i, stop, frameEnds, out) : i;
        this.target.feed(chunk, from, stop, this.frameTs, this.frameAt, this.frames, out);
      }
      i = stop;
    }
    return out;
  }

  end(): DemuxedLogLine[] {
    const out: DemuxedLogLine[] = [];
    // A frame cut short: a timestamp's bytes without their end may be text after all.
    if (this.stampFill > 0 && this.target) this.feedStamp(out);
    const [first, second] =
      this.out.startOrder <= this.err.startOrder ? [this.out, this.err] : [this.err, this.out];
    first.flush(out);
    second.flush(out);
    return out;
  }

  /** Reads (the rest of) a frame header from `chunk[i, n)`; returns where reading goes on. */
  private readHeader(chunk: Buffer, i: number, n: number, out: DemuxedLogLine[]): number {
    let header: Buffer;
    let at: number;
    if (this.headerFill === 0 && n - i >= HEADER_BYTES) {
      header = chunk;
      at = i;
      i += HEADER_BYTES;
    } else {
      const take = Math.min(HEADER_BYTES - this.headerFill, n - i);
      chunk.copy(this.header, this.headerFill, i, i + take);
      this.headerFill += take;
      i += take;
      if (this.headerFill < HEADER_BYTES) return i;
      header = this.header;
      at = 0;
    }
    this.headerFill = 0;
    const type = header[at] as number;
    if (type > 3 || header[at + 1] !== 0 || header[at + 2] !== 0 || header[at + 3] !== 0) {
      // Not a frame header: the engine sent raw bytes after all (a TTY we were not told of, or a
      // proxy that demultiplexed already). Read everything from here on as text, these bytes first.
      this.raw = true;
      this.out.timestampsInText = this.timestamps;
      if (header === chunk) return at;
      this.out.feed(header, 0, HEADER_BYTES, '', null, this.frames, out);
      return i;
    }
    this.remaining = header.readUInt32BE(at + 4);
    this.target = type === 2 ? this.err : type === 3 ? null : this.out;
    this.wantTimestamp = this.timestamps && this.target !== null;
    this.stampFill = 0;
    this.frameTs = '';
    this.frameAt = null;
    this.frames++;
    return i;
  }

  /**
   * Takes the "<timestamp> " off the start of the frame's payload [i, end); returns where the text
   * starts. The timestamp may be split across chunks: its first bytes wait in `stamp`.
   */
  private readTimestamp(
    chunk: Buffer,
    i: number,
    end: number,
    frameEnds: boolean,
    out: DemuxedLogLine[],
  ): number {
    if (
      this.stampFill === 0 &&
      i + ENGINE_TIMESTAMP_BYTES < end &&
      chunk[i + ENGINE_TIMESTAMP_BYTES] === SPACE
    ) {
      // Docker's fixed-width form: no search. (Any other form, or a space there by chance, is searched.)
      const ts = chunk.toString('latin1', i, i + ENGINE_TIMESTAMP_BYTES);
      const at = engineTimestampMs(ts);
      if (at !== null) {
        this.wantTimestamp = false;
        this.frameTs = ts;
        this.frameAt = at;
        return i + ENGINE_TIMESTAMP_BYTES + 1;
      }
    }
    const stop = Math.min(end, i + MAX_TIMESTAMP_BYTES - this.stampFill);
    let space = -1;
    for (let k = i; k < stop; k++) {
      if (chunk[k] === SPACE) {
        space = k;
        break;
      }
    }
    if (space === -1) {
      if (stop === end && !frameEnds) {
        chunk.copy(this.stamp, this.stampFill, i, end);
        this.stampFill += end - i;
        return end;
      }
      // No timestamp within reach: these bytes are text.
      this.wantTimestamp = false;
      if (this.stampFill > 0) this.feedStamp(out);
      return i;
    }
    const ts =
      this.stampFill === 0
        ? chunk.toString('latin1', i, space)
        : this.stamp.toString('latin1', 0, this.stampFill) + chunk.toString('latin1', i, space);
    const at = engineTimestampMs(ts);
    this.wantTimestamp = false;
    if (at === null) {
      if (this.stampFill > 0) this.feedStamp(out);
      return i;
    }
    this.stampFill = 0;
    this.frameTs = ts;
    this.frameAt = at;
    return space + 1;
  }

  /** The bytes kept as a possible timestamp turned out to be text. */
  private feedStamp(out: DemuxedLogLine[]): void {
    const fill = this.stampFill;
    this.stampFill = 0;
    this.target?.feed(this.stamp, 0, fill, '', null, this.frames, out);
  }

  private keepEngineError(chunk: Buffer, i: number, end: number, frameEnds: boolean): void {
    // Bounded: the message matters, not a runaway payload.
    if (this.errorBytes.reduce((sum, b) => sum + b.length, 0) < 64 * 1024) {
      this.errorBytes.push(Buffer.from(chunk.subarray(i, end)));
    }
    if (frameEnds) {
      this.engineError = Buffer.concat(this.errorBytes).toString('utf8').trim();
      this.errorBytes = [];
    }
  }
}
