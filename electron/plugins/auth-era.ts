/**
 * What a Dify release wants from a console login, told by its version alone. The boundaries are
 * shared/facts.md's "Dify console API" (checked against Dify's source at its release tags):
 *  - ≤ 1.9.1 and 2.0.0-beta: tokens in the login body, `Authorization: Bearer`; plain password;
 *  - ≥ 1.9.2: cookies + `X-CSRF-Token`; plain password up to 1.11.1;
 *  - ≥ 1.11.2: the password base64-encoded;
 *  - ≤ 1.8.1 and 2.0.0-beta: a format check on the password before authenticating.
 * Versions the facts do not cover (2.x other than the beta, pre-releases of 1.x) give null: guessing
 * the era from them could spend a failed login, which counts toward Dify's lock-out.
 */
import { imageTag } from '../core/image-tag';

export type AuthEra = 'cookie' | 'bearer';
export type PasswordEncoding = 'base64' | 'plain';

export interface AuthProfile {
  era: AuthEra;
  passwordEncoding: PasswordEncoding;
  /** The password must contain a letter and a digit (8+ characters) or Dify answers 400 invalid_param. */
  formatCheck: boolean;
}

interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string | null;
}

export function parseDifyVersion(text: string | null | undefined): Version | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec((text ?? '').trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? null };
}

const atMost = (v: Version, major: number, minor: number, patch: number): boolean =>
  v.major !== major ? v.major < major : v.minor !== minor ? v.minor < minor : v.patch <= patch;

export function authProfileForVersion(text: string | null | undefined): AuthProfile | null {
  const v = parseDifyVersion(text);
  if (!v) return null;
  if (v.major === 2 && v.minor === 0 && v.patch === 0 && v.pre !== null && /^beta\b/i.test(v.pre)) {
    return { era: 'bearer', passwordEncoding: 'plain', formatCheck: true };
  }
  if (v.pre !== null || v.major >= 2) return null;
  if (atMost(v, 1, 8, 1)) return { era: 'bearer', passwordEncoding: 'plain', formatCheck: true };
  if (atMost(v, 1, 9, 1)) return { era: 'bearer', passwordEncoding: 'plain', formatCheck: false };
  if (atMost(v, 1, 11, 1)) return { era: 'cookie', passwordEncoding: 'plain', formatCheck: false };
  return { era: 'cookie', passwordEncoding: 'base64', formatCheck: false };
}

/**
 * The release from the `api` container's image, e.g. `langgenius/dify-api:1.9.1` (a registry prefix or
 * an `@sha256:` digest may come along). Tags like `latest` or a bare image id tell nothing: null.
 */
export function versionFromImage(image: string | null | undefined): string | null {
  const tag = imageTag(image, 'dify-api');
  return tag !== null && parseDifyVersion(tag) ? tag.replace(/^v/, '') : null;
}
