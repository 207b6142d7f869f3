/**
 * A byte-preserving model of a Docker Compose `.env` file: read values the way Compose reads them,
 * change one value, and write the file back with every other byte untouched.
 *
 * Hand-written on purpose: the dotenv libraries (dotenv, dotenv-expand, envfile, …) parse into a map
 * and, when they write at all, print the map back — comments, order, quoting, spacing, `export `,
 * CRLF/LF per line, the BOM and the missing final newline are lost. Here the file is the lexer's list
 * of records (env-lexer.ts: one per statement, with its raw bytes, read by compose-go's rules); an
 * edit replaces only the value token of one record and is verified by parsing the result again.
 *
 * The bytes are handled as a "binary string" (latin1: one char per byte), so files that are not valid
 * UTF-8 (e.g. a comment saved in Shift_JIS) still round-trip exactly; values are decoded as UTF-8.
 *
 * `get()` returns the value before interpolation: for unquoted and double-quoted values that is the
 * template Compose interpolates next; for single-quoted values it is the final literal (see
 * `EnvEntry.interpolated`). Lines Compose rejects — and the few it reads in a way no service can use:
 * an empty name, a blank inside a name, text after a closing quote — are kept verbatim and listed by
 * `invalidLines()`.
 */
import { AppError } from '../core/errors';
import { binaryToText, textToBinary } from './go-runes';
import {
  BOM,
  countLf,
  parseRecords,
  recordEol,
  type EntryRecord,
  type EnvQuote,
  type EnvRecord,
  type InheritRecord,
  type InvalidLineReason,
  type LineEnding,
} from './env-lexer';

export type { EnvQuote, InvalidLineReason, LineEnding } from './env-lexer';

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

/** A name Compose accepts as a key (rule 4 of env-lexer.ts), checked before one is written. */
export function isValidEnvKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

// ---------------------------------------------------------------------------------------------

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
