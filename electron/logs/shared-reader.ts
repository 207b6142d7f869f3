/**
 * One open source shared by every view of it: a single reader (one container stream, one file
 * follower) feeding a ring buffer of numbered lines, and each subscriber's sink. A subscriber gets
 * the ring's newest `tail` lines (or those `since` a time), then every new line.
 *
 * A reader opened for fewer lines than a later subscriber asks for (the error badge follows the
 * plugin daemon from "now"; the viewer then wants its last 100,000 lines) reads the missing older lines
 * back from the source once — while the ring still holds every line since the open, unbroken, so the
 * older lines join it without a gap or a repeat. Sequence numbers start high enough to number them
 * below the first line.
 */
import type { TopicSink } from '../core/subscriptions';
import type { LogLine, LogMark } from './contract';
import { EntryGrouper } from './entry-grouper';
import { RingBuffer } from './ring-buffer';
import type { OpenSource, RawLogLine } from './source';

/** The most a ring may hold (the `logBufferLines` setting's bound): the room left below the first seq. */
export const MAX_RING_LINES = 1_000_000;

/**
 * The ring bounds lines, not bytes: a line is cut here so that a container printing megabyte lines
 * cannot make 100,000 lines cost gigabytes. 16 Ki characters is far beyond what a log row shows; the
 * cut says how much is missing.
 */
export const MAX_LINE_CHARS = 16_384;

/** How many lines of the ring are compared with the read-back's to find where they join. */
const SEAM_CHECK = 1000;

/**
 * How long after the reader's open its live stream is taken to be following. A read-back asked for
 * sooner, while the ring is still empty, waits for the first live line or this long: the engine may
 * start following later than the read-back reads, and a line printed between the two would be in
 * neither. This is the likely cause, found by reading, of a heartbeat missing once in CI (dockerd
 * 20.10) from a view opened just after the error badge began following plugin_daemon; it did not
 * happen again in later runs.
 */
export const READ_BACK_SETTLE_MS = 1000;

export interface LinesRequest {
  tail?: number;
  since?: number;
}

export interface SharedReaderOptions {
  open: OpenSource;
  capacity: number;
  /** The first subscriber's request: what the reader reads before following. */
  initial: LinesRequest;
  /** Whether two lines' times must agree for them to be the same line (container times do; a file's are read times). */
  timesAreStable: boolean;
  /** The reader ended or its last subscriber left: the owner forgets it. */
  onClosed(): void;
}

function cut(text: string): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  return `${text.slice(0, MAX_LINE_CHARS)} … (${text.length - MAX_LINE_CHARS} more characters)`;
}

/** Line numbering and entry grouping (a traceback's lines join its first) per stream. */
class LineMaker {
  private groupers = { out: new EntryGrouper(), err: new EntryGrouper() };

  constructor(public nextSeq: number) {}

  line(raw: RawLogLine): LogLine {
    const { level, cont } = this.groupers[raw.stream].next(raw.text);
    return { seq: this.nextSeq++, at: raw.at, stream: raw.stream, text: cut(raw.text), level, cont };
  }

  mark(mark: LogMark, detail: string): LogLine {
    // After a break the next line starts an entry of its own.
    this.groupers = { out: new EntryGrouper(), err: new EntryGrouper() };
    const at = Date.now();
    return { seq: this.nextSeq++, at, stream: 'out', text: detail, level: null, cont: false, mark };
  }
}

export class SharedReader {
  private ring: RingBuffer<LogLine>;
  private readonly maker = new LineMaker(MAX_RING_LINES);
  /** The seq of the oldest line the reader has (read-back lines lower it). */
  private firstSeq = MAX_RING_LINES;
  private readonly subscribers = new Set<TopicSink<LogLine>>();
  /** Subscribers waiting for the read-back, with what they asked for. */
  private readonly waiting = new Map<TopicSink<LogLine>, LinesRequest>();
  /** How many lines before the open the ring covers (the first request's tail; its whole source for none). */
  private covered: number;
  /** A mark came (the stream broke): the ring no longer continues the source's older lines seamlessly. */
  private broken = false;
  private readBack: { stop: () => void } | null = null;
  private readBackDone = false;
  /** When the reader opened its live stream (ms since the epoch). */
  private readonly openedAt = Date.now();
  /** A read-back waiting for the live stream's first line (see READ_BACK_SETTLE_MS). */
  private onFirstLines: (() => void) | null = null;
  private stopSource: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: SharedReaderOptions) {
    this.ring = new RingBuffer(options.capacity);
    const { tail, since } = options.initial;
    // More than the ring holds would be read only to be dropped.
    const initialTail = Math.min(tail ?? options.capacity, options.capacity);
    this.covered = since !== undefined ? 0 : initialTail;
    const stop = options.open(
      { follow: true, tail: since !== undefined ? undefined : initialTail, since },
      {
        lines: (raw) => this.take(raw.map((l) => this.maker.line(l))),
        mark: (mark, detail) => {
          this.broken = true;
          this.take([this.maker.mark(mark, detail)]);
        },
        end: () => this.close(),
      },
    );
    // The source may have ended inside open(), before its stop was known.
    if (this.closed) stop();
    else this.stopSource = stop;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get subscriberCount(): number {
    return this.subscribers.size + this.waiting.size;
  }

  /** A new capacity (the setting changed): the newest lines that fit stay. */
  resize(capacity: number): void {
    this.ring.resize(capacity);
  }

  /** Adds a subscriber: its backlog (after a read-back when the ring has too little), then live lines. */
  attach(request: LinesRequest, sink: TopicSink<LogLine>): () => void {
    if (this.closed) {
      sink.end();
      return () => undefined;
    }
    if (this.readBack && !this.readBackDone) this.waiting.set(sink, request);
    else if (this.needsReadBack(request)) {
      this.waiting.set(sink, request);
      this.scheduleReadBack(Math.min(request.tail ?? this.ring.capacity, this.ring.capacity));
    } else {
      sink.pushMany(this.backlog(request));
      this.subscribers.add(sink);
    }
    return () => this.detach(sink);
  }

  /** Stops reading and ends every subscriber. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopSource?.();
    this.readBack?.stop();
    for (const sink of [...this.subscribers, ...this.waiting.keys()]) sink.end();
    this.subscribers.clear();
    this.waiting.clear();
    this.options.onClosed();
  }

  private detach(sink: TopicSink<LogLine>): void {
    this.subscribers.delete(sink);
    this.waiting.delete(sink);
    if (this.subscriberCount === 0) this.close();
  }

  private take(lines: LogLine[]): void {
    if (this.closed || lines.length === 0) return;
    this.ring.pushMany(lines);
    for (const sink of this.subscribers) sink.pushMany(lines);
    if (this.onFirstLines && lines.some((l) => !l.mark)) this.onFirstLines();
  }

  /** The ring holds every line since the open, and the source has older ones the request wants. */
  private needsReadBack(request: LinesRequest): boolean {
    if (this.readBackDone || this.broken || this.ring.dropped > 0 || request.since !== undefined)
      return false;
    const wanted = Math.min(request.tail ?? this.ring.capacity, this.ring.capacity);
    return wanted > this.covered && wanted > this.ring.size;
  }

  private backlog(request: LinesRequest): LogLine[] {
    if (request.since !== undefined) {
      const since = request.since;
      return this.ring.toArray().filter((l) => l.at === null || l.at >= since);
    }
    const tail = request.tail ?? this.ring.capacity;
    const lines = this.ring.last(tail);
    const first = lines[0];
    // Asked for more than is kept, and the ring let some go: say so where the kept lines begin.
    if (first && tail > lines.length && this.ring.dropped > 0) {
      const dropped: LogLine = {
        seq: first.seq - 1,
        at: first.at,
        stream: 'out',
        text: String(this.ring.dropped),
        level: null,
        cont: false,
        mark: 'dropped',
      };
      return [dropped, ...lines];
    }
    return lines;
  }

  /** The read-back now, or once the live stream is surely following (READ_BACK_SETTLE_MS). */
  private scheduleReadBack(tail: number): void {
    const wait = this.ring.size === 0 ? this.openedAt + READ_BACK_SETTLE_MS - Date.now() : 0;
    if (wait <= 0) return this.startReadBack(tail);
    const go = (): void => {
      clearTimeout(timer);
      this.onFirstLines = null;
      if (this.closed) return;
      // The stream broke meanwhile: older lines would be another container's; the ring is all there is.
      if (this.broken) return this.readBackFinished();
      this.startReadBack(tail);
    };
    const timer = setTimeout(go, wait);
    this.onFirstLines = go;
    this.readBack = {
      stop: () => {
        clearTimeout(timer);
        this.onFirstLines = null;
      },
    };
  }

  /** Every view waiting for the read-back gets its backlog and then live lines. */
  private readBackFinished(): void {
    this.readBackDone = true;
    for (const [sink, request] of this.waiting) {
      sink.pushMany(this.backlog(request));
      this.subscribers.add(sink);
    }
    this.waiting.clear();
  }

  private startReadBack(tail: number): void {
    const older: RawLogLine[] = [];
    const before = this.ring.size;
    const finish = (): void => {
      if (this.closed || this.readBackDone) return;
      this.joinOlder(older, before);
      this.readBackFinished();
    };
    let stopped = false;
    const stop = this.options.open(
      { follow: false, tail },
      {
        lines: (raw) => {
          for (const line of raw) older.push(line);
        },
        mark: () => undefined,
        end: () => {
          stopped = true;
          // Asynchronously: the source may end inside open(), before `stop` is known.
          queueMicrotask(finish);
        },
      },
    );
    this.readBack = {
      stop: () => {
        if (!stopped) stop();
      },
    };
  }

  /** Puts the read-back's lines that come before the ring's first line in front of it. */
  private joinOlder(read: RawLogLine[], before: number): void {
    this.covered = Math.max(this.covered, read.length);
    // Lines left the ring, or the stream broke, meanwhile: the seam cannot be found safely.
    if (this.ring.dropped > 0) return;
    const ring = this.ring.toArray();
    const olderCount = this.seamIndex(read, ring, before);
    if (olderCount <= 0) return;
    const room = Math.min(this.ring.capacity - ring.length, this.firstSeq);
    const older = read.slice(Math.max(0, olderCount - room), olderCount);
    if (older.length === 0) return;
    const maker = new LineMaker(this.firstSeq - older.length);
    const lines = older.map((l) => maker.line(l));
    this.firstSeq -= lines.length;
    const joined = new RingBuffer<LogLine>(this.ring.capacity);
    joined.pushMany(lines);
    joined.pushMany(ring);
    this.ring = joined;
  }

  /**
   * How many of the read-back's lines come before the ring's first line: where the ring's lines begin
   * in it. The read-back was taken after the ring's first `before` lines arrived, so they are all in
   * it: the place is at most `read.length - before` (lines printed meanwhile may follow them there).
   * Looking down from that bound, the first place where the read-back's lines equal the ring's for as
   * far as both go (up to SEAM_CHECK lines) is taken: a few equal lines in a row may repeat in a log,
   * a long run does not. With nothing in the ring, every line read is older; -1 when not found.
   */
  private seamIndex(read: readonly RawLogLine[], ring: readonly LogLine[], before: number): number {
    const raw = ring.filter((l) => !l.mark);
    if (raw.length === 0) return read.length;
    const same = (a: RawLogLine, b: LogLine): boolean =>
      a.stream === b.stream &&
      // The ring's text may be cut; the source's is whole.
      cut(a.text) === b.text &&
      (!this.options.timesAreStable || a.at === b.at);
    const matchesAt = (j: number): boolean => {
      const overlap = Math.min(read.length - j, raw.length, SEAM_CHECK);
      for (let k = 0; k < overlap; k++) if (!same(read[j + k] as RawLogLine, raw[k] as LogLine)) return false;
      return true;
    };
    for (let j = Math.min(read.length - Math.max(before, 1), read.length - 1); j >= 0; j--) {
      if (matchesAt(j)) return j;
    }
    // The ring was empty when the read-back began: its lines may all be newer than what was read.
    return before === 0 ? read.length : -1;
  }
}
