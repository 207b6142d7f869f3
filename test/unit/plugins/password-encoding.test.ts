import { describe, expect, it } from 'vitest';
import {
  classifyLoginRefusal,
  difyDecodesBase64,
  encodePassword,
  firstEncoding,
  refusalIsConclusive,
} from '../../../electron/plugins/password-encoding';
import { pythonB64decodeUtf8 } from '../../doubles/dify-console';

/** `base64.b64decode(s).decode("utf-8")` succeeds? — each row checked with CPython 3.11. */
const PYTHON = [
  ['Abcd1234', false], // decodes to bytes that are not UTF-8
  ['Secr3t!pass', false], // "Incorrect padding" (the `!` is skipped)
  ['p@ssw0rd', false],
  ['pass-word!', false],
  ['Zm9vYmFy', true], // "foobar"
  ['Zm9v!YmFy', true], // characters outside the alphabet are skipped
  ['Y W J j', true],
  ['YW=Jj', true], // an incomplete pad does not end the input
  ['ab==cd', true], // a complete one does: "i"
  ['YWJj====', true],
  ['QWJjZDEyMzQ=', true],
  ['', true],
  ['abc', false], // a dangling quad
  ['a===', false],
  ['ab=c', false],
  ['ab=', false],
  ['gA==', false], // 0x80 alone is not UTF-8
  ['7aCA', false], // an encoded surrogate is not UTF-8 either
  ['日本語pass1', false], // a non-ASCII str is refused
] as const;

describe("difyDecodesBase64: what Dify ≥ 1.11.2's decoder accepts", () => {
  it.each(PYTHON)('%j → %s', (text, decodable) => {
    expect(difyDecodesBase64(text)).toBe(decodable);
    // The double models the same decoder on its own: both must agree with Python.
    expect(pythonB64decodeUtf8(text) !== null).toBe(decodable);
  });

  it('every base64 the client sends decodes', () => {
    for (const p of ['Abcd1234', 'Secr3t!pass', 'パスワード1a', 'x']) {
      expect(difyDecodesBase64(encodePassword(p, 'base64'))).toBe(true);
      expect(pythonB64decodeUtf8(encodePassword(p, 'base64'))).toBe(p);
    }
  });
});

describe('firstEncoding', () => {
  it.each([
    [{ known: 'base64', remembered: 'plain', password: 'Abcd1234' }, 'base64'],
    [{ known: 'plain', remembered: null, password: 'Zm9vYmFy' }, 'plain'],
    [{ known: null, remembered: 'base64', password: 'Abcd1234' }, 'base64'],
    [{ known: null, remembered: null, password: 'Abcd1234' }, 'plain'], // refused for free by ≥ 1.11.2
    [{ known: null, remembered: null, password: 'Zm9vYmFy' }, 'base64'], // ≥ 1.11.2 would judge it
  ] as const)('%j → %s', (input, expected) => {
    expect(firstEncoding(input)).toBe(expected);
  });
});

describe('classifyLoginRefusal', () => {
  const answer = (status: number, code: string, message: string, params = '') => ({
    status,
    code,
    message,
    params,
  });
  const format = answer(
    400,
    'invalid_param',
    'Password must contain letters and numbers, and the length must be greater than 8.',
    'password',
  );
  it.each([
    [answer(401, 'authentication_failed', 'Invalid encrypted data'), 'plain', 'wrong-form'],
    [format, 'base64', 'wrong-form'],
    [format, 'plain', 'bad-password'],
    [answer(401, 'authentication_failed', 'Invalid email or password.'), 'base64', 'judged'],
    [answer(400, 'email_or_password_mismatch', 'The email or password is mismatched.'), 'plain', 'judged'],
    [answer(429, 'email_code_login_limit', 'Too many incorrect password attempts.'), 'plain', 'locked'],
    [answer(400, 'invalid_param', 'x is not a valid email.', 'email'), 'plain', null],
    [answer(403, 'forbidden', 'nope'), 'plain', null],
  ] as const)('%j sent %s → %s', (a, sent, kind) => {
    expect(classifyLoginRefusal(a, sent)?.kind ?? null).toBe(kind);
  });

  it('1.0–1.7 show their plain-password era in the refusal itself', () => {
    const mismatch = answer(400, 'email_or_password_mismatch', 'The email or password is mismatched.');
    expect(classifyLoginRefusal(mismatch, 'base64')).toMatchObject({ kind: 'judged', plainEra: true });
    const failed = answer(401, 'authentication_failed', 'Invalid email or password.');
    expect(classifyLoginRefusal(failed, 'base64')).toMatchObject({ kind: 'judged', plainEra: false });
  });
});

describe('refusalIsConclusive', () => {
  it.each([
    [{ sent: 'base64', proven: true, plainEra: false, password: 'Zm9vYmFy' }, true],
    [{ sent: 'base64', proven: false, plainEra: false, password: 'Abcd1234' }, false],
    [{ sent: 'base64', proven: false, plainEra: true, password: 'Abcd1234' }, false],
    [{ sent: 'plain', proven: false, plainEra: false, password: 'Abcd1234' }, true],
    [{ sent: 'plain', proven: false, plainEra: false, password: 'Zm9vYmFy' }, false],
    [{ sent: 'plain', proven: false, plainEra: true, password: 'Zm9vYmFy' }, true],
  ] as const)('%j → %s', (input, expected) => {
    expect(refusalIsConclusive(input)).toBe(expected);
  });
});
