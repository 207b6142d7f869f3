/**
 * Go's way of reading bytes, on latin1 binary strings: the lexer's character decisions all come
 * down to these, so each rule is pinned against Go's documented behaviour (utf8.DecodeRuneInString,
 * unicode.IsSpace, compose-go's isSpace and key characters).
 */
import { describe, expect, it } from 'vitest';
import {
  binaryToText,
  decodeRune,
  isComposeSpace,
  isKeyChar,
  isUnicodeSpace,
  skipWhile,
  textToBinary,
  trimRightSpace,
} from '../../../electron/env/go-runes';

const bin = (...bytes: number[]) => Buffer.from(bytes).toString('latin1');

describe('decodeRune', () => {
  it.each([
    ['ASCII', bin(0x41), 0x41, 1],
    ['2-byte é', bin(0xc3, 0xa9), 0xe9, 2],
    ['3-byte あ', bin(0xe3, 0x81, 0x82), 0x3042, 3],
    ['4-byte emoji', bin(0xf0, 0x9f, 0x98, 0x80), 0x1f600, 4],
    ['overlong 2-byte', bin(0xc0, 0x80), 0xfffd, 1],
    ['overlong 3-byte', bin(0xe0, 0x80, 0x80), 0xfffd, 1],
    ['surrogate half', bin(0xed, 0xa0, 0x80), 0xfffd, 1],
    ['above U+10FFFF', bin(0xf4, 0x90, 0x80, 0x80), 0xfffd, 1],
    ['F5 lead byte', bin(0xf5, 0x80, 0x80, 0x80), 0xfffd, 1],
    ['lone continuation byte', bin(0x80), 0xfffd, 1],
    ['truncated 2-byte at the end', bin(0xc2), 0xfffd, 1],
    ['truncated 3-byte', bin(0xe3, 0x81, 0x41), 0xfffd, 1],
  ])('%s', (_name, s, cp, size) => {
    expect(decodeRune(s, 0)).toEqual({ cp, size });
  });

  it('reads every valid code point back with its UTF-8 length', () => {
    const boundaries = [0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff];
    for (const cp of boundaries) {
      const s = textToBinary(String.fromCodePoint(cp));
      expect(decodeRune(s, 0), cp.toString(16)).toEqual({ cp, size: s.length });
    }
  });

  it('decodes at an offset', () => {
    expect(decodeRune(`ab${textToBinary('あ')}`, 2)).toEqual({ cp: 0x3042, size: 3 });
  });
});

describe('character classes', () => {
  it.each([
    // cp, Go unicode.IsSpace, compose-go isSpace (no line breaks; only these few)
    [0x09, true, true],
    [0x0a, true, false],
    [0x0b, true, true],
    [0x0c, true, true],
    [0x0d, true, true],
    [0x20, true, true],
    [0x85, true, true],
    [0xa0, true, true],
    [0x1680, true, false],
    [0x2000, true, false],
    [0x200a, true, false],
    [0x200b, false, false],
    [0x2028, true, false],
    [0x3000, true, false],
    [0x41, false, false],
    [0xfffd, false, false],
  ])('U+%s: unicode space %s, compose space %s', (cp, unicode, compose) => {
    expect(isUnicodeSpace(cp)).toBe(unicode);
    expect(isComposeSpace(cp)).toBe(compose);
  });

  it.each([
    ['_', true],
    ['.', true],
    ['-', true],
    ['[', true],
    [']', true],
    ['a', true],
    ['Z', true],
    ['0', true],
    ['é', true],
    ['あ', true],
    ['٣', true],
    [' ', false],
    ['=', false],
    [':', false],
    ['$', false],
    ['#', false],
    ['/', false],
    ['😀', false],
  ])('key character %j: %s', (ch, expected) => {
    expect(isKeyChar(ch.codePointAt(0) as number)).toBe(expected);
  });
});

describe('skipWhile and trimRightSpace', () => {
  // U+3000 (3 bytes) + ' ' + 'a b' + ' ' + U+3000: byte offsets 0..3 | 3 | 4..7 | 7 | 8..11
  const s = textToBinary('\u3000 a b \u3000');

  it.each([
    ['leading Unicode spaces', 0, s.length, isUnicodeSpace, 4],
    ['only compose spaces: stops at U+3000', 0, s.length, isComposeSpace, 0],
    ['from inside the text', 5, s.length, isUnicodeSpace, 6],
    ['bounded by `to`', 0, 3, isUnicodeSpace, 3],
  ])('skipWhile: %s', (_name, from, to, pred, expected) => {
    expect(skipWhile(s, from, to, pred)).toBe(expected);
  });

  it.each([
    ['trailing Unicode spaces', s, 0, s.length, 7],
    ['all blank', textToBinary(' \u3000\t'), 0, 5, 0],
    ['an invalid byte is not a space', bin(0x41, 0xff, 0x20), 0, 3, 2],
    ['a range inside the string', s, 4, 6, 5],
  ])('trimRightSpace: %s', (_name, text, from, to, expected) => {
    expect(trimRightSpace(text, from, to)).toBe(expected);
  });
});

describe('binary strings', () => {
  it.each([
    ['ASCII stays as it is', 'KEY=1', 'KEY=1'],
    ['UTF-8 decodes', bin(0xc3, 0xa9), 'é'],
    ['an invalid byte becomes U+FFFD', bin(0x61, 0xff), 'a\ufffd'],
  ])('binaryToText: %s', (_name, input, expected) => {
    expect(binaryToText(input)).toBe(expected);
  });

  it('textToBinary is the UTF-8 bytes, one char each', () => {
    expect(textToBinary('é')).toBe(bin(0xc3, 0xa9));
    expect(binaryToText(textToBinary('日本語 ✓'))).toBe('日本語 ✓');
  });
});
