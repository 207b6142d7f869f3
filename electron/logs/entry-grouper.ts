/**
 * Which lines of one stream form one entry: a Python traceback with its exception line, a Go panic
 * with its goroutines, a log record's indented continuation lines, AUTOMATIC1111's `*** Error` report.
 * The first line of an entry carries the entry's level; each following line is `cont` and takes that
 * level, so the level filter keeps or hides an entry whole and the error badge counts it once.
 *
 * One grouper per stream (stdout and stderr of a container interleave, each entry stays in its own),
 * fed every line in order. Stateful but bounded: an entry longer than MAX_ENTRY_LINES stops grouping,
 * and at most MAX_RELAYS plugin instances are followed through the daemon's relay at once.
 *
 * A line with its own header (a timestamp, a level in its format's place) starts a new entry, with one
 * exception its format defines: Postgres's DETAIL/HINT/STATEMENT lines belong to the message before.
 * Lines the plugin daemon relays from a plugin's stderr each carry the daemon's header; they are
 * grouped by the text after it, per plugin instance (daemon-relay.ts).
 */
import type { LogLevel } from '../core/contract';
import { relayedStderr } from './daemon-relay';
import { classifyLine, type LineClass } from './log-levels';

export interface EntryStep {
  level: LogLevel | null;
  /** The line continues the previous line's entry (and `level` is that entry's). */
  cont: boolean;
}

/** Past this many lines an entry is not a traceback any more but a stream that never ends one. */
export const MAX_ENTRY_LINES = 500;
/** Plugin instances whose relayed traceback is followed at once (a daemon runs a few dozen at most). */
const MAX_RELAYS = 64;

/**
 * What the open entry lets continue it:
 * - `record`: a log record: its indented lines; after an error or warning also a traceback or a Go
 *   stack that follows at once (`logger.exception`, the daemon's stack_trace);
 * - `traceback` / `group`: a Python traceback (chained ones included) / an exception group's;
 * - `go`: a Go panic or stack trace;
 * - `dump`: a record whose message spans lines until its colour is reset (the daemon ≤ 0.5.2 printed
 *   `[ERROR]plugin … exited with error: <the plugin's stderr>` in red, the reset after the last line),
 *   or until the next header when the colours were lost;
 * - `report`: AUTOMATIC1111's errors.report(): `*** ` lines, the indented traceback, then `---`.
 */
type Body = 'record' | 'traceback' | 'group' | 'go' | 'dump' | 'report';

interface OpenEntry {
  body: Body;
  level: LogLevel | null;
  lines: number;
  /** Indentation of the traceback's first line: its frames are deeper, its exception line at it. */
  base: number;
  /** The traceback's exception line was seen: only a chaining line continues it now. */
  afterException: boolean;
  /** `dump`: a colour is open, and its reset ends the entry. */
  colour: boolean;
  /**
   * The entry began with a record that has a header (`logger.exception`): in such a stream the next
   * record has one too, so the exception message's own further lines (psycopg2's `LINE 1: …`,
   * SQLAlchemy's `[SQL: …]`) continue the entry up to it. A bare traceback (A1111's output, which
   * has no headers) ends at its exception line.
   */
  headed: boolean;
}

interface StreamState {
  open: OpenEntry | null;
  /** The entry object last used, filled again for the next entry. */
  spare?: OpenEntry;
}

const CHAIN_LINES = new Set([
  'During handling of the above exception, another exception occurred:',
  'The above exception was the direct cause of the following exception:',
]);
const TRACEBACK_HEAD = 'Traceback (most recent call last):';
/** A Python exception line: the exception's qualified name, then its message (if any). */
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?::|$)/;
/** `github.com/x/y.(*T).Method(0x1, …)`, `main.main()`, `runtime/debug.Stack()`: a Go stack frame's function. */
const GO_FRAME = /^[\w\-./]+(?:\.\(\*?[\w\-.[\],]+\))?(?:\.[\w\-.[\]]+)*(?:\(.*\))?(?: \{.*\})?$/;
const GO_STACK_LINE =
  /^(?:goroutine \d+ |created by |\[signal |panic: |fatal error: |exit status \d+$|\.\.\.\d* ?(?:additional )?frames elided\.\.\.$)/;
const OLD_DAEMON_DUMP = 'exited with error';
const ESC = '\x1b';
const COLOUR_RESETS = [`${ESC}[0m`, `${ESC}[m`];

const indentOf = (text: string): number => {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
};

const isBlank = (text: string): boolean => indentOf(text) === text.length;

/** Does the line open a colour it does not reset (its last escape is not a reset)? */
function leavesColourOpen(text: string): boolean {
  const last = text.lastIndexOf(`${ESC}[`);
  return last >= 0 && !COLOUR_RESETS.some((reset) => text.startsWith(reset, last));
}

const resetsColour = (text: string): boolean => COLOUR_RESETS.some((reset) => text.includes(reset));

const looksLikeGoFrame = (text: string): boolean => text.includes('.') && GO_FRAME.test(text);

const seriousLevel = (level: LogLevel | null): boolean => level === 'error' || level === 'warn';

/** Every answer made once (a grouper runs on every line: no object per line). */
const STEPS = {
  error: [Object.freeze({ level: 'error', cont: false }), Object.freeze({ level: 'error', cont: true })],
  warn: [Object.freeze({ level: 'warn', cont: false }), Object.freeze({ level: 'warn', cont: true })],
  info: [Object.freeze({ level: 'info', cont: false }), Object.freeze({ level: 'info', cont: true })],
  debug: [Object.freeze({ level: 'debug', cont: false }), Object.freeze({ level: 'debug', cont: true })],
  none: [Object.freeze({ level: null, cont: false }), Object.freeze({ level: null, cont: true })],
} as const satisfies Record<LogLevel | 'none', readonly [EntryStep, EntryStep]>;

const stepOf = (level: LogLevel | null, cont: boolean): EntryStep => STEPS[level ?? 'none'][cont ? 1 : 0];

export class EntryGrouper {
  private readonly main: StreamState = { open: null };
  /** Per plugin instance, the entry its relayed stderr lines are in. */
  private readonly relays = new Map<string, StreamState>();
  /** The previous line was a relayed line of this instance, inside an entry. */
  private lastRelay: string | null = null;

  /** The line's level and whether it continues the entry of the line before it. */
  next(text: string): EntryStep {
    const relayed = relayedStderr(text);
    if (relayed) return this.relayedLine(relayed.instance, relayed.text, relayed.level);
    this.lastRelay = null;
    return step(this.main, text, null);
  }

  /** The stream broke (a new container, a truncated file): nothing continues across. */
  reset(): void {
    this.main.open = null;
    this.relays.clear();
    this.lastRelay = null;
  }

  private relayedLine(instance: string, inner: string, daemonLevel: LogLevel | null): EntryStep {
    // The daemon's record is an entry of the stream on its own; what continues is the plugin's text.
    this.main.open = null;
    const state = this.relays.get(instance) ?? { open: null };
    const continuing = this.lastRelay === instance && state.open !== null;
    // A relayed line without a level of its own has the daemon's (stderr lines are WARN records).
    const result = step(state, inner, daemonLevel);
    this.relays.delete(instance);
    if (state.open) {
      this.relays.set(instance, state);
      if (this.relays.size > MAX_RELAYS) this.relays.delete(this.relays.keys().next().value as string);
    }
    this.lastRelay = state.open ? instance : null;
    // Another line came between: the view cannot attach this one to its entry, so it starts a piece
    // of its own, at the entry's level.
    if (result.cont && !continuing) return stepOf(result.level, false);
    return result;
  }
}

/** One line through a stream's state: continues the open entry, or starts a new one. */
function step(state: StreamState, text: string, fallback: LogLevel | null): EntryStep {
  const open = state.open;
  let cls: LineClass | null = null;
  if (open && open.lines < MAX_ENTRY_LINES) {
    cls = continues(open, text);
    if (cls === null) {
      open.lines++;
      const level = open.level;
      if (open.body === 'dump' && open.colour && resetsColour(text)) state.open = null;
      else if (open.body === 'report' && text === '---') state.open = null;
      return stepOf(level, true);
    }
  }
  state.open = null;
  return start(state, text, cls ?? classifyLine(text), fallback);
}

/**
 * null when `text` continues `open` (moving its state on); otherwise the line's class, which the caller
 * needs for the entry it starts (classifying once).
 */
function continues(open: OpenEntry, text: string): LineClass | null {
  switch (open.body) {
    case 'traceback':
      return continuesTraceback(open, text);
    case 'group': {
      const trimmed = text.trimStart();
      if (isBlank(text) || trimmed.startsWith('|') || trimmed.startsWith('+')) return null;
      return CHAIN_LINES.has(trimmed) ? null : classifyLine(text);
    }
    case 'go':
      if (isBlank(text) || indentOf(text) > 0 || GO_STACK_LINE.test(text) || looksLikeGoFrame(text))
        return null;
      return classifyLine(text);
    case 'report':
      if (isBlank(text) || indentOf(text) > 0 || text.startsWith('*** ') || text === '---') return null;
      return classifyLine(text);
    case 'dump': {
      const cls = classifyLine(text);
      return cls.kind === 'headed' ? cls : null;
    }
    case 'record':
      return continuesRecord(open, text);
  }
}

function continuesRecord(open: OpenEntry, text: string): LineClass | null {
  const indent = indentOf(text);
  if (indent === text.length) return classifyLine(text); // blank
  if (indent > 0) return null;
  const cls = classifyLine(text);
  if (cls.kind === 'detail') return null;
  if (!seriousLevel(open.level)) return cls;
  // `logger.exception(…)`: the record, then its traceback, is one entry at the record's level.
  if (cls.kind === 'traceback') {
    open.body = 'traceback';
    open.base = 0;
    open.afterException = false;
    return null;
  }
  // A Go stack after an error: debug.Stack() in the message, or the daemon's stack_trace field.
  if (
    cls.kind === 'content' &&
    (text.startsWith('goroutine ') || (looksLikeGoFrame(text) && /[/(]/.test(text)))
  ) {
    open.body = 'go';
    return null;
  }
  return cls;
}

function continuesTraceback(open: OpenEntry, text: string): LineClass | null {
  if (isBlank(text)) return null;
  const indent = indentOf(text);
  if (indent > open.base) return null; // frames, code, carets; after the exception, its message's lines
  if (indent < open.base) return classifyLine(text);
  const rest = indent === 0 ? text : text.slice(indent);
  if (rest === TRACEBACK_HEAD || CHAIN_LINES.has(rest)) {
    open.afterException = false;
    return null;
  }
  if (!open.afterException && EXCEPTION_LINE.test(rest)) {
    open.afterException = true;
    return null;
  }
  const cls = classifyLine(text);
  return open.afterException && open.headed && cls.kind === 'content' ? null : cls;
}

function start(state: StreamState, text: string, cls: LineClass, fallback: LogLevel | null): EntryStep {
  const level = cls.level ?? fallback;
  switch (cls.kind) {
    case 'traceback':
      openEntry(state, 'traceback', level, cls, indentOf(text));
      break;
    case 'group-traceback':
      openEntry(state, 'group', level, cls, indentOf(text));
      break;
    case 'panic':
      openEntry(state, 'go', level, cls);
      break;
    case 'report':
      openEntry(state, 'report', level, cls);
      break;
    case 'headed':
    case 'detail': {
      const colour = text.includes(ESC) && leavesColourOpen(text);
      const dump = colour || (level === 'error' && text.includes(OLD_DAEMON_DUMP));
      openEntry(state, dump ? 'dump' : 'record', level, cls, 0, colour);
      break;
    }
    case 'content':
      // A plain line opens nothing; an error or warning by its shape keeps its indented lines.
      if (seriousLevel(level)) openEntry(state, 'record', level, cls);
      break;
  }
  return stepOf(level, false);
}

/** Opens an entry, reusing the stream's entry object (one per stream, not one per line). */
function openEntry(
  state: StreamState,
  body: Body,
  level: LogLevel | null,
  cls: LineClass,
  base = 0,
  colour = false,
): void {
  const entry = state.spare ?? {
    body,
    level,
    lines: 1,
    base,
    afterException: false,
    colour,
    headed: false,
  };
  entry.body = body;
  entry.level = level;
  entry.lines = 1;
  entry.base = base;
  entry.afterException = false;
  entry.colour = colour;
  entry.headed = cls.kind === 'headed';
  state.spare = entry;
  state.open = entry;
}
