import { isAlias, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { rfc3339Timestamp } from './go-time';
import { numericFor, resolvePlain, type Resolved } from './go-yaml-resolve';
import type { LoadedYaml } from './yaml-load';

/**
 * Decodes a parsed YAML node into a description of one of the plugin daemon's Go types, reporting what
 * gopkg.in/yaml.v3 would report when the daemon unmarshals the file (v3.0.1 decode.go and resolve.go):
 *
 * - a duplicate key in a mapping that is decoded (decoder.mapping); that mapping is then skipped, as
 *   yaml.v3 does. Keys the Go type does not have are never decoded, so duplicates below them are fine;
 * - a value of the wrong shape or type (decoder.terror: "cannot unmarshal !!str `abc` into int");
 * - scalars resolved as yaml.v3 resolves them (resolve.go): `yes` is text, `1_000` and `0o17` are ints,
 *   a typed bool also takes y/yes/on/n/no/off, a time takes an unquoted timestamp or quoted RFC 3339.
 *
 * The result is the decoded value as plain data: structs become objects holding only the Go fields'
 * YAML keys, values that fail to decode are left out (as yaml.v3 leaves zero values), `null` is absent.
 */

export type Path = readonly (string | number)[];

export type GoType =
  | { kind: 'string' | 'bool' | 'int' | 'uint' | 'float' | 'any' | 'time' | 'decimal' | 'node' }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'map'; elem: GoType }
  | { kind: 'struct'; fields: Readonly<Record<string, GoType>> }
  | { kind: 'custom'; decode: CustomDecode };

/** A Go type with its own UnmarshalYAML: gets every non-null node. */
export type CustomDecode = (node: YamlNode, decoder: GoYamlDecoder, path: Path) => unknown;

export type DecodeIssueCode =
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_TYPE'
  | 'YAML_SHAPE'
  | 'YAML_NOT_MAPPING'
  | 'USE_TEMPLATE_UNKNOWN'
  | 'CREDENTIALS_ENTRY_INVALID';

/** What a Go field takes, or what a YAML value is (i18n: plugins.yamlKinds.<kind>). */
export type YamlKind = 'text' | 'bool' | 'int' | 'number' | 'time' | 'list' | 'mapping' | 'scalar';

export interface DecodeIssue {
  code: DecodeIssueCode;
  node: YamlNode | null;
  path: Path;
  params: Record<string, string | number>;
}

export const T = {
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  int: { kind: 'int' },
  uint: { kind: 'uint' },
  float: { kind: 'float' },
  any: { kind: 'any' },
  time: { kind: 'time' },
  decimal: { kind: 'decimal' },
  node: { kind: 'node' },
  slice: (elem: GoType): GoType => ({ kind: 'slice', elem }),
  map: (elem: GoType): GoType => ({ kind: 'map', elem }),
  struct: (fields: Record<string, GoType>): GoType => ({ kind: 'struct', fields }),
  custom: (decode: CustomDecode): GoType => ({ kind: 'custom', decode }),
} as const satisfies Record<string, GoType | ((...a: never[]) => GoType)>;

const BOOL_WORDS: Record<string, boolean> = {
  y: true, Y: true, yes: true, Yes: true, YES: true, on: true, On: true, ON: true,
  n: false, N: false, no: false, No: false, NO: false, off: false, Off: false, OFF: false,
}; // prettier-ignore
const DECIMAL_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export class GoYamlDecoder {
  readonly issues: DecodeIssue[] = [];
  private readonly aliasStack = new Set<YamlNode>();

  private readonly doc: LoadedYaml['doc'];

  constructor(private readonly yaml: LoadedYaml) {
    this.doc = yaml.doc;
  }

  /** Decodes the document's root (an empty document decodes to nothing, without errors). */
  decodeRoot(type: GoType): unknown {
    const root = (this.doc?.contents ?? null) as YamlNode | null;
    const isStructLike = type.kind === 'struct' || type.kind === 'custom';
    if (root && isStructLike && !isMap(root) && !this.isNull(root)) {
      this.issue('YAML_NOT_MAPPING', root, [], {});
      return undefined;
    }
    return this.decode(root, type, []);
  }

  decode(node: YamlNode | null | undefined, type: GoType, path: Path): unknown {
    if (!node) return undefined;
    if (isAlias(node)) return this.decodeAlias(node, type, path);
    if (type.kind === 'node') return node;
    if (this.isNull(node)) return undefined;
    if (type.kind === 'custom') return type.decode(node, this, path);
    if (isMap(node)) return this.decodeMapping(node, type, path);
    if (isSeq(node)) return this.decodeSequence(node, type, path);
    if (isScalar(node)) return this.decodeScalar(node, type, path);
    return undefined;
  }

  issue(
    code: DecodeIssueCode,
    node: YamlNode | null,
    path: Path,
    params: Record<string, string | number>,
  ): void {
    this.issues.push({ code, node, path, params: { field: fieldName(path), ...params } });
  }

  /** The node an alias points to (custom decoders look at node kinds, as the Go code does). */
  resolve(node: YamlNode | null | undefined): YamlNode | null {
    let cur = node ?? null;
    for (let hops = 0; cur && isAlias(cur) && hops < 100; hops++) {
      cur = (this.doc ? (cur.resolve(this.doc) as YamlNode | undefined) : undefined) ?? null;
    }
    return cur;
  }

  /** True for an empty value, `~` or `null` (yaml.v3 leaves the Go zero value). */
  isNull(node: YamlNode | null | undefined): boolean {
    const n = this.resolve(node);
    return !n || (isScalar(n) && isPlain(n) && resolvePlain(String(n.value)).tag === 'null');
  }

  /** Entries of a mapping node (aliases resolved); keys as yaml.v3 sees them (`Value`). */
  entries(node: YamlNode): { key: string; keyNode: YamlNode | null; value: YamlNode | null }[] {
    const n = this.resolve(node);
    if (!n || !isMap(n)) return [];
    return n.items.map((pair) => {
      const keyNode = this.resolve(pair.key as YamlNode | null);
      return {
        key: keyNode && isScalar(keyNode) ? String(keyNode.value ?? '') : '',
        keyNode,
        value: (pair.value ?? null) as YamlNode | null,
      };
    });
  }

  private decodeAlias(node: YamlNode, type: GoType, path: Path): unknown {
    if (this.aliasStack.has(node)) return undefined;
    this.aliasStack.add(node);
    try {
      return this.decode(this.resolve(node), type, path);
    } finally {
      this.aliasStack.delete(node);
    }
  }

  private decodeMapping(node: YamlNode, type: GoType, path: Path): unknown {
    if (type.kind === 'time' || type.kind === 'decimal') return undefined; // structs without YAML fields
    if (type.kind !== 'struct' && type.kind !== 'map' && type.kind !== 'any') {
      this.typeError(node, type, path);
      return undefined;
    }
    const entries = this.entries(node);
    if (this.reportDuplicates(entries, path)) return undefined;
    const out: Record<string, unknown> = {};
    const merges: (YamlNode | null)[] = [];
    for (const { key, keyNode, value } of entries) {
      if (keyNode && isScalar(keyNode) && isPlain(keyNode) && key === '<<') {
        merges.push(value);
        continue;
      }
      if (!keyNode || !isScalar(keyNode)) continue;
      const fieldType = type.kind === 'struct' ? type.fields[key] : type.kind === 'map' ? type.elem : T.any;
      if (!fieldType) continue;
      const decoded = this.decode(value, fieldType, [...path, key]);
      if (decoded !== undefined) out[key] = decoded;
    }
    // yaml.v3 applies `<<` after the mapping's own keys, filling only what they left unset.
    for (const value of merges) this.merge(value, type, path, out);
    return out;
  }

  /** `<<: *anchor` fills the keys the mapping does not set itself. */
  private merge(value: YamlNode | null, type: GoType, path: Path, out: Record<string, unknown>): void {
    const target = this.resolve(value);
    const sources = target && isSeq(target) ? target.items.map((i) => this.resolve(i as YamlNode)) : [target];
    for (const source of sources) {
      const merged = source && isMap(source) ? this.decodeMapping(source, type, path) : undefined;
      if (merged && typeof merged === 'object') {
        for (const [k, v] of Object.entries(merged)) if (!(k in out)) out[k] = v;
      }
    }
  }

  private reportDuplicates(entries: { key: string; keyNode: YamlNode | null }[], path: Path): boolean {
    let found = false;
    const seen = new Map<string, YamlNode>();
    for (const { key, keyNode } of entries) {
      if (!keyNode || !isScalar(keyNode)) continue;
      const first = seen.get(key);
      if (first) {
        const firstLine = this.lineOf(first);
        this.issue('YAML_DUPLICATE_KEY', keyNode, [...path, key], { key, firstLine });
        found = true;
      } else seen.set(key, keyNode);
    }
    return found;
  }

  private decodeSequence(node: YamlNode, type: GoType, path: Path): unknown {
    if (!isSeq(node)) return undefined;
    if (type.kind !== 'slice' && type.kind !== 'any') {
      this.typeError(node, type, path);
      return undefined;
    }
    const elem = type.kind === 'slice' ? type.elem : T.any;
    const out: unknown[] = [];
    node.items.forEach((item, i) => {
      const decoded = this.decode(item as YamlNode, elem, [...path, i]);
      if (decoded !== undefined) out.push(decoded);
    });
    return out;
  }

  private decodeScalar(node: YamlNode, type: GoType, path: Path): unknown {
    if (!isScalar(node)) return undefined;
    const text = String(node.value ?? '');
    const resolved: Resolved = isPlain(node) ? resolvePlain(text) : { tag: 'str', value: text };
    if (resolved.tag === 'null') return undefined;
    switch (type.kind) {
      case 'string':
        return text;
      case 'any':
        return resolvedValue(resolved, text);
      case 'bool':
        if (resolved.tag === 'bool') return resolved.value;
        if (resolved.tag === 'str' && text in BOOL_WORDS) return BOOL_WORDS[text];
        break;
      case 'int':
      case 'uint':
      case 'float': {
        const n = numericFor(type.kind, resolved);
        if (n !== undefined) return n;
        break;
      }
      case 'time': {
        // time.Time: an unquoted timestamp resolves directly; anything else goes through its
        // UnmarshalText, which takes RFC 3339 only.
        const t = resolved.tag === 'timestamp' ? resolved.value : rfc3339Timestamp(text);
        if (t) return t;
        break;
      }
      case 'decimal':
        // shopspring/decimal's UnmarshalText (the daemon's price fields).
        if (DECIMAL_TEXT.test(text)) return text;
        break;
      default:
        break;
    }
    this.typeError(node, type, path);
    return undefined;
  }

  private typeError(node: YamlNode, type: GoType, path: Path): void {
    const expected = expectedKind(type);
    if (isScalar(node) && expected !== 'list' && expected !== 'mapping') {
      const text = String(node.value ?? '');
      const value = text.length > 40 ? `${text.slice(0, 37)}...` : text;
      this.issue('YAML_TYPE', node, path, { expected, value });
    } else {
      this.issue('YAML_SHAPE', node, path, { expected, actual: actualKind(node) });
    }
  }

  private lineOf(node: YamlNode): number {
    return node.range ? this.yaml.lines.linePos(node.range[0]).line : 0;
  }
}

function isPlain(node: YamlNode): boolean {
  return isScalar(node) && (node.type === 'PLAIN' || node.type === undefined) && !node.tag;
}

function resolvedValue(r: Resolved, text: string): unknown {
  switch (r.tag) {
    case 'bool':
    case 'int':
    case 'float':
    case 'str':
      return r.value;
    case 'timestamp':
      return text;
    default:
      return text;
  }
}

/** `parameters[2].required` */
export function fieldName(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

function expectedKind(type: GoType): YamlKind {
  switch (type.kind) {
    case 'string':
      return 'text';
    case 'bool':
      return 'bool';
    case 'int':
    case 'uint':
      return 'int';
    case 'float':
    case 'decimal':
      return 'number';
    case 'time':
      return 'time';
    case 'slice':
      return 'list';
    default:
      return 'mapping';
  }
}

function actualKind(node: YamlNode): YamlKind {
  return isMap(node) ? 'mapping' : isSeq(node) ? 'list' : 'scalar';
}
