/**
 * Reading a "binary string" (latin1: one char per byte) the way Go reads the same bytes: UTF-8
 * decoding with Go's replacement rule and the character classes compose-go's dotenv parser uses.
 * The `.env` lexer works on bytes so files that are not valid UTF-8 round-trip exactly; these
 * helpers let it still classify characters as Compose does (compose-go, dotenv/parser.go).
 */

// Character classes, on code points, as Go defines them.

/** Go's unicode.IsSpace. */
export function isUnicodeSpace(cp: number): boolean {
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
export function isComposeSpace(cp: number): boolean {
  return (
    cp === 0x09 || cp === 0x0b || cp === 0x0c || cp === 0x0d || cp === 0x20 || cp === 0x85 || cp === 0xa0
  );
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

export function isKeyChar(cp: number): boolean {
  if (cp === 0x5f || cp === 0x2e || cp === 0x2d || cp === 0x5b || cp === 0x5d) return true; // _ . - [ ]
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a);
  return LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
}

const REPLACEMENT = 0xfffd;

/** Decodes one UTF-8 sequence of a binary string like Go's utf8.DecodeRuneInString (bad byte → U+FFFD, 1). */
export function decodeRune(s: string, i: number): { cp: number; size: number } {
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

export function skipWhile(s: string, from: number, to: number, pred: (cp: number) => boolean): number {
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
export function trimRightSpace(s: string, from: number, to: number): number {
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

export function binaryToText(bin: string): string {
  return !/[\x80-\xff]/.test(bin) ? bin : Buffer.from(bin, 'latin1').toString('utf8');
}

export function textToBinary(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
