/**
 * The lexer's records: how one statement is cut into prefix / value token / trailer / line ending.
 * The editor (env-file.test.ts) relies on exactly this cut to rewrite only the value; here each rule
 * of env-lexer.ts is one row.
 */
import { describe, expect, it } from 'vitest';
import { countLf, parseRecords, recordEol, type EnvRecord } from '../../../electron/env/env-lexer';

type Expected = Partial<Record<string, unknown>> & { kind: EnvRecord['kind'] };

const rows: Array<[string, string, Expected[]]> = [
  [
    'plain definition',
    'A=1\n',
    [{ kind: 'entry', key: 'A', prefix: 'A=', token: '1', trailer: '', eol: '\n', quote: '', value: '1' }],
  ],
  [
    'indentation, export, blanks around =, inline comment, CRLF',
    '  export A = 1 # note\r\n',
    [
      {
        kind: 'entry',
        key: 'A',
        exported: true,
        prefix: '  export A = ',
        token: '1',
        trailer: ' # note',
        eol: '\r\n',
        value: '1',
      },
    ],
  ],
  ['YAML-style separator', 'A: b\n', [{ kind: 'entry', key: 'A', prefix: 'A: ', token: 'b', value: 'b' }]],
  ['a # without a space before it is part of the value', 'A=a#b\n', [{ kind: 'entry', value: 'a#b' }]],
  ['a tab before # does not start a comment', 'A=a\t#b\n', [{ kind: 'entry', token: 'a\t#b' }]],
  ['blanks after = are skipped first', 'A= # note\n', [{ kind: 'entry', token: '# note', value: '# note' }]],
  [
    'a lone CR at the end is whitespace, not a line ending',
    'A=x\r',
    [{ kind: 'entry', token: 'x', trailer: '\r', eol: '' }],
  ],
  [
    "single quotes: literal, \\' unescaped",
    "A='x \\' $y' # c\n",
    [{ kind: 'entry', quote: "'", token: "'x \\' $y'", trailer: ' # c', value: "x ' $y" }],
  ],
  [
    'double quotes: escapes decoded, \\$ kept for interpolation',
    'A="a\\nb\\$c\\0101\\q"',
    [{ kind: 'entry', quote: '"', value: 'a\nb$$cA\\q', eol: '' }],
  ],
  [
    'a quoted value spanning lines is one record',
    'A="l1\nl2"\nB=2\n',
    [
      { kind: 'entry', key: 'A', raw: 'A="l1\nl2"\n', token: '"l1\nl2"', value: 'l1\nl2' },
      { kind: 'entry', key: 'B', raw: 'B=2\n' },
    ],
  ],
  ['bare key', 'KEY\n', [{ kind: 'inherit', key: 'KEY', head: 'KEY', tail: '', eol: '\n' }]],
  [
    'bare exported key with trailing blanks',
    'export KEY  \r\n',
    [{ kind: 'inherit', key: 'KEY', exported: true, head: 'export KEY', tail: '  ', eol: '\r\n' }],
  ],
  [
    'comments and blank lines',
    '# c\n   \n\n\t# d',
    [{ kind: 'comment' }, { kind: 'blank' }, { kind: 'blank' }, { kind: 'comment', raw: '\t# d' }],
  ],
  ['a space inside a key', 'A B=1\n', [{ kind: 'invalid', reason: 'KEY_HAS_SPACE' }]],
  ['a character no key may hold', 'A$=1\n', [{ kind: 'invalid', reason: 'BAD_KEY_CHAR' }]],
  ['no key before =', '=1\n', [{ kind: 'invalid', reason: 'EMPTY_KEY' }]],
  ['a lone export', 'export\n', [{ kind: 'invalid', reason: 'EMPTY_KEY' }]],
  ['a quote never closed', 'A="x\n', [{ kind: 'invalid', reason: 'UNTERMINATED_QUOTE' }]],
  ['text after the closing quote', 'A="x" y\n', [{ kind: 'invalid', reason: 'TEXT_AFTER_QUOTE' }]],
  [
    'closed only on a later line and followed by text',
    'A="x\ny" z\nB=1\n',
    [
      { kind: 'invalid', reason: 'UNTERMINATED_QUOTE', raw: 'A="x\n' },
      { kind: 'invalid', raw: 'y" z\n' },
      { kind: 'entry', key: 'B' },
    ],
  ],
  ['empty body', '', []],
];

describe('parseRecords', () => {
  it.each(rows)('%s', (_name, body, expected) => {
    const records = parseRecords(body);
    expect(records).toMatchObject(expected);
    expect(records).toHaveLength(expected.length);
    // The byte-preserving promise: the records' raw text is the body, exactly.
    expect(records.map((r) => r.raw).join('')).toBe(body);
  });
});

describe('line bookkeeping', () => {
  it.each([
    ['A=1\n', '\n', 1],
    ['A=1\r\n', '\r\n', 1],
    ['A=1', '', 0],
    ['# c\r\n', '\r\n', 1],
    ['A="1\n2"\n', '\n', 2],
  ])('%j: line ending %j, %i LF', (body, eol, lf) => {
    const [record] = parseRecords(body) as [EnvRecord];
    expect(recordEol(record)).toBe(eol);
    expect(countLf(record.raw)).toBe(lf);
  });
});
