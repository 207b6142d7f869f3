/**
 * A log line's level from the words its format puts in the level's place — never from a word anywhere
 * in the text ("0 errors", `error_count=0` are not errors). Runs on every line a source reads (a busy
 * container writes hundreds of thousands), so: one dispatch on the first character, then one anchored,
 * precompiled regex for the formats that can start that way, and no allocation for the answer.
 *
 * Formats, and where each puts its level (examples are in test/unit/logs/log-levels.test.ts):
 * - a timestamp, then up to four header tokens, then the level: Dify api/worker
 *   (`%(asctime)s.%(msecs)03d %(levelname)s [%(threadName)s] …`), the plugin daemon ≥ 0.5.3 (its slog
 *   handler: `<RFC3339Nano> ERROR dify-plugin-daemon file.go:12 msg`), the daemon ≤ 0.5.2 and
 *   dify-sandbox (Go's log with Lshortfile, the level as `[ERROR]` in ANSI colour), Python's
 *   `%(asctime)s - %(name)s - %(levelname)s`, gunicorn (`[ts +0000] [pid] [INFO]`), celery
 *   (`[ts: ERROR/MainProcess]`), nginx's error log (`[error]`, `[crit]`), Postgres (`UTC [pid] ERROR:`),
 *   squid (`ts kid1| WARNING:`), zap's console under a `[gnet]` prefix, Ollama's old `routes.go:12: INFO`;
 * - key=value: Go slog's text handler and logrus (`time=… level=WARN`, Ollama's server log);
 * - JSON lines: `"level"`, `"levelname"`, `"severity"` (Dify's and the daemon's JSON output), pino's numbers;
 * - the level first: Python's default (`ERROR:root:`), uvicorn (`INFO:     …`), pip (`ERROR: …`),
 *   Alembic (`INFO  [alembic…]`), `[ERROR] …`, `bash: warning: …`;
 * - Gin's access and debug lines (`[GIN] … | 502 |` — a 5xx answer is an error, a 4xx a warning),
 *   nginx's access log likewise, glog (`E0501 …`), Redis's markers (`#` warning, `*` notice);
 * - lines that are errors by their shape: a Python traceback's first line, an exception line
 *   (`ValueError: …`), Go's `panic:` / `fatal error:`, AUTOMATIC1111's `*** Error …` reports
 *   (modules/errors.py), and Python warnings (`file.py:12: UserWarning: …`).
 * CRITICAL/FATAL/PANIC/crit/emerg are errors, WARNING/warn/W warnings, NOTICE/LOG info, TRACE/VERBOSE debug.
 */
import type { LogLevel } from '../core/contract';

/**
 * What a line is, for grouping lines into entries (entry-grouper.ts):
 * - `headed`: it carries its own header (a timestamp or a level in a format's header place): it
 *   starts an entry;
 * - `detail`: headed, but by its format a part of the line before (Postgres's DETAIL/HINT/STATEMENT…);
 * - `traceback` / `group-traceback`: a Python traceback (or exception group traceback) begins;
 * - `panic`: a Go panic or fatal error begins;
 * - `report`: an AUTOMATIC1111 error report line (`*** …`);
 * - `content`: anything else (the level, if any, comes from its shape: `ValueError: …`).
 */
export type LineKind = 'headed' | 'detail' | 'traceback' | 'group-traceback' | 'panic' | 'report' | 'content';

export interface LineClass {
  readonly level: LogLevel | null;
  readonly kind: LineKind;
}

const KINDS: readonly LineKind[] = [
  'headed',
  'detail',
  'traceback',
  'group-traceback',
  'panic',
  'report',
  'content',
];

/** Every answer made once, looked up by two property reads: classifying a line allocates nothing. */
const ANSWERS = Object.fromEntries(
  KINDS.map((kind) => [
    kind,
    {
      error: Object.freeze({ kind, level: 'error' }),
      warn: Object.freeze({ kind, level: 'warn' }),
      info: Object.freeze({ kind, level: 'info' }),
      debug: Object.freeze({ kind, level: 'debug' }),
      none: Object.freeze({ kind, level: null }),
    },
  ]),
) as Record<LineKind, Record<LogLevel | 'none', LineClass>>;

function answer(kind: LineKind, level: LogLevel | null): LineClass {
  return ANSWERS[kind][level ?? 'none'];
}

const PLAIN = answer('content', null);

/** The level words of every format above, in the spellings formats print (exact case: no lowercasing per line). */
const WORDS: Record<LogLevel, readonly string[]> = {
  error: [
    'ERROR',
    'Error',
    'error',
    'ERR',
    'err',
    'CRITICAL',
    'Critical',
    'critical',
    'CRIT',
    'crit',
    'FATAL',
    'Fatal',
    'fatal',
    'PANIC',
    'panic',
    'ALERT',
    'alert',
    'EMERG',
    'emerg',
    'SEVERE',
  ],
  warn: ['WARNING', 'Warning', 'warning', 'WARN', 'Warn', 'warn'],
  info: ['INFO', 'Info', 'info', 'NOTICE', 'Notice', 'notice', 'LOG'],
  debug: ['DEBUG', 'Debug', 'debug', 'TRACE', 'Trace', 'trace', 'VERBOSE', 'verbose'],
};

const LEVEL_OF_WORD = new Map<string, LogLevel>(
  (Object.entries(WORDS) as [LogLevel, readonly string[]][]).flatMap(([level, words]) =>
    words.map((w): [string, LogLevel] => [w, level]),
  ),
);

/**
 * The words as one regex alternation shaped like a trie (`E(?:RR(?:OR)?|rror)|…`): a flat list of 45
 * words is tried word by word at every position the header regex looks at, a trie decides on the
 * first letter. A longer word is tried before its prefix (ERROR before ERR).
 */
function trieAlternation(words: Iterable<string>): string {
  interface Node {
    end: boolean;
    next: Map<string, Node>;
  }
  const root: Node = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const ch of word) {
      let child = node.next.get(ch);
      if (!child) node.next.set(ch, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const emit = (node: Node): string => {
    const branches = [...node.next].map(([ch, child]) => ch + emit(child));
    if (branches.length === 0) return '';
    const body = branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
    return node.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

const WORD = `(?:${trieAlternation(LEVEL_OF_WORD.keys())})`;

/** Postgres's lines that belong to the message before them (elog.c's DETAIL/HINT/… prefixes). */
const PG_DETAIL = '(?:DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION)';

const ISO = String.raw`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})*(?:Z| ?[+-]\d\d:?\d\d)?`;
const GO_LOG = String.raw`\d{4}\/\d\d\/\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,9})?`;
/** A time zone name only where Postgres puts one (`%m [%p]`: "UTC [1]"), so that no level word is taken for one. */
const ZONE = String.raw`(?:\s+(?:UTC|GMT|[A-Z]{2,5}(?=\s+\[\d+\])))?`;
/** Tokens a header may have between the timestamp and the level: [thread], [pid], file.go:12:, kid1|, "- name -". */
const SKIP = String.raw`(?:\[[^\]\s]{0,60}\]|[\w./\\-]{1,80}\.\w{1,5}:\d{1,6}:?|\w{1,20}\||-|[\w.-]{1,60}(?=\s+-\s))`;
const LEVEL_TOKEN = String.raw`(?:\[\s*(${WORD})\s*\]|(${WORD})(?=[\s:/|\]]|$)|(${PG_DETAIL}):)`;

/**
 * A timestamp first (optionally after a `[name]` prefix — `[gnet]`, or a level: `[ERROR] <ts> …` — and
 * inside brackets), then the level after at most four header tokens, the nearest first. The empty
 * second branch makes a timestamp without a level still a match: the line is headed, its level unknown.
 */
const TIMESTAMP_LED = new RegExp(
  String.raw`^(?:\[([\w-]{1,20})\]\s+)?\[?(?:${ISO}|${GO_LOG})${ZONE}\]?[:|]?(?:(?:\s+${SKIP}){0,4}?\s+${LEVEL_TOKEN}|)`,
);
/** The level first: `ERROR:root:…`, `INFO:     …`, `[ERROR] …`, `INFO  [alembic…]`, `Error: …`. */
const LEVEL_FIRST = new RegExp(
  String.raw`^(?:\[\s*(${WORD})\s*\]|(${WORD}):|(ERROR|WARNING|WARN|INFO|DEBUG|CRITICAL|FATAL|TRACE)\s)`,
);
/** `bash: warning: setlocale: …`, `/bin/sh: error: …`: a program names itself, then the level. */
const PROGRAM_LEVEL = /^[\w./-]{1,60}: (error|warning|fatal|fatal error|ERROR|WARNING):? /;
const KEY_VALUE = /^(?:(?:time|ts|t)=(?:"[^"]*"|\S*)\s+)?(?:level|lvl)="?([A-Za-z]+)/;
const JSON_LEVEL =
  /"(?:level|levelname|severity|lvl|log\.level|loglevel)"\s*:\s*(?:"([A-Za-z]+)"|(\d{1,2})\b)/g;
const GIN =
  /^\[GIN(?:\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \|\s*(\d{3})\s*\||-debug\](?: \[(WARNING|ERROR)\])?)/;
const NGINX_ACCESS = /^\S+ - \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[^"]*" (\d{3}) /;
const REDIS = /^\d+:[XCSM] \d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.\-*#]) /;
const GLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ [\w.-]+:\d+\] /;
/** Tornado and Jupyter: `[W 2024-05-01 10:00:00.123 ServerApp]`, `[I 240501 10:00:00 web:2239]`. */
const TORNADO = /^\[([DIWEC]) \d{2,4}-?\d\d-?\d\d \d\d:\d\d:\d\d/;
/** Shapes that make a line an error or warning without a header. */
const SHAPED =
  /^(?:(Traceback \(most recent call last\):)|(panic: |fatal error: )|(\*\*\* )|[A-Za-z_][\w.]*(?:(Error|Exception|Interrupt|Exit)|(Warning))(?::|$)|(?:[A-Za-z]:)?[^:\s]{1,300}:\d+: [A-Za-z]*(Warning): )/;
/** A traceback printed indented (AUTOMATIC1111 indents its reports by four), or an exception group's. */
const INDENTED_TRACEBACK = /^\s+(?:(Traceback)|\+ Exception Group Traceback) \(most recent call last\):$/;

const GLOG_LEVELS: Record<string, LogLevel> = { I: 'info', W: 'warn', E: 'error', F: 'error' };
const TORNADO_LEVELS: Record<string, LogLevel> = { D: 'debug', I: 'info', W: 'warn', E: 'error', C: 'error' };
const REDIS_LEVELS: Record<string, LogLevel> = { '#': 'warn', '*': 'info', '-': 'debug', '.': 'debug' };
/** pino's numeric levels (10 trace … 60 fatal). */
const NUMERIC_LEVELS: Record<string, LogLevel> = {
  '10': 'debug',
  '20': 'debug',
  '30': 'info',
  '40': 'warn',
  '50': 'error',
  '60': 'error',
};

const ESC = '\x1b';
// SGR and other CSI sequences: colour codes before a level (`\x1b[31m[ERROR]`, uvicorn's `\x1b[32mINFO\x1b[0m:`).
// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by definition
const ANSI = /\x1b\[[\d;?]*[A-Za-z]/g;

const wordLevel = (word: string | undefined): LogLevel | null =>
  word === undefined ? null : (LEVEL_OF_WORD.get(word) ?? null);

const httpStatusLevel = (status: string): LogLevel =>
  status.startsWith('5') ? 'error' : status.startsWith('4') ? 'warn' : 'info';

/** The level of one line (null: the line says none). */
export function levelOf(text: string): LogLevel | null {
  return classifyLine(text).level;
}

/** The level of one line and what kind of line it is (see LineKind). */
export function classifyLine(text: string): LineClass {
  if (text.length === 0) return PLAIN;
  // Colour codes are read past, not matched: a coloured level is still in its place.
  const plain = text.includes(ESC) ? text.replace(ANSI, '') : text;
  if (plain.length === 0) return PLAIN;
  const c = plain.charCodeAt(0);
  if (c >= 48 && c <= 57) return digitLed(plain);
  if (c === 91 /* [ */) return bracketLed(plain);
  if (c === 123 /* { */) return jsonLine(plain);
  if (c === 32 || c === 9) {
    const tb = INDENTED_TRACEBACK.exec(plain);
    if (!tb) return PLAIN;
    return answer(tb[1] === undefined ? 'group-traceback' : 'traceback', 'error');
  }
  if (c === 116 /* t */ || c === 108 /* l */) {
    const kv = KEY_VALUE.exec(plain);
    if (kv) return answer('headed', wordLevel(kv[1]));
  }
  return wordLed(plain);
}

function digitLed(text: string): LineClass {
  const fifth = text.charCodeAt(4);
  if (fifth === 45 /* - */ || fifth === 47 /* / */) {
    const m = TIMESTAMP_LED.exec(text);
    if (m) return stamped(m);
  }
  const redis = REDIS.exec(text);
  if (redis) return answer('headed', REDIS_LEVELS[redis[1] as string] ?? null);
  const access = NGINX_ACCESS.exec(text);
  if (access) return answer('headed', httpStatusLevel(access[1] as string));
  return PLAIN;
}

/** A TIMESTAMP_LED match: [1] a `[name]` prefix, [2] a bracketed level, [3] a bare one, [4] a Postgres detail. */
function stamped(m: RegExpExecArray): LineClass {
  if (m[4] !== undefined) return answer('detail', null);
  return answer('headed', wordLevel(m[2] ?? m[3]) ?? wordLevel(m[1]));
}

function bracketLed(text: string): LineClass {
  if (text.startsWith('[GIN')) {
    const gin = GIN.exec(text);
    if (gin) {
      if (gin[1] !== undefined) return answer('headed', httpStatusLevel(gin[1]));
      return answer('headed', gin[2] === 'ERROR' ? 'error' : gin[2] === 'WARNING' ? 'warn' : 'debug');
    }
  }
  const m = TIMESTAMP_LED.exec(text);
  if (m) return stamped(m);
  const tornado = TORNADO.exec(text);
  if (tornado) return answer('headed', TORNADO_LEVELS[tornado[1] as string] ?? null);
  return wordLed(text);
}

function jsonLine(text: string): LineClass {
  JSON_LEVEL.lastIndex = 0;
  for (let m = JSON_LEVEL.exec(text); m; m = JSON_LEVEL.exec(text)) {
    // `\"level\":…` is inside a string value (an escaped quote), not a key.
    if (m.index > 0 && text.charCodeAt(m.index - 1) === 92 /* \ */) continue;
    const level = m[1] !== undefined ? wordLevel(m[1]) : (NUMERIC_LEVELS[m[2] as string] ?? null);
    return answer('headed', level);
  }
  return PLAIN;
}

function wordLed(text: string): LineClass {
  // Shapes first: `panic:` is also a level word followed by a colon.
  const shaped = SHAPED.exec(text);
  if (shaped) {
    if (shaped[1] !== undefined) return answer('traceback', 'error');
    if (shaped[2] !== undefined) return answer('panic', 'error');
    if (shaped[3] !== undefined) return answer('report', 'error');
    if (shaped[4] !== undefined) return answer('content', 'error');
    return answer('content', 'warn');
  }
  const first = LEVEL_FIRST.exec(text);
  if (first) return answer('headed', wordLevel(first[1] ?? first[2] ?? first[3]));
  const glog = GLOG.exec(text);
  if (glog) return answer('headed', GLOG_LEVELS[glog[1] as string] ?? null);
  const program = PROGRAM_LEVEL.exec(text);
  if (program)
    return answer('headed', (program[1] as string).toLowerCase().startsWith('warn') ? 'warn' : 'error');
  return PLAIN;
}
