/**
 * fast-check generators of `.env` files built from the shapes real files have (and some they
 * should not): comments, blanks, `export`, spaces around `=`, `:` separators, unquoted values with
 * spaces and `#`, single/double quotes with escapes, multi-line quoted values, CRLF/LF per line,
 * BOM, missing final newline.
 */
import fc from 'fast-check';

export const KEY_POOL = ['A', 'B', 'C', 'TIMEOUT_1', 'x.y', 'k-2', 'LONG_NAME_WITH_WORDS'];

const plainChar = fc.constantFrom(...'abcXYZ019_-./:,@%+=*!?&()[]{}|<>~^`'.split(''), 'é', '日', '本');
const anyChar = fc.oneof(plainChar, fc.constantFrom(' ', '\t', '#', '"', "'", '\\', '$', '　'));

/** An unquoted value: what Compose reads from it is everything up to " #", trailing blanks trimmed. */
const unquoted = fc
  .tuple(
    plainChar,
    fc.array(fc.oneof(plainChar, fc.constantFrom(' ', '#', '"', "'", '\\')), { maxLength: 12 }),
  )
  .map(([first, rest]) => first + rest.join(''));

const doubleBody = fc
  .array(fc.oneof(plainChar, fc.constantFrom(' ', '#', "'", '\\"', '\\\\', '\\n', '\\t', '\n', '$$')), {
    maxLength: 10,
  })
  .map((parts) => parts.join(''));

const singleBody = fc
  .array(fc.oneof(plainChar, fc.constantFrom(' ', '#', '"', "\\'", '\n', '$')), { maxLength: 10 })
  .map((parts) => parts.join(''));

const valueText = fc.oneof(
  { weight: 3, arbitrary: unquoted },
  {
    weight: 1,
    arbitrary: fc.tuple(unquoted, fc.constantFrom(' # c', '  # note', '\t')).map(([v, c]) => v + c),
  },
  { weight: 2, arbitrary: doubleBody.map((b) => `"${b}"`) },
  { weight: 2, arbitrary: singleBody.map((b) => `'${b}'`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(doubleBody, fc.constantFrom(' # after', '#tight', '  '))
      .map(([b, c]) => `"${b}"${c}`),
  },
  { weight: 1, arbitrary: fc.constant('') },
);

const entryLine = fc
  .record({
    indent: fc.constantFrom('', ' ', '\t'),
    exported: fc.constantFrom('', 'export ', 'export\t'),
    key: fc.constantFrom(...KEY_POOL),
    before: fc.constantFrom('', ' ', '\t'),
    sep: fc.constantFrom('=', '=', '=', ':'),
    after: fc.constantFrom('', ' ', '  '),
    value: valueText,
  })
  .map((r) => r.indent + r.exported + r.key + r.before + r.sep + r.after + r.value);

const otherLine = fc.oneof(
  fc.constantFrom('', '   ', '\t'),
  fc.array(anyChar, { maxLength: 15 }).map((chars) => `# ${chars.join('')}`),
);

export interface GeneratedFile {
  bytes: Buffer;
}

/** A file Compose accepts (no invalid lines by construction). */
export const validEnvFile = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(
      fc.tuple(fc.oneof({ weight: 3, arbitrary: entryLine }, otherLine), fc.constantFrom('\n', '\r\n')),
      {
        maxLength: 12,
      },
    ),
    finalNewline: fc.boolean(),
  })
  .map(({ bom, lines, finalNewline }) => {
    let text = lines.map(([line, eol]) => line + eol).join('');
    if (!finalNewline && lines.length > 0) text = text.replace(/\r?\n$/, '');
    return Buffer.concat([
      bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
      Buffer.from(text, 'utf8'),
    ]);
  });

/** Any bytes at all, line-shaped, to check the parser never throws and never loses a byte. */
export const junkEnvFile = fc
  .array(fc.oneof(entryLine, otherLine, fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 12 })), {
    maxLength: 10,
  })
  .map((parts) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p + '\n', 'utf8') : Buffer.from(p)))),
  );

/** New values to set: anything a user could type, including quotes, `#`, `$`, backslashes, line breaks. */
export const newValue = fc.oneof(
  fc.array(anyChar, { maxLength: 12 }).map((chars) => chars.join('')),
  fc.constantFrom('10800', '600.0', '3600s', '', ' ', 'a b', '${X:-1}', 'x\ny', 'end\\', "it's"),
  fc.string({ maxLength: 12 }),
);
