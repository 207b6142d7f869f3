/**
 * Which lines of the plugin daemon's log are a new error for the badge — one count per failure the
 * user would look up, not one per line. Pure; fed the daemon's lines in order (test/unit/logs).
 *
 * What the daemon prints (github.com/langgenius/dify-plugin-daemon, read at 0.5.1, 0.5.3, 0.6.10):
 * - 0.5.3 and later (`pkg/utils/log`, slog): `<RFC3339Nano> <SEVERITY> dify-plugin-daemon <file:line>
 *   <message> key=value…`, one line per record; an ERROR record that carries an `error` is followed by
 *   its Go stack trace, unprefixed. LOG_OUTPUT_FORMAT=json prints the same fields as one JSON object.
 * - A plugin's stderr is relayed line by line (`local_runtime/instance.go` StartStderr), each as a WARN
 *   record `plugin stderr plugin=… instance=… message="<the line>"`: a Python traceback arrives as one
 *   daemon line per traceback line, its header among them. When the plugin then dies, the daemon logs
 *   `local runtime instance shutdown … instance_error="<the stderr tail>"` (WARN) and
 *   `local runtime start failed … error="plugin failed to start: <the stderr tail>"` (ERROR): the same
 *   traceback quoted again inside one line.
 * - Up to 0.5.2 (`[LEVEL]` prefixes after Go's `log` date and file): `[ERROR]plugin x: instance y
 *   failed: <stderr tail>`, a traceback's later lines printed after it unprefixed.
 * So a failing plugin gives one count for its relayed traceback and one for the daemon's ERROR line
 * about it; the quoted copies inside WARN/ERROR lines add nothing. A daemon line is judged by the
 * severity the daemon gave it (its `level`); what the daemon did not print itself — a relayed line's
 * message, a Go panic, output without a prefix — by its words: a traceback's header (counted once for
 * the whole traceback, chained exceptions included), `exited with error`, `ImportError`,
 * `ModuleNotFoundError`, `panic:`.
 */
import type { LogLevel } from '../core/contract';
import { relayedStderr } from './daemon-relay';

/** What the counter reads of a line (a `LogLine` of the log service). */
export interface CountedLine {
  stream: 'out' | 'err';
  text: string;
  level: LogLevel | null;
  /** Continues the previous line's entry (never a new error, but it moves the traceback state on). */
  cont: boolean;
}

const TRACEBACK_HEADER = /(?:^|\s)(?:\+ )?(?:Exception Group )?Traceback \(most recent call last\):\s*$/;
const CHAIN_LINE =
  /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const ERROR_WORDS = /exited with error|\b(?:ImportError|ModuleNotFoundError)\b|(?:^|\s)panic: /;
/** A record the daemon printed itself in its text form: `<time> <SEVERITY> dify-plugin-daemon …`. */
const DAEMON_TEXT_RECORD = /^\S+ (?:DEBUG|INFO|WARN|ERROR) dify-plugin-daemon /;
const DAEMON_SERVICE = '"service":"dify-plugin-daemon"';
/** Up to 0.5.2 the daemon coloured each record (`\x1b[31m[ERROR]…\x1b[0m`, the reset on its last line). */
// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\x1b\[[0-9;]*m/g;

/**
 * The part of a line that was not printed by the daemon itself — a relayed stderr line's message (with
 * its plugin instance), or the whole line when it is not a daemon record (old-format continuations,
 * panics, raw output) — or null for a daemon record of its own, whose severity says what it is.
 */
export function foreignText(text: string): { text: string; instance: string | null } | null {
  const relayed = relayedStderr(text);
  if (relayed) return { text: relayed.text, instance: relayed.instance };
  return DAEMON_TEXT_RECORD.test(text) || isDaemonJsonRecord(text) ? null : { text, instance: null };
}

/** LOG_OUTPUT_FORMAT=json: one object per record, `"service":"dify-plugin-daemon"` among its fields. */
function isDaemonJsonRecord(text: string): boolean {
  if (!text.startsWith('{') || !text.includes(DAEMON_SERVICE)) return false;
  try {
    const record: unknown = JSON.parse(text);
    return (
      typeof record === 'object' &&
      record !== null &&
      (record as { service?: unknown }).service === 'dify-plugin-daemon'
    );
  } catch {
    return false;
  }
}

interface TracebackState {
  /** Inside a traceback that was counted (or belongs to a counted line): its lines add nothing. */
  inTraceback: boolean;
  /** A chaining line was seen: the next header continues the same traceback. */
  chained: boolean;
  /** The traceback's exception line just passed: a chaining line may still follow. */
  afterException: boolean;
}

/** Tracebacks followed at once: one per stream, one per plugin instance whose stderr is relayed. */
const MAX_TRACEBACKS = 64;

export class DaemonErrorCounter {
  /**
   * Where each traceback is: per stream for output printed as is, per plugin instance for relayed
   * stderr (two plugins' tracebacks interleave, and the daemon's own records come between the lines).
   * Only tracebacks under way are kept.
   */
  private readonly tracebacks = new Map<string, TracebackState>();

  /** Forget tracebacks in progress (the stream broke: a new container starts clean). */
  reset(): void {
    this.tracebacks.clear();
  }

  /** Whether `line` is a new error; call for every line in order. */
  next(line: CountedLine): boolean {
    const text = line.text.includes('\x1b') ? line.text.replace(ANSI_SGR, '') : line.text;
    const foreign = foreignText(text);
    if (foreign === null) return !line.cont && line.level === 'error';
    const key = foreign.instance === null ? line.stream : `relay:${foreign.instance}`;
    const state = this.tracebacks.get(key) ?? { inTraceback: false, chained: false, afterException: false };
    try {
      if (continuesTraceback(state, foreign.text)) return false;
      // A header that no chaining line announced is another traceback, whatever the grouping says (the
      // same plugin failing again prints one right after the last one's exception line). An ERROR line
      // ending in a header (`[ERROR]… failed: Traceback…`) is counted once with its traceback.
      if (TRACEBACK_HEADER.test(foreign.text)) {
        state.inTraceback = true;
        return true;
      }
      return !line.cont && (line.level === 'error' || ERROR_WORDS.test(foreign.text));
    } finally {
      this.keep(key, state);
    }
  }

  private keep(key: string, state: TracebackState): void {
    this.tracebacks.delete(key);
    if (!state.inTraceback && !state.afterException) return;
    this.tracebacks.set(key, state);
    if (this.tracebacks.size > MAX_TRACEBACKS)
      this.tracebacks.delete(this.tracebacks.keys().next().value as string);
  }
}

/** Moves a traceback's state on by one line; true when the line belongs to a traceback already counted. */
function continuesTraceback(state: TracebackState, text: string): boolean {
  if (state.afterException) {
    // Python prints a blank line before the chaining line.
    if (text.trim() === '') return true;
    state.afterException = false;
    if (CHAIN_LINE.test(text.trim())) {
      state.inTraceback = true;
      state.chained = true;
      return true;
    }
  }
  if (!state.inTraceback) return false;
  if (text.trim() === '' || /^\s/.test(text)) return true;
  if (CHAIN_LINE.test(text.trim())) {
    state.chained = true;
    return true;
  }
  if (TRACEBACK_HEADER.test(text)) {
    if (state.chained) {
      state.chained = false;
      return true;
    }
    // A new traceback right after an unfinished one: counted on its own.
    state.inTraceback = false;
    return false;
  }
  // The first unindented line is the exception (`ModuleNotFoundError: …`): the traceback's last.
  state.inTraceback = false;
  state.chained = false;
  state.afterException = true;
  return true;
}
