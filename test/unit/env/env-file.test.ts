import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { parse, type EnvEntry } from '../../../electron/env/env-file';
import { difyLikeEnv } from '../../fixtures/env/dify-like';
import { fixtureNames, physicalLines, readFixture } from './helpers';

const BOM = '\xEF\xBB\xBF';

function corpus(): [string, Buffer][] {
  return [
    ...fixtureNames().map((name): [string, Buffer] => [name, readFixture(name)]),
    ['dify-like (LF)', difyLikeEnv()],
    ['dify-like (CRLF + BOM)', difyLikeEnv({ eol: '\r\n', bom: true })],
  ];
}

function values(bytes: Uint8Array): Record<string, string | undefined> {
  const doc = parse(bytes);
  return Object.fromEntries(doc.entries().map((e) => [e.key, doc.get(e.key)]));
}

function endingOf(line: string): string {
  return line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
}

/** Every physical line except the entry's own is byte-identical; the entry became one line, same ending. */
function expectOnlyEntryChanged(before: Buffer, after: Buffer, entry: EnvEntry): void {
  const a = physicalLines(before);
  const b = physicalLines(after);
  const start = entry.line - 1;
  expect(b.slice(0, start)).toEqual(a.slice(0, start));
  expect(b.slice(start + 1)).toEqual(a.slice(start + entry.lineCount));
  expect(endingOf(b[start] as string)).toBe(endingOf(a[start + entry.lineCount - 1] as string));
}

function expectAppError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(isAppError(e) && e.code).toBe(code);
    return;
  }
  throw new Error(`expected AppError ${code}`);
}

describe('round trip', () => {
  it.each(corpus())('%s: parse → toBytes gives the same bytes', (_name, bytes) => {
    expect(Buffer.compare(parse(bytes).toBytes(), bytes)).toBe(0);
  });

  it('the generated Dify-like file is large and fully valid', () => {
    const bytes = difyLikeEnv({ eol: '\r\n' });
    expect(physicalLines(bytes).length).toBeGreaterThanOrEqual(1000);
    const doc = parse(bytes);
    expect(doc.invalidLines()).toEqual([]);
    expect(doc.get('COMPOSE_PROFILES')).toBe('${VECTOR_STORE:-weaviate},${DB_TYPE:-postgresql}');
    expect(doc.get('LOG_DATEFORMAT')).toBe('%Y-%m-%d %H:%M:%S');
    expect(doc.get('OPENSEARCH_INITIAL_ADMIN_PASSWORD')).toBe('Qazwsxedc!@#123');
    expect(doc.lineEnding).toBe('\r\n');
  });

  it('a string input is read as UTF-8', () => {
    const doc = parse('GREETING=こんにちは\n');
    expect(doc.get('GREETING')).toBe('こんにちは');
    expect(doc.toBytes().toString('utf8')).toBe('GREETING=こんにちは\n');
  });
});

describe('reading like Compose', () => {
  it('CRLF and BOM', () => {
    expect(values(readFixture('crlf.env'))).toEqual({
      LOG_LEVEL: 'INFO',
      GUNICORN_TIMEOUT: '360',
      SANDBOX_WORKER_TIMEOUT: '15',
      NGINX_PROXY_READ_TIMEOUT: '3600s',
      PLUGIN_DAEMON_TIMEOUT: '600.0',
    });
    const doc = parse(readFixture('bom-crlf.env'));
    expect(doc.hasBom).toBe(true);
    expect(doc.get('WORKFLOW_MAX_EXECUTION_TIME')).toBe('1200');
    expect(doc.entries()[0]?.line).toBe(2);
  });

  it('mixed line endings and a lone CR inside a value', () => {
    expect(values(readFixture('mixed-endings.env'))).toEqual({
      A: '1',
      B: '2',
      C: 'with\rlone-cr',
      D: '4',
      E: '5',
    });
  });

  it('quotes, escapes, inline comments and multi-line values', () => {
    const doc = parse(readFixture('quotes.env'));
    expect(values(readFixture('quotes.env'))).toEqual({
      SINGLE: 'single # not a comment',
      DOUBLE: 'double # not a comment',
      ESCAPES: 'tab\there\nnewline "quoted" back\\slash $$HOME',
      SINGLE_ESCAPE: "it's \\n kept",
      HASH_NO_SPACE: 'abc#def',
      HASH_SPACE: 'abc',
      HASH_TAB: 'abc\t#def',
      QUOTE_INSIDE: 'a"b\'c',
      EMPTY_DOUBLE: '',
      EMPTY_SINGLE: '',
      AFTER_QUOTE: 'x',
      MULTI: 'first line\nsecond line # still value\nthird',
      MULTI_SINGLE: 'a\nb',
      OCTAL: 'A\\777\\1\\q',
      PASSWORD: 'p@ss$word',
    });
    const multi = doc.entries().find((e) => e.key === 'MULTI');
    expect(multi).toMatchObject({ line: 13, lineCount: 3, quote: '"' });
    expect(doc.entries().find((e) => e.key === 'PASSWORD')).toMatchObject({
      quote: "'",
      interpolated: false,
    });
  });

  it('spaces, export, YAML-style separators and bare keys', () => {
    const doc = parse(readFixture('spaces.env'));
    expect(values(readFixture('spaces.env'))).toEqual({
      LOG_DATEFORMAT: '%Y-%m-%d %H:%M:%S',
      SPACED: 'value with spaces',
      INDENTED: '1',
      EXPORTED: 'yes',
      TABBED_EXPORT: '2',
      YAML_STYLE: 'colon value',
      AFTER_EQ: 'leading spaces dropped',
      EMPTY: '',
      EMPTY_SPACES: '',
      COMMENT_ONLY: '# this is the value, not a comment',
      INHERITED: undefined,
      NGINX_SSL_PROTOCOLS: 'TLSv1.2 TLSv1.3',
      'dotted.key-name[0]': 'ok',
    });
    expect(doc.entries().find((e) => e.key === 'EXPORTED')?.exported).toBe(true);
    expect(doc.entries().find((e) => e.key === 'INHERITED')).toMatchObject({ inherited: true, value: null });
  });

  it('interpolation is left to Compose: ${…} comes back as written', () => {
    const doc = parse(readFixture('interpolation.env'));
    expect(doc.get('COMPOSE_PROFILES')).toBe('${VECTOR_STORE:-weaviate},${DB_TYPE:-postgresql}');
    expect(doc.get('LITERAL_DOLLAR')).toBe('$$not-a-var');
    expect(doc.get('SINGLE_REF')).toBe('${VECTOR_STORE} stays literal');
    const byKey = new Map(doc.entries().map((e) => [e.key, e]));
    expect(byKey.get('QUOTED_REF')?.interpolated).toBe(true);
    expect(byKey.get('SINGLE_REF')?.interpolated).toBe(false);
  });

  it('duplicate keys: the last definition wins', () => {
    const doc = parse(readFixture('duplicates.env'));
    expect(doc.get('GUNICORN_TIMEOUT')).toBe('3600');
    expect(doc.get('SANDBOX_WORKER_TIMEOUT')).toBe('10800');
    const gunicorn = doc.entries().filter((e) => e.key === 'GUNICORN_TIMEOUT');
    expect(gunicorn.map((e) => [e.line, e.overridden])).toEqual([
      [1, true],
      [4, true],
      [5, false],
    ]);
  });

  it('files that are not UTF-8 keep their bytes; values decode as UTF-8', () => {
    const bytes = readFixture('non-utf8.env');
    const doc = parse(bytes);
    expect(doc.get('GUNICORN_TIMEOUT')).toBe('3600');
    expect(doc.get('GREETING')).toBe('こんにちは'); // the trailing full-width space is trimmed, as Go does
    expect(doc.get('QUOTED')).toBe('日本語 # 値');
    doc.set('GUNICORN_TIMEOUT', '7200');
    const lines = physicalLines(doc.toBytes());
    const before = physicalLines(bytes);
    expect(lines[1]).toBe(before[1]?.replace('3600', '7200'));
    expect([lines[0], lines[2], lines[3]]).toEqual([before[0], before[2], before[3]]);
  });

  it('invalid lines are kept verbatim and reported with their line numbers', () => {
    const bytes = readFixture('invalid-lines.env');
    const doc = parse(bytes);
    expect(doc.invalidLines().map(({ messageKey: _, ...rest }) => rest)).toEqual([
      { line: 2, text: 'BAD KEY=2', reason: 'KEY_HAS_SPACE' },
      { line: 3, text: 'BAD$CHAR=3', reason: 'BAD_KEY_CHAR' },
      { line: 4, text: '=no key', reason: 'EMPTY_KEY' },
      { line: 5, text: 'export', reason: 'EMPTY_KEY' },
      { line: 6, text: 'TRAILING="closed" junk', reason: 'TEXT_AFTER_QUOTE' },
      { line: 8, text: 'UNCLOSED="never closed', reason: 'UNTERMINATED_QUOTE' },
    ]);
    for (const line of doc.invalidLines()) {
      expect(hasTranslation(line.messageKey), line.messageKey).toBe(true);
      expect(translate('ja', line.messageKey)).toMatch(/[\u3040-\u30ff]/);
    }
    expect(values(bytes)).toEqual({ GOOD: '1', STILL_GOOD: '4', LAST_GOOD: '5' });
    expectAppError(() => doc.assertNoInvalidLines(), 'ENV_FILE_INVALID_LINES');
    try {
      doc.assertNoInvalidLines();
    } catch (e) {
      expect(isAppError(e) && e.params).toEqual({ path: '.env', lines: '2, 3, 4, 5, 6, 8' });
    }
    expect(Buffer.compare(doc.toBytes(), bytes)).toBe(0);
  });

  it('keys may be any Unicode letters, including characters whose UTF-8 holds 0x85 or 0xA0 bytes', () => {
    const doc = parse('\u0920\u0905_KEY=1\n時間=2\nA\u00a0B=3\n');
    expect(doc.get('\u0920\u0905_KEY')).toBe('1');
    expect(doc.get('時間')).toBe('2');
    expect(doc.invalidLines().map((l) => [l.line, l.reason])).toEqual([[3, 'KEY_HAS_SPACE']]);
  });

  it('never throws on arbitrary bytes', () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x3d, 0x22, 0x0d, 0x0a, 0xc3, 0x28, 0x3d, 0x27, 0x5c]);
    const doc = parse(junk);
    expect(Buffer.compare(doc.toBytes(), junk)).toBe(0);
    expect(doc.invalidLines().length).toBeGreaterThan(0);
  });
});

describe('set: one line changes, nothing else', () => {
  const NEW_VALUES = [
    '3600',
    '10860.0',
    'two words',
    'has # hash',
    "quote's",
    'dq"x',
    'back\\slash',
    '',
    ' leading',
    'trailing ',
    '${OTHER:-x}',
    'multi\nline',
    '日本語　',
    '#start',
    "'starts-with-quote",
  ];

  // Every key of the small fixtures; in the big generated files every timeout key and a sample.
  const cases = corpus().flatMap(([name, bytes]) =>
    parse(bytes)
      .entries()
      .filter(
        (e, i) => !e.overridden && (!name.startsWith('dify-like') || e.key.includes('TIME') || i % 40 === 0),
      )
      .map((e): [string, string, Buffer] => [name, e.key, bytes]),
  );

  it.each(cases)('%s: %s', (name, key, bytes) => {
    // The big generated files get the interesting few; the small fixtures every value.
    const newValues = name.startsWith('dify-like') ? ['10800', 'has # hash', 'multi\nline', ''] : NEW_VALUES;
    for (const value of newValues) {
      const doc = parse(bytes);
      const entry = doc.entries().find((e) => e.key === key && !e.overridden) as EnvEntry;
      doc.set(key, value);
      const after = doc.toBytes();
      expect(doc.get(key)).toBe(value);
      const reread = parse(after);
      expect(reread.get(key)).toBe(value);
      expectOnlyEntryChanged(bytes, after, entry);
      // Every other key still reads the same.
      const others = (v: Record<string, string | undefined>) => ({ ...v, [key]: null });
      expect(others(values(after))).toEqual(others(values(bytes)));
    }
  });

  it('keeps key, export, spacing, quoting style and inline comment', () => {
    const doc = parse(readFixture('spaces.env'));
    doc.set('TABBED_EXPORT', '3600');
    doc.set('SPACED', 'new');
    doc.set('COMMENT_ONLY', '5');
    doc.set('INHERITED', '7');
    const lines = physicalLines(doc.toBytes());
    expect(lines[1]).toBe('SPACED = new   \n');
    expect(lines[4]).toBe('export\tTABBED_EXPORT = 3600 # two\n');
    expect(lines[9]).toBe('COMMENT_ONLY= 5\n');
    expect(lines[10]).toBe('INHERITED=7\n');

    const quotes = parse(readFixture('quotes.env'));
    quotes.set('DOUBLE', '42');
    quotes.set('SINGLE', 'a # b');
    quotes.set('AFTER_QUOTE', 'y');
    const q = physicalLines(quotes.toBytes());
    expect(q[2]).toBe('DOUBLE="42" # a real comment\n');
    expect(q[1]).toBe("SINGLE='a # b'\n");
    expect(q[11]).toBe('AFTER_QUOTE="y"#tight comment\n');
  });

  it('quotes only when needed, choosing a style that reads back', () => {
    const doc = parse('A=1\nB=2\nC=3\nD=4\nE=5\n');
    doc.set('A', 'plain');
    doc.set('B', 'x # y');
    doc.set('C', ' padded ');
    doc.set('D', 'say "hi"\\n');
    doc.set('E', 'line1\nline2');
    expect(doc.toBytes().toString('utf8')).toBe(
      'A=plain\nB="x # y"\nC=" padded "\nD=say "hi"\\n\nE="line1\\nline2"\n',
    );
    expect(values(doc.toBytes())).toEqual({
      A: 'plain',
      B: 'x # y',
      C: ' padded ',
      D: 'say "hi"\\n',
      E: 'line1\nline2',
    });
  });

  it('a multi-line value becomes one line; the lines after it are untouched', () => {
    const bytes = readFixture('quotes.env');
    const doc = parse(bytes);
    doc.set('MULTI', 'one');
    const lines = physicalLines(doc.toBytes());
    expect(lines[12]).toBe('MULTI="one" # done\n');
    expect(lines.slice(13)).toEqual(physicalLines(bytes).slice(15));
  });

  it('duplicates: the edit goes to the last definition', () => {
    const bytes = readFixture('duplicates.env');
    const doc = parse(bytes);
    doc.set('GUNICORN_TIMEOUT', '7200');
    const before = physicalLines(bytes);
    const after = physicalLines(doc.toBytes());
    expect(after[4]).toBe('GUNICORN_TIMEOUT = "7200"\n');
    expect(after.filter((_, i) => i !== 4)).toEqual(before.filter((_, i) => i !== 4));
  });

  it('single-quoted values keep their literal meaning or the edit is refused', () => {
    const bytes = readFixture('quotes.env');
    const doc = parse(bytes);
    doc.set('PASSWORD', 'n3w$ecret');
    expect(physicalLines(doc.toBytes())[18]).toBe("PASSWORD='n3w$ecret'\n");
    // `$` needs single quotes to stay literal, and single quotes cannot end with a backslash.
    expectAppError(() => doc.set('PASSWORD', 'bad$\\'), 'ENV_VALUE_UNWRITABLE');
    expect(doc.get('PASSWORD')).toBe('n3w$ecret');
  });

  it('refuses invalid keys', () => {
    const doc = parse('A=1\n');
    expectAppError(() => doc.set('BAD KEY', '1'), 'ENV_KEY_INVALID');
    expectAppError(() => doc.set('', '1'), 'ENV_KEY_INVALID');
    expect(doc.toBytes().toString()).toBe('A=1\n');
  });
});

describe('set: appending an absent key', () => {
  it('uses the file line ending', () => {
    const doc = parse(readFixture('crlf.env'));
    doc.set('TEXT_GENERATION_TIMEOUT_MS', '600000');
    expect(
      doc
        .toBytes()
        .toString('latin1')
        .endsWith('PLUGIN_DAEMON_TIMEOUT=600.0\r\nTEXT_GENERATION_TIMEOUT_MS=600000\r\n'),
    ).toBe(true);
  });

  it('mixed endings: the majority wins', () => {
    const doc = parse(readFixture('mixed-endings.env'));
    expect(doc.lineEnding).toBe('\r\n');
    doc.set('F', '6');
    expect(doc.toBytes().toString('latin1').endsWith('E=5\nF=6\r\n')).toBe(true);
  });

  it('a file without a final newline gets one before the new line and still ends without one', () => {
    const doc = parse(readFixture('no-final-newline.env'));
    doc.set('NEW', 'v');
    expect(doc.toBytes().toString('latin1').endsWith('API_TOOL_DEFAULT_READ_TIMEOUT=60\r\nNEW=v')).toBe(true);
    const comment = parse(readFixture('no-final-newline-comment.env'));
    comment.set('NEW', 'v');
    expect(comment.toBytes().toString()).toBe(
      'PLUGIN_MAX_EXECUTION_TIMEOUT=600\n# trailing comment without newline\nNEW=v',
    );
  });

  it('empty files and BOM-only files', () => {
    const empty = parse(readFixture('empty.env'));
    empty.set('NEW', 'v');
    expect(empty.toBytes().toString()).toBe('NEW=v\n');
    const windows = parse(Buffer.alloc(0), { defaultLineEnding: '\r\n' });
    windows.set('NEW', 'v');
    expect(windows.toBytes().toString()).toBe('NEW=v\r\n');
    const bom = parse(readFixture('bom-only.env'));
    bom.set('NEW', 'a b');
    expect(bom.toBytes().toString('latin1')).toBe(`${BOM}NEW=a b\n`);
  });

  it('a value that needs quotes is quoted when appended', () => {
    const doc = parse('A=1\n');
    doc.set('B', 'x #y');
    expect(doc.toBytes().toString()).toBe('A=1\nB="x #y"\n');
  });
});
