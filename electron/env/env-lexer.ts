/**
 * The `.env` lexer: cuts a file (as a latin1 binary string, one char per byte) into records, one per
 * statement — blank line, comment, definition, bare key, invalid line — each keeping its raw bytes,
 * so the document model (env-file.ts) can rewrite one value and join the rest back untouched.
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
 * Compose v1 (docker-compose 1.29) reads these files with python-dotenv instead. Checked here: it
 * agrees on every ordinary line and differs only on rare forms (a tab before `#` also starts a
 * comment there, `KEY: value` lines are dropped, `\0NNN` is not decoded).
 */
import {
  binaryToText,
  decodeRune,
  isComposeSpace,
  isKeyChar,
  isUnicodeSpace,
  skipWhile,
  textToBinary,
  trimRightSpace,
} from './go-runes';

export type EnvQuote = '' | "'" | '"';
export type LineEnding = '\n' | '\r\n';

export type InvalidLineReason =
  'KEY_HAS_SPACE' | 'BAD_KEY_CHAR' | 'EMPTY_KEY' | 'UNTERMINATED_QUOTE' | 'TEXT_AFTER_QUOTE';

export interface TriviaRecord {
  kind: 'blank' | 'comment';
  raw: string;
}

export interface InvalidRecord {
  kind: 'invalid';
  raw: string;
  reason: InvalidLineReason;
}

export interface EntryRecord {
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

export interface InheritRecord {
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

export type EnvRecord = TriviaRecord | InvalidRecord | EntryRecord | InheritRecord;

export const BOM = '\xEF\xBB\xBF';

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

/** The records of a file body (BOM already removed); joining their `raw` gives the body back. */
export function parseRecords(body: string): EnvRecord[] {
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
// Line bookkeeping: line numbers and the file's newline style are counted from the records.

export function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The record's own line ending; '' for a last line that has none. */
export function recordEol(record: EnvRecord): string {
  if (record.kind === 'entry' || record.kind === 'inherit') return record.eol;
  if (record.raw.endsWith('\r\n')) return '\r\n';
  return record.raw.endsWith('\n') ? '\n' : '';
}
