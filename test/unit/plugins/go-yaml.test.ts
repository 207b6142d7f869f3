/**
 * The pure parts that make our reading of plugin YAML agree with Go's gopkg.in/yaml.v3 (the plugin
 * daemon's parser): loading, scalar resolution, typed decoding, timestamps and filepath.Match.
 */
import { describe, expect, it } from 'vitest';
import { goGlobMatch, BadPatternError } from '../../../electron/plugins/go-glob';
import { goTimestamp, rfc3339Timestamp } from '../../../electron/plugins/go-time';
import { GoYamlDecoder, T, type GoType } from '../../../electron/plugins/go-yaml-decode';
import { resolvePlain } from '../../../electron/plugins/go-yaml-resolve';
import { pythonDependencies } from '../../../electron/plugins/python-deps';
import { loadYaml, relaxQuotedScalarIndent } from '../../../electron/plugins/yaml-load';

function decode(text: string, type: GoType): { value: unknown; issues: { code: string; field: unknown }[] } {
  const loaded = loadYaml(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const d = new GoYamlDecoder(loaded.yaml);
  const value = d.decodeRoot(type);
  return { value, issues: d.issues.map((i) => ({ code: i.code, field: i.params.field })) };
}

describe('loadYaml', () => {
  it('reads a quoted scalar whose continuation lines are indented like its key, keeping line numbers', () => {
    const text = 'a:\n  b: "one\n  two"\n  c: 1\n';
    const loaded = loadYaml(text);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.yaml.doc?.toJS()).toEqual({ a: { b: 'one two', c: '1' } });
    const c = loaded.yaml.doc?.getIn(['a', 'c'], true) as { range: [number] };
    expect(loaded.yaml.lines.linePos(c.range[0]).line).toBe(4);
  });

  it('leaves a quoted scalar alone when its value would change or it never closes', () => {
    expect(relaxQuotedScalarIndent('a: "x\n---\ny"\n')).toBe('a: "x\n---\ny"\n');
    const open = 'a:\n  b: "never closed\n  c: 1\n';
    expect(relaxQuotedScalarIndent(open)).toBe(open);
  });

  it('reports only the first syntax error, with its position', () => {
    const loaded = loadYaml('a: [1\nb: {2\nc: "3\n');
    expect(loaded).toMatchObject({
      ok: false,
      error: { line: expect.any(Number), column: expect.any(Number) },
    });
  });

  it('keeps duplicate keys (the decoder decides where they matter), strips a BOM, reads the first document only', () => {
    expect(loadYaml('\uFEFFa: 1\na: 2\n---\nb: [\n').ok).toBe(true);
  });
});

describe('resolvePlain (yaml.v3 resolve)', () => {
  it.each([
    ['', 'null'],
    ['~', 'null'],
    ['Null', 'null'],
    ['true', 'bool'],
    ['FALSE', 'bool'],
    ['yes', 'str'],
    ['on', 'str'],
    ['12', 'int'],
    ['-0x1F', 'int'],
    ['0o17', 'int'],
    ['0b101', 'int'],
    ['1_000', 'int'],
    ['0777', 'int'],
    ['08', 'float'],
    ['1.5', 'float'],
    ['1e3', 'float'],
    ['.inf', 'float'],
    ['2025-01-31', 'timestamp'],
    ['2025-7-1T9:5:3.25+09:00', 'timestamp'],
    ['1.0.1', 'str'],
    ['0.1.0', 'str'],
    ['abc', 'str'],
  ])('%j → %s', (text, tag) => {
    expect(resolvePlain(text).tag).toBe(tag);
  });
});

describe('go-time', () => {
  it.each([
    ['2025-07-01T19:52:25.9415484+08:00', true],
    ['2025-07-01t19:52:25Z', true],
    ['2025-07-01 19:52:25', true],
    ['2025-07-01', true],
    ['2025-02-30', false],
    ['2025-07-01T24:00:00Z', false],
    ['2025-07-01T19:52:25+0800', false],
  ])('yaml timestamp %s → %s', (text, ok) => {
    expect(goTimestamp(text) !== null).toBe(ok);
  });

  it('takes only RFC 3339 through UnmarshalText, and knows the zero time', () => {
    expect(rfc3339Timestamp('2025-09-09T00:13:50.29298939-04:00')).not.toBeNull();
    expect(rfc3339Timestamp('2025-09-09')).toBeNull();
    expect(goTimestamp('0001-01-01T00:00:00Z')?.zero).toBe(true);
    expect(goTimestamp('0001-01-01T00:00:00+01:00')?.zero).toBe(false);
  });
});

describe('GoYamlDecoder', () => {
  const S = T.struct({
    flag: T.bool,
    n: T.int,
    size: T.uint,
    f: T.float,
    s: T.string,
    at: T.time,
    list: T.slice(T.string),
  });

  it('decodes like yaml.v3: typed bools take yes/no, ints truncate floats, strings take any scalar', () => {
    const { value, issues } = decode(
      'flag: yes\nn: 2.9\nsize: 3\nf: 1\ns: 1.0\nat: 2025-01-31\nlist: [a, 1]\n',
      S,
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({
      flag: true,
      n: 2,
      size: 3,
      f: 1,
      s: '1.0',
      at: { text: '2025-01-31', zero: false },
      list: ['a', '1'],
    });
  });

  it.each([
    ['flag: maybe', 'YAML_TYPE', 'flag'],
    ['n: "12"', 'YAML_TYPE', 'n'],
    ['size: -1', 'YAML_TYPE', 'size'],
    ['at: "2025-01-31"', 'YAML_TYPE', 'at'],
    ['s: [a]', 'YAML_SHAPE', 's'],
    ['list: a', 'YAML_SHAPE', 'list'],
    ['list: [[a]]', 'YAML_SHAPE', 'list[0]'],
  ])('%s → %s at %s', (text, code, field) => {
    expect(decode(text, S).issues).toEqual([{ code, field }]);
  });

  it('reports a duplicate key in a decoded mapping and skips that mapping, but not under unknown keys', () => {
    const type = T.struct({ a: T.struct({ x: T.string }), m: T.map(T.any) });
    expect(decode('a:\n  x: 1\n  x: 2\n', type)).toEqual({
      value: {},
      issues: [{ code: 'YAML_DUPLICATE_KEY', field: 'a.x' }],
    });
    expect(decode('m:\n  deep:\n    k: 1\n    k: 2\n', type).issues).toEqual([
      { code: 'YAML_DUPLICATE_KEY', field: 'm.deep.k' },
    ]);
    expect(decode('extra:\n  help: 1\n  help: 2\na: {x: y}\n', type)).toEqual({
      value: { a: { x: 'y' } },
      issues: [],
    });
  });

  it('follows anchors and merge keys, and takes null as the zero value', () => {
    const type = T.struct({
      a: T.struct({ x: T.string, y: T.string }),
      b: T.struct({ x: T.string, y: T.string }),
      n: T.int,
    });
    const { value, issues } = decode('a: &base {x: 1, y: 2}\nb:\n  <<: *base\n  y: 3\nn: ~\n', type);
    expect(issues).toEqual([]);
    expect(value).toEqual({ a: { x: '1', y: '2' }, b: { x: '1', y: '3' } });
  });

  it('calls a non-mapping root not a mapping', () => {
    expect(decode('- a\n', T.struct({})).issues).toEqual([{ code: 'YAML_NOT_MAPPING', field: '' }]);
  });
});

describe('goGlobMatch (filepath.Match)', () => {
  it.each([
    ['models/llm/*.yaml', 'models/llm/gpt-4.yaml', true],
    ['models/llm/*.yaml', 'models/llm/sub/gpt.yaml', false],
    ['models/*/x.yaml', 'models/llm/x.yaml', true],
    ['models/llm/?.yaml', 'models/llm/a.yaml', true],
    ['models/llm/[a-c].yaml', 'models/llm/b.yaml', true],
    ['models/llm/[^a-c].yaml', 'models/llm/b.yaml', false],
    ['models/llm/\\*.yaml', 'models/llm/*.yaml', true],
    ['models/llm/*.yaml', 'models/llm/.hidden.yaml', true],
  ])('%s ~ %s → %s', (pattern, name, ok) => {
    expect(goGlobMatch(pattern, name)).toBe(ok);
  });

  it.each(['models/[*.yaml', 'models/x\\', 'models/[]a].yaml', 'models/[a-].yaml'])(
    '%s is a bad pattern',
    (p) => {
      expect(() => goGlobMatch(p, 'x')).toThrow(BadPatternError);
    },
  );
});

describe('pythonDependencies (setup_python_environment.go, packager.go)', () => {
  const files = (...names: string[]): Set<string> => new Set(names);
  const disk = (req: boolean, py: boolean, lock: boolean) => ({
    requirementsTxt: req,
    pyprojectToml: py,
    uvLock: lock,
  });

  it.each([
    [['pyproject.toml', 'uv.lock'], disk(false, true, true), 'uv-sync-frozen', true],
    [['pyproject.toml'], disk(false, true, true), 'uv-sync', true],
    [['pyproject.toml'], disk(false, true, false), 'uv-sync', false],
    [['pyproject.toml', 'uv.lock', 'requirements.txt'], disk(true, true, true), 'uv-sync-frozen', false],
    [['requirements.txt'], disk(true, false, false), 'pip-requirements', false],
    [[], disk(false, false, false), 'none', false],
  ] as const)('%j → %s', (names, onDisk, install, officialAdds) => {
    expect(pythonDependencies(files(...names), onDisk)).toMatchObject({
      install,
      officialAddsRequirements: officialAdds,
    });
  });
});
