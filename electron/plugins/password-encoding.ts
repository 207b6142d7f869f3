import type { PasswordEncoding } from './auth-era';

/**
 * Which form of the password to send when Dify's version is not known, and what a refusal proves.
 *
 * Every failed login counts toward Dify's lock-out (more than 5 since the last success lock the
 * account for 24 h — shared/facts.md), so the rule is: at most ONE counted failure per login attempt.
 * Two refusals do not count, because Dify raises them before it authenticates (checked in Dify's source):
 *  - ≥ 1.11.2 decodes the password in the `decrypt_password_field` decorator, which runs before the
 *    handler's rate-limit check and `AccountService.authenticate`; an undecodable one → 401
 *    "Invalid encrypted data". Its decoder is Python's lenient `base64.b64decode` + strict UTF-8.
 *  - ≤ 1.8.1 and 2.0.0-beta validate the request (`valid_password`, `^(?=.*[a-zA-Z])(?=.*\d).{8,}$`) in
 *    `parse_args`, before the lock-out check → 400 invalid_param naming the password.
 * Only `AccountPasswordError` (a judged, wrong password) calls `add_login_error_rate_limit`.
 *
 * So a refusal of the *form* is free and proves the other form; a judged refusal costs one and is
 * conclusive only when the form sent is proven right for this server. When it is not (the version is
 * unknown and nothing proved the form), the login stops anyway — a wrong password then costs exactly
 * one failure — and the other form goes first next time, so a right password costs at most one.
 */

export function encodePassword(password: string, encoding: PasswordEncoding): string {
  return encoding === 'base64' ? Buffer.from(password, 'utf8').toString('base64') : password;
}

export function otherEncoding(encoding: PasswordEncoding): PasswordEncoding {
  return encoding === 'base64' ? 'plain' : 'base64';
}

/**
 * Would Dify ≥ 1.11.2 take this text as a base64 password? Python's `base64.b64decode(s)` (validate
 * off: characters outside the alphabet are skipped, a complete `=` pad ends the input, a dangling
 * quad is an error; a non-ASCII str is refused) followed by `.decode("utf-8")`.
 */
export function difyDecodesBase64(text: string): boolean {
  if ([...text].some((ch) => ch.charCodeAt(0) > 0x7f)) return false;
  const bytes: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const ch of text) {
    if (ch === '=') {
      if (quad >= 2 && quad + ++pads >= 4) return isUtf8(bytes);
      continue;
    }
    const v = ALPHABET.indexOf(ch);
    if (v < 0) continue;
    pads = 0;
    if (quad === 0) left = v;
    else if (quad === 1) {
      bytes.push(((left << 2) | (v >> 4)) & 0xff);
      left = v & 0x0f;
    } else if (quad === 2) {
      bytes.push(((left << 4) | (v >> 2)) & 0xff);
      left = v & 0x03;
    } else bytes.push(((left << 6) | v) & 0xff);
    quad = (quad + 1) % 4;
  }
  return quad === 0 && isUtf8(bytes);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function isUtf8(bytes: number[]): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/**
 * The form to send first: the one the version says; else the one that worked (or was proven) here
 * before; else plain when Dify ≥ 1.11.2 could not decode it (then every era either judges it rightly
 * or refuses it for free), and base64 otherwise (what current Dify wants).
 */
export function firstEncoding(input: {
  known: PasswordEncoding | null;
  remembered: PasswordEncoding | null;
  password: string;
}): PasswordEncoding {
  if (input.known) return input.known;
  if (input.remembered) return input.remembered;
  return difyDecodesBase64(input.password) ? 'base64' : 'plain';
}

/** How Dify answered a refused login, as far as the form of the password is concerned. */
export type LoginRefusal =
  /** The form was wrong; not counted. The other form is the right one. */
  | { kind: 'wrong-form'; message: string }
  /** The plain password fails Dify's format check, so it cannot be the account's; not counted. */
  | { kind: 'bad-password'; message: string }
  /** Dify judged the password and refused it; counted. `plainEra`: the answer itself shows ≤ 1.7. */
  | { kind: 'judged'; message: string; plainEra: boolean }
  /** Too many failures: logins are locked (429). */
  | { kind: 'locked'; message: string };

const CREDENTIAL_CODES = new Set([
  'authentication_failed',
  'email_or_password_mismatch',
  'account_not_found',
  'invalid_email',
]);

export function classifyLoginRefusal(
  answer: { status: number; code: string; message: string; params: string },
  sent: PasswordEncoding,
): LoginRefusal | null {
  const { status, code, message } = answer;
  if (status === 429) return { kind: 'locked', message };
  if (status === 401 && /invalid encrypted data/i.test(message)) return { kind: 'wrong-form', message };
  const formatCheck =
    status === 400 &&
    code === 'invalid_param' &&
    (answer.params === 'password' || /password must contain letters and numbers/i.test(message));
  if (formatCheck)
    return sent === 'base64' ? { kind: 'wrong-form', message } : { kind: 'bad-password', message };
  if (status === 401 || (status === 400 && CREDENTIAL_CODES.has(code))) {
    // 400 email_or_password_mismatch is what 1.0–1.7 answer; ≥ 1.8 answer 401 authentication_failed.
    return { kind: 'judged', message, plainEra: code === 'email_or_password_mismatch' };
  }
  return null;
}

/**
 * Is a judged refusal of `sent` the password's fault? Yes when the form was proven right (by the
 * version or a free refusal of the other form), when the answer shows a plain-password era and plain
 * was sent, or when plain was sent that Dify ≥ 1.11.2 could not decode (such a Dify would have refused
 * it for free, so this one takes plain). A refused base64 password never proves it: 1.9–1.11.1 judge
 * it as a wrong plain password.
 */
export function refusalIsConclusive(input: {
  sent: PasswordEncoding;
  proven: boolean;
  plainEra: boolean;
  password: string;
}): boolean {
  if (input.proven) return true;
  if (input.sent !== 'plain') return false;
  return input.plainEra || !difyDecodesBase64(input.password);
}
