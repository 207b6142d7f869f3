/**
 * A byte-preserving model of a Docker Compose `.env` file: read values the way Compose reads them,
 * change one value, and write the file back with every other byte untouched.
 *
 * Hand-written on purpose: the dotenv libraries (dotenv, dotenv-expand, envfile, …) parse into a map
 * and, when they write at all, print the map back — comments, order, quoting, spacing, `export `,
 * CRLF/LF per line, the BOM and the missing final newline are lost. Here the file is a list of records
 * (one per statement: blank line, comment, definition, invalid line) that keep their raw bytes; an
 * edit replaces only the value token of one record and is verified by parsing the result again.
 *
 * The bytes are handled as a "binary string" (latin1: one char per byte), so files that are not valid
 * UTF-8 (e.g. a comment saved in Shift_JIS) still round-trip exactly; values are decoded as UTF-8.
 *
 * Reading rules — those of compose-go's dotenv parser (compose-spec/compose-go, dotenv/parser.go and
 * godotenv.go), which Docker Compose v2 uses for the project `.env` and for `env_file:` files:
 *  1. A UTF-8 BOM at the very start is skipped.
 *  2. Lines end at LF; a CR right before the LF belongs to the line ending (a lone CR is whitespace).
 *  3. Lines that are blank (Go `unicode.IsSpace`) or whose first non-blank character is `#` are ignored.
 *  4. A definition is: optional blanks, optional `export` + whitespace, the key, optional blanks, `=`
 *     (or `:`, YAML style), optional blanks (space, tab, VT, FF, CR, U+0085, U+00A0), the value.
 *     Keys are Unicode letters/digits and `_ . - [ ]`. A space inside a key, or any other character,
 *     makes Compose reject the whole file. (A tab or no-break space inside a key is accepted by
 *     compose-go as part of the name; no program can use such a name, so we report it as invalid
 *     too.) A line holding only a key takes the value of the shell running Compose, when that
 *     variable is set there (kept as an "inherited" entry; `get()` ignores it).
 *  5. Unquoted value: the rest of the line, cut at the first " #" (a space then `#`: an inline
 *     comment; a tab before `#` does not count, and `a#b` keeps its `#`), then trailing whitespace is
 *     removed. The blanks after `=` are skipped first, so `KEY= # note` has the value `# note`.
 *     Backslashes are literal. Compose interpolates `${…}` / `$VAR` in it afterwards.
 *  6. Single-quoted value: up to the next `'` not preceded by a backslash, possibly across lines.
 *     `\'` gives `'`; every other backslash is kept. No interpolation.
 *  7. Double-quoted value: up to the next unescaped `"`, possibly across lines; `\"` gives `"`, then
 *     `\\ \n \r \t \a \b \f \v` and octal `\0NNN` are decoded, `\$` becomes `$$` (a literal `$` for
 *     the interpolation that follows) and any other backslash sequence is kept as written.
 *     Interpolated like an unquoted value.
 *  8. After a closing quote only blanks and a `#` comment may follow on that line. (compose-go would
 *     read any other text there as a further statement; we report such a line as invalid instead.)
 *  9. When a key is defined twice, the last definition wins; edits go to that one.
 * `get()` returns the value before interpolation: for unquoted and double-quoted values that is the
 * template Compose interpolates next; for single-quoted values it is the final literal (see
 * `EnvEntry.interpolated`). Lines Compose rejects — and the few it reads in a way no service can use:
 * an empty name, a blank inside a name, text after a closing quote — are kept verbatim and listed by
 * `invalidLines()`.
 * Compose v1 (docker-compose 1.29) reads these files with python-dotenv instead. Checked here: it
 * agrees on every ordinary line and differs only on rare forms (a tab before `#` also starts a
 * comment there, `KEY: value` lines are dropped, `\0NNN` is not decoded).
 */
import { AppError } from '../core/errors';

export type EnvQuote = '' | "'" | '"';
export type LineEnding = '\n' | '\r\n';

export type InvalidLineReason =
  'KEY_HAS_SPACE' | 'BAD_KEY_CHAR' | 'EMPTY_KEY' | 'UNTERMINATED_QUOTE' | 'TEXT_AFTER_QUOTE';

export interface EnvEntry {
  key: string;
  /** The decoded value before interpolation; null for a bare `KEY` line (value from the shell). */
  value: string | null;
  /** 1-based number of the entry's first line. */
  line: number;
  /** Physical lines the entry spans (quoted values may span several). */
  lineCount: number;
  quote: EnvQuote;
  exported: boolean;
  /** Whether Compose interpolates `${…}` in the value (false for single-quoted values). */
  interpolated: boolean;
  /** A bare `KEY` line without `=`. */
  inherited: boolean;
  /** A later line defines the same key, so this one has no effect. */
  overridden: boolean;
}

export interface EnvInvalidLine {
  line: number;
  /** The line's text (decoded as UTF-8, without its line ending). */
  text: string;
  reason: InvalidLineReason;
  /** i18n key explaining the reason. */
  messageKey: string;
}

export interface ParseOptions {
  /** Shown in error messages (usually the file's path). */
  name?: string;
  /** Line ending for appended lines when the file has none to copy (empty or one-line file). */
  defaultLineEnding?: LineEnding;
}

interface TriviaRecord {
  kind: 'blank' | 'comment';
  raw: string;
}

interface InvalidRecord {
  kind: 'invalid';
  raw: string;
  reason: InvalidLineReason;
}

interface EntryRecord {
  kind: 'entry';
  raw: string;
  key: string;
  exported: boolean;
  /** Everything before the value token: indentation, `export `, key, separator, blanks. */
  prefix: string;
  /** The value exactly as written (with its quotes). */
  token: string;
  /** What follows the token on its last line: blanks and an inline comment. */
  trailer: string;
  eol: string;
  quote: EnvQuote;
  value: string;
}

interface InheritRecord {
  kind: 'inherit';
  raw: string;
  key: string;
  exported: boolean;
  /** Indentation, `export ` and the key. */
  head: string;
  /** Trailing blanks after the key. */
  tail: string;
  eol: string;
}

type EnvRecord = TriviaRecord | InvalidRecord | EntryRecord | InheritRecord;

const BOM = '\xEF\xBB\xBF';

// ---------------------------------------------------------------------------------------------
// Character classes, on code points, as Go defines them.

/** Go's unicode.IsSpace. */
function isUnicodeSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

/** compose-go's isSpace: whitespace that is not a line break. */
function isComposeSpace(cp: number): boolean {
  return (
    cp === 0x09 || cp === 0x0b || cp === 0x0c || cp === 0x0d || cp === 0x20 || cp === 0x85 || cp === 0xa0
  );
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

function isKeyChar(cp: number): boolean {
  if (cp === 0x5f || cp === 0x2e || cp === 0x2d || cp === 0x5b || cp === 0x5d) return true; // _ . - [ ]
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a);
  return LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
}

const REPLACEMENT = 0xfffd;

/** Decodes one UTF-8 sequence of a binary string like Go's utf8.DecodeRuneInString (bad byte → U+FFFD, 1). */
function decodeRune(s: string, i: number): { cp: number; size: number } {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return { cp: b0, size: 1 };
  const cont = (k: number, lo = 0x80, hi = 0xbf): number => {
    const b = i + k < s.length ? s.charCodeAt(i + k) : -1;
    return b >= lo && b <= hi ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? { cp: REPLACEMENT, size: 1 } : { cp: ((b0 & 0x1f) << 6) | c1, size: 2 };
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    return c2 < 0 ? { cp: REPLACEMENT, size: 1 } : { cp: ((b0 & 0x0f) << 12) | (c1 << 6) | c2, size: 3 };
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    const c3 = c2 < 0 ? -1 : cont(3);
    return c3 < 0
      ? { cp: REPLACEMENT, size: 1 }
      : { cp: ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, size: 4 };
  }
  return { cp: REPLACEMENT, size: 1 };
}

function skipWhile(s: string, from: number, to: number, pred: (cp: number) => boolean): number {
  let i = from;
  while (i < to) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      if (!pred(b)) break;
      i++;
      continue;
    }
    const { cp, size } = decodeRune(s, i);
    if (!pred(cp)) break;
    i += size;
  }
  return i;
}

/** End index of `s[from, to)` with trailing Unicode whitespace removed. */
function trimRightSpace(s: string, from: number, to: number): number {
  let end = from;
  let i = from;
  while (i < to) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      i++;
      if (!isUnicodeSpace(b)) end = i;
      continue;
    }
    const { cp, size } = decodeRune(s, i);
    i += size;
    if (!isUnicodeSpace(cp)) end = i;
  }
  return end;
}

function binaryToText(bin: string): string {
  return !/[\x80-\xff]/.test(bin) ? bin : Buffer.from(bin, 'latin1').toString('utf8');
}

function textToBinary(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Value decoding (compose-go's quoted-string loop and expandEscapes).

/** The characters between the quotes after compose-go's escape loop; null when never closed. */
function scanQuoted(s: string, open: number): { chars: string; close: number } | null {
  const quote = s[open];
  let chars = '';
  let escaped = false;
  for (let i = open + 1; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch !== quote) {
      if (!escaped && ch === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += '\\';
      }
      chars += ch;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += ch;
      continue;
    }
    return { chars, close: i };
  }
  return null;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

/** compose-go's expandEscapes, on a binary string. */
function expandEscapes(bin: string): string {
  return bin.replace(/\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})/g, (match) => {
    const c = match[1] as string;
    if (c === '$') return '$$';
    if (c !== '0') return SIMPLE_ESCAPES[c] ?? match;
    // Go rewrites `\0NNN` to `\NNN` and decodes it only when it is exactly three octal digits ≤ 255.
    const digits = match.slice(2);
    if (/^[0-7]{3}$/.test(digits)) {
      const value = parseInt(digits, 8);
      if (value <= 255) return textToBinary(String.fromCodePoint(value));
    }
    return '\\' + digits;
  });
}

// ---------------------------------------------------------------------------------------------
// Parsing into records.

interface PhysicalLine {
  start: number;
  contentEnd: number;
  end: number;
}

function splitLines(body: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  while (start < body.length) {
    const lf = body.indexOf('\n', start);
    if (lf < 0) {
      lines.push({ start, contentEnd: body.length, end: body.length });
      break;
    }
    const contentEnd = lf > start && body[lf - 1] === '\r' ? lf - 1 : lf;
    lines.push({ start, contentEnd, end: lf + 1 });
    start = lf + 1;
  }
  return lines;
}

function parseRecords(body: string): EnvRecord[] {
  const lines = splitLines(body);
  const records: EnvRecord[] = [];
  let li = 0;
  while (li < lines.length) {
    const { record, next } = parseStatement(body, lines, li);
    records.push(record);
    li = next;
  }
  return records;
}

function lineRaw(body: string, line: PhysicalLine): string {
  return body.slice(line.start, line.end);
}

function parseStatement(
  body: string,
  lines: PhysicalLine[],
  li: number,
): { record: EnvRecord; next: number } {
  const line = lines[li] as PhysicalLine;
  const { start, contentEnd: end } = line;
  const raw = lineRaw(body, line);
  const eol = body.slice(line.contentEnd, line.end);
  const invalid = (reason: InvalidLineReason) => ({
    record: { kind: 'invalid', raw, reason } as const,
    next: li + 1,
  });

  const first = skipWhile(body, start, end, isUnicodeSpace);
  if (first === end) return { record: { kind: 'blank', raw }, next: li + 1 };
  if (body[first] === '#') return { record: { kind: 'comment', raw }, next: li + 1 };

  // `export` needs whitespace after it (RE2 `\s`: tab, LF, FF, CR, space) to be a prefix.
  let keyStart = first;
  let exported = false;
  if (body.startsWith('export', first)) {
    const after = body[first + 6];
    if (after === ' ' || after === '\t' || after === '\f' || after === '\r') {
      exported = true;
      keyStart = skipWhile(body, first + 6, end, isComposeSpace);
    } else if (first + 6 === end) {
      // A lone `export`: compose-go reads it as an empty name.
      return invalid('EMPTY_KEY');
    }
  }

  let i = keyStart;
  let sep = -1;
  while (i < end) {
    const { cp, size } = decodeRune(body, i);
    if (cp === 0x3d || cp === 0x3a) {
      sep = i;
      break;
    }
    if (!isComposeSpace(cp) && !isKeyChar(cp)) return invalid('BAD_KEY_CHAR');
    i += size;
  }
  const keyEnd = trimRightSpace(body, keyStart, sep < 0 ? end : sep);
  const keyBin = body.slice(keyStart, keyEnd);
  if (keyBin === '') return invalid('EMPTY_KEY');
  const key = binaryToText(keyBin);
  // On the decoded text: the bytes 0x85/0xA0 also occur inside other UTF-8 characters.
  if (/[\t\v\f\r \u0085\u00a0]/.test(key)) return invalid('KEY_HAS_SPACE');

  if (sep < 0) {
    const record: InheritRecord = {
      kind: 'inherit',
      raw,
      key,
      exported,
      head: body.slice(start, keyEnd),
      tail: body.slice(keyEnd, end),
      eol,
    };
    return { record, next: li + 1 };
  }

  const valueStart = skipWhile(body, sep + 1, end, isComposeSpace);
  const prefix = body.slice(start, valueStart);
  const opener = body[valueStart];
  if (valueStart < end && (opener === '"' || opener === "'")) {
    const scanned = scanQuoted(body, valueStart);
    if (!scanned) return invalid('UNTERMINATED_QUOTE');
    let last = li;
    while ((lines[last] as PhysicalLine).end <= scanned.close) last++;
    const lastLine = lines[last] as PhysicalLine;
    const afterQuote = skipWhile(body, scanned.close + 1, lastLine.contentEnd, isUnicodeSpace);
    if (afterQuote < lastLine.contentEnd && body[afterQuote] !== '#') {
      // Closed only on a later line and followed by text: most likely a quote that was never closed.
      return invalid(last > li ? 'UNTERMINATED_QUOTE' : 'TEXT_AFTER_QUOTE');
    }
    const quote = opener as EnvQuote;
    const record: EntryRecord = {
      kind: 'entry',
      raw: body.slice(start, lastLine.end),
      key,
      exported,
      prefix,
      token: body.slice(valueStart, scanned.close + 1),
      trailer: body.slice(scanned.close + 1, lastLine.contentEnd),
      eol: body.slice(lastLine.contentEnd, lastLine.end),
      quote,
      value: binaryToText(quote === '"' ? expandEscapes(scanned.chars) : scanned.chars),
    };
    return { record, next: last + 1 };
  }

  const comment = body.slice(valueStart, end).indexOf(' #');
  const cut = comment >= 0 ? valueStart + comment : end;
  const tokenEnd = trimRightSpace(body, valueStart, cut);
  const token = body.slice(valueStart, tokenEnd);
  const record: EntryRecord = {
    kind: 'entry',
    raw,
    key,
    exported,
    prefix,
    token,
    trailer: body.slice(tokenEnd, end),
    eol,
    quote: '',
    value: binaryToText(token),
  };
  return { record, next: li + 1 };
}

// ---------------------------------------------------------------------------------------------
// Encoding a new value.

function encodeUnquoted(value: string): string | null {
  return /[\r\n]/.test(value) ? null : textToBinary(value);
}

function encodeDoubleQuoted(value: string): string {
  const escaped = value.replace(/[\\"\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\' + c));
  return textToBinary(`"${escaped}"`);
}

function encodeSingleQuoted(value: string): string | null {
  // A backslash right before a quote, or at the very end, cannot be written inside single quotes.
  if (/\\'|\\$/.test(value)) return null;
  return textToBinary(`'${value.replace(/'/g, "\\'")}'`);
}

/** Tokens to try, the preferred style first: keep the line's own quoting when it still fits. */
function candidateTokens(value: string, current: EnvQuote | null): string[] {
  const hasDollar = value.includes('$');
  const unquoted = encodeUnquoted(value);
  const double = encodeDoubleQuoted(value);
  const single = encodeSingleQuoted(value);
  const list: (string | null)[] = [];
  if (current === "'") {
    // Single quotes switch interpolation off; with a `$` in the value only they keep the meaning.
    // They have no escape for a line break, so a value with one would span lines: the last resort.
    const multiLine = /[\r\n]/.test(value);
    if (!multiLine) list.push(single);
    if (!hasDollar) list.push(unquoted, double);
    if (multiLine) list.push(single);
  } else if (current === '"') {
    list.push(double, unquoted);
  } else {
    list.push(unquoted, double);
  }
  return list.filter((t): t is string => t !== null);
}

const KEY_PATTERN = /^[\p{L}\p{N}_.\-[\]]+$/u;

export function isValidEnvKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

// ---------------------------------------------------------------------------------------------

function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function recordEol(record: EnvRecord): string {
  if (record.kind === 'entry' || record.kind === 'inherit') return record.eol;
  if (record.raw.endsWith('\r\n')) return '\r\n';
  return record.raw.endsWith('\n') ? '\n' : '';
}

export class EnvDocument {
  private records: EnvRecord[];

  private constructor(
    records: EnvRecord[],
    readonly hasBom: boolean,
    private readonly options: ParseOptions,
  ) {
    this.records = records;
  }

  static parse(input: Uint8Array | string, options: ParseOptions = {}): EnvDocument {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
    const all = bytes.toString('latin1');
    const hasBom = all.startsWith(BOM);
    return new EnvDocument(parseRecords(hasBom ? all.slice(BOM.length) : all), hasBom, options);
  }

  /** The line ending most lines use (ties: the last line's); for new lines. */
  get lineEnding(): LineEnding {
    let crlf = 0;
    let lf = 0;
    let last: LineEnding | null = null;
    for (const record of this.records) {
      const n = countLf(record.raw);
      const c = record.raw.split('\r\n').length - 1;
      crlf += c;
      lf += n - c;
      const eol = recordEol(record);
      if (eol) last = eol as LineEnding;
    }
    if (crlf !== lf) return crlf > lf ? '\r\n' : '\n';
    return last ?? this.options.defaultLineEnding ?? '\n';
  }

  /** Whether the file ends with a line ending (an empty file counts as ending with one). */
  get endsWithNewline(): boolean {
    const last = this.records[this.records.length - 1];
    return !last || recordEol(last) !== '';
  }

  /** The value Compose reads for `key` (the last definition), before interpolation. */
  get(key: string): string | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i] as EnvRecord;
      // A bare `KEY` line keeps an earlier value unless the shell sets the variable.
      if (r.kind === 'entry' && r.key === key) return r.value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.records.some((r) => (r.kind === 'entry' || r.kind === 'inherit') && r.key === key);
  }

  entries(): EnvEntry[] {
    const out: EnvEntry[] = [];
    const lastIndex = new Map<string, number>();
    let line = 1;
    for (const r of this.records) {
      const lineCount = Math.max(1, countLf(r.raw) + (recordEol(r) === '' ? 1 : 0));
      if (r.kind === 'entry' || r.kind === 'inherit') {
        lastIndex.set(r.key, out.length);
        out.push({
          key: r.key,
          value: r.kind === 'entry' ? r.value : null,
          line,
          lineCount,
          quote: r.kind === 'entry' ? r.quote : '',
          exported: r.exported,
          interpolated: r.kind === 'entry' && r.quote !== "'",
          inherited: r.kind === 'inherit',
          overridden: false,
        });
      }
      line += lineCount;
    }
    out.forEach((entry, index) => {
      entry.overridden = lastIndex.get(entry.key) !== index;
    });
    return out;
  }

  invalidLines(): EnvInvalidLine[] {
    const out: EnvInvalidLine[] = [];
    let line = 1;
    for (const r of this.records) {
      if (r.kind === 'invalid') {
        out.push({
          line,
          text: binaryToText(r.raw.replace(/\r?\n?$/, '')),
          reason: r.reason,
          messageKey: `timeouts.envFile.invalidReasons.${r.reason}`,
        });
      }
      line += Math.max(1, countLf(r.raw) + (recordEol(r) === '' ? 1 : 0));
    }
    return out;
  }

  /** Throws ENV_FILE_INVALID_LINES when Compose would reject the file. */
  assertNoInvalidLines(): void {
    const invalid = this.invalidLines();
    if (invalid.length === 0) return;
    throw new AppError('ENV_FILE_INVALID_LINES', {
      params: { path: this.options.name ?? '.env', lines: invalid.map((l) => l.line).join(', ') },
      detail: invalid.map((l) => `line ${l.line} (${l.reason}): ${l.text}`).join('\n'),
    });
  }

  /**
   * Sets `key` so that `get(key) === value` afterwards. Rewrites only the value token of the line
   * that decides the key (the last definition) — key, `export`, spacing, inline comment and line
   * ending stay — or appends `KEY=value` when the key is absent. Throws and changes nothing when no
   * quoting style reads back as `value`.
   */
  set(key: string, value: string): void {
    if (!isValidEnvKey(key)) throw new AppError('ENV_KEY_INVALID', { params: { key } });
    let target = -1;
    for (let i = this.records.length - 1; i >= 0 && target < 0; i--) {
      const r = this.records[i] as EnvRecord;
      if ((r.kind === 'entry' || r.kind === 'inherit') && r.key === key) target = i;
    }
    const current = target >= 0 ? (this.records[target] as EntryRecord | InheritRecord) : null;
    const mustInterpolate = current?.kind === 'entry' ? current.quote !== "'" : true;

    for (const token of candidateTokens(value, current?.kind === 'entry' ? current.quote : null)) {
      const raws = this.records.map((r) => r.raw);
      let targetIndex: number;
      if (current?.kind === 'entry') {
        raws[target] = current.prefix + token + current.trailer + current.eol;
        targetIndex = target;
      } else if (current?.kind === 'inherit') {
        raws[target] = current.head + '=' + token + current.tail + current.eol;
        targetIndex = target;
      } else {
        const eol = this.lineEnding;
        const hadFinalNewline = this.endsWithNewline;
        if (!hadFinalNewline) raws[raws.length - 1] += eol;
        // Keep the file's choice: no final newline before, none after.
        raws.push(textToBinary(key) + '=' + token + (hadFinalNewline ? eol : ''));
        targetIndex = raws.length - 1;
      }
      const records = parseRecords(raws.join(''));
      if (!sameRecords(records, raws)) continue;
      const edited = records[targetIndex];
      if (edited?.kind !== 'entry' || edited.key !== key || edited.value !== value) continue;
      if (value.includes('$') && (edited.quote !== "'") !== mustInterpolate) continue;
      this.records = records;
      return;
    }
    if (this.invalidLines().length > 0) this.assertNoInvalidLines();
    throw new AppError('ENV_VALUE_UNWRITABLE', { params: { key } });
  }

  toBytes(): Buffer {
    const body = this.records.map((r) => r.raw).join('');
    return Buffer.from((this.hasBom ? BOM : '') + body, 'latin1');
  }
}

/** The re-parsed file has exactly the expected records: nothing else was merged or split. */
function sameRecords(records: EnvRecord[], raws: string[]): boolean {
  return records.length === raws.length && records.every((r, i) => r.raw === raws[i]);
}

export function parse(input: Uint8Array | string, options: ParseOptions = {}): EnvDocument {
  return EnvDocument.parse(input, options);
}
