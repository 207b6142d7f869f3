/**
 * A plugin's stderr as the plugin daemon relays it. From 0.5.3 the daemon reads a plugin's stderr line
 * by line and logs each as its own WARN record (local_runtime/instance.go StartStderr:
 * `log.Warn("plugin stderr", "plugin", id, "instance", id[:8], "message", line)`), which its handler
 * (pkg/utils/log/handler.go) prints as `<ts> WARN dify-plugin-daemon instance.go:326 plugin stderr
 * k=v…` — attributes in Go map order, a value with a space, tab, newline or quote Go-quoted
 * (strconv.Quote) — or, with LOG_OUTPUT_FORMAT=json, as one JSON object with them under `attributes`.
 * So a Python traceback arrives as one daemon record per traceback line, each with its own header.
 */
import type { LogLevel } from '../core/contract';

export interface RelayedLine {
  /** The plugin instance (its id's first 8 characters): lines of two instances may interleave. */
  instance: string;
  /** The line the plugin wrote. */
  text: string;
  /** The severity the daemon gave the record (WARN for a plugin's stderr). */
  level: LogLevel | null;
}

const TEXT_RECORD = /^\S+ ([A-Z]+) dify-plugin-daemon \S+ plugin stderr(?= )/;
/** handler.go levelToSeverity: the four words it prints. */
const SEVERITY: Record<string, LogLevel> = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' };
const severityLevel = (word: unknown): LogLevel | null =>
  typeof word === 'string' ? (SEVERITY[word] ?? null) : null;
const MARKER = 'plugin stderr';

/** The relayed line, or null when `text` is not the daemon relaying a plugin's stderr. */
export function relayedStderr(text: string): RelayedLine | null {
  if (!text.includes(MARKER)) return null;
  if (text.startsWith('{')) return jsonRelay(text);
  const head = TEXT_RECORD.exec(text);
  if (!head) return null;
  const { message, instance } = goAttributes(text.slice(head[0].length), ['message', 'instance']);
  if (message === undefined) return null;
  return { instance: instance ?? '', text: message, level: severityLevel(head[1]) };
}

function jsonRelay(text: string): RelayedLine | null {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null) return null;
  const { message, attributes, severity } = record as {
    message?: unknown;
    attributes?: unknown;
    severity?: unknown;
  };
  if (message !== MARKER || typeof attributes !== 'object' || attributes === null) return null;
  const attr = attributes as { message?: unknown; instance?: unknown };
  if (typeof attr.message !== 'string') return null;
  return {
    instance: typeof attr.instance === 'string' ? attr.instance : '',
    text: attr.message,
    level: severityLevel(severity),
  };
}

/**
 * The daemon's text attributes (` k=v k="v w"…`, after the message) read in order, so that a quoted
 * value holding ` instance=` is not taken for the attribute: the value of each wanted key.
 */
export function goAttributes<K extends string>(
  attrs: string,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const found: Partial<Record<K, string>> = {};
  let missing = keys.length;
  let i = 0;
  while (i < attrs.length && missing > 0) {
    while (attrs.charCodeAt(i) === 32) i++;
    const eq = attrs.indexOf('=', i);
    if (eq < 0) break;
    const quoted = attrs.charCodeAt(eq + 1) === 34; /* " */
    const close = quoted ? quotedEnd(attrs, eq + 1) : -1;
    const space = quoted ? -1 : attrs.indexOf(' ', eq + 1);
    const end = quoted ? close + 1 : space < 0 ? attrs.length : space;
    // Compared in place: no string is cut for a key that is not wanted.
    const key = keys.find((k) => k.length === eq - i && attrs.startsWith(k, i));
    if (key !== undefined && found[key] === undefined) {
      found[key] = quoted ? goUnquote(attrs, eq + 1, close) : attrs.slice(eq + 1, end);
      missing--;
    }
    i = end;
  }
  return found;
}

/** Index of the closing quote of the literal opening at `from` (the text's end when there is none). */
function quotedEnd(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
  return Math.min(i, text.length);
}

/** Go escapes JSON does not know (\a \v \x.. \U.. octal) — or an escaped single quote. */
const JSON_UNSAFE_ESCAPE = /\\(?:[^"\\/bfnrtu]|u(?![0-9a-fA-F]{4}))/;

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/**
 * The string of a Go double-quoted literal from `from` to its closing quote at `close` (strconv.Quote's escapes: \n, \t, \\,
 * \", \xHH, \uHHHH, \UHHHHHHHH, octal \NNN). Hand-written: JSON.parse knows only part of them. An
 * unterminated literal (a line cut short) gives what is there.
 */
function goUnquote(text: string, from: number, close: number): string {
  const inner = text.slice(from + 1, close);
  // Most relayed lines need no unescaping, or only JSON's: one native call instead of the loop below.
  if (!inner.includes('\\')) return inner;
  if (!JSON_UNSAFE_ESCAPE.test(inner)) {
    try {
      return JSON.parse(`"${inner}"`) as string;
    } catch {
      // A control character or the like JSON refuses: the loop reads it.
    }
  }
  let out = '';
  let i = from + 1;
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  while (i < close) {
    const ch = text[i] as string;
    if (ch !== '\\' || i + 1 >= close) {
      flushBytes();
      out += ch;
      i++;
      continue;
    }
    const e = text[i + 1] as string;
    // \x and octal escapes are bytes: a multi-byte character may be spread over several of them.
    if (e === 'x' || (e >= '0' && e <= '7')) {
      const hex = e === 'x';
      const digits = hex ? text.slice(i + 2, i + 4) : text.slice(i + 1, i + 4);
      const value = Number.parseInt(digits, hex ? 16 : 8);
      if (!Number.isNaN(value)) bytes.push(value & 0xff);
      i += 4;
      continue;
    }
    flushBytes();
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const code = Number.parseInt(text.slice(i + 2, i + 2 + len), 16);
      out += Number.isNaN(code) || code > 0x10ffff ? '\ufffd' : String.fromCodePoint(code);
      i += 2 + len;
      continue;
    }
    out += SIMPLE_ESCAPES[e] ?? e;
    i += 2;
  }
  flushBytes();
  return out;
}
