import { goTimestamp, type GoTime } from './go-time';

/**
 * How gopkg.in/yaml.v3 (v3.0.1 resolve.go, resolve) reads an untagged plain scalar, and which numbers
 * its decoder (decode.go, decoder.scalar) puts into an int, uint or float field.
 */

/** A resolved plain scalar: what yaml.v3's resolve() returns for it. */
export type Resolved =
  | { tag: 'null' }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: number }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp'; value: GoTime }
  | { tag: 'str'; value: string }
  | { tag: 'merge' };

const MAX_INT64 = 2n ** 63n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** yaml.v3 resolve() for an untagged plain scalar. */
export function resolvePlain(text: string): Resolved {
  switch (text) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return { tag: 'null' };
    case 'true':
    case 'True':
    case 'TRUE':
      return { tag: 'bool', value: true };
    case 'false':
    case 'False':
    case 'FALSE':
      return { tag: 'bool', value: false };
    case '<<':
      return { tag: 'merge' };
    default:
      break;
  }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text))
    return { tag: 'float', value: text[0] === '-' ? -Infinity : Infinity };
  if (/^\.(nan|NaN|NAN)$/.test(text)) return { tag: 'float', value: NaN };
  const first = text[0] ?? '';
  if (first === '.') {
    const f = goParseFloat(text);
    return f === undefined ? { tag: 'str', value: text } : { tag: 'float', value: f };
  }
  if (!/[-+0-9]/.test(first)) return { tag: 'str', value: text };
  const time = goTimestamp(text);
  if (time) return { tag: 'timestamp', value: time };
  const plain = text.replace(/_/g, '');
  const int = goParseInt(plain);
  if (int !== undefined) return { tag: 'int', value: int };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = goParseFloat(plain);
    if (f !== undefined) return { tag: 'float', value: f };
  }
  const prefixed = /^(-?)0([bo])([0-9]+)$/.exec(plain);
  if (prefixed) {
    const v = parseBigInt(prefixed[3] ?? '', prefixed[2] === 'b' ? 2 : 8);
    if (v !== undefined) return { tag: 'int', value: Number(prefixed[1] ? -v : v) };
  }
  return { tag: 'str', value: text };
}

/** strconv.ParseInt(s, 0, 64), falling back to ParseUint as yaml.v3 does. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  const [, sign, , hex, oct, bin, legacyOct, dec] = m;
  const v =
    hex !== undefined
      ? parseBigInt(hex, 16)
      : oct !== undefined
        ? parseBigInt(oct, 8)
        : bin !== undefined
          ? parseBigInt(bin, 2)
          : legacyOct !== undefined
            ? parseBigInt(legacyOct || '0', 8)
            : parseBigInt(dec ?? '', 10);
  if (v === undefined) return undefined;
  if (sign === '-') return v <= MAX_INT64 + 1n ? Number(-v) : undefined;
  return v <= MAX_UINT64 ? Number(v) : undefined;
}

function parseBigInt(digits: string, base: number): bigint | undefined {
  if (digits === '') return undefined;
  let v = 0n;
  for (const ch of digits.toLowerCase()) {
    const d = parseInt(ch, base);
    if (Number.isNaN(d)) return undefined;
    v = v * BigInt(base) + BigInt(d);
  }
  return v;
}

function goParseFloat(s: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

export function numericFor(kind: 'int' | 'uint' | 'float', r: Resolved): number | undefined {
  if (r.tag !== 'int' && r.tag !== 'float') return undefined;
  const v = r.value;
  if (kind === 'float') return v;
  if (Number.isNaN(v) || !Number.isFinite(v)) return undefined;
  // decoder.scalar truncates a float that fits into an int field.
  const whole = Math.trunc(v);
  if (kind === 'uint') return whole >= 0 && whole <= Number(MAX_UINT64) ? whole : undefined;
  return Math.abs(whole) <= Number(MAX_INT64) ? whole : undefined;
}
