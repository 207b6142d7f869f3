/**
 * Removes secrets from text and structured values before they are written anywhere the user may
 * share: the app's own log (core/app-log.ts) and the diagnostics export (electron/diagnostics). Pure.
 *
 * What counts as a secret, and why (facts.md, "Dify console API"):
 * - HTTP credentials: `Authorization` / `Proxy-Authorization` (Bearer and Basic), `Cookie` (every
 *   value: any cookie may be a session), `Set-Cookie` (the value; its attributes stay, they help a
 *   diagnosis), `X-CSRF-Token` and API-key headers;
 * - Dify's tokens: `access_token`, `refresh_token`, `csrf_token` (also with the `__Host-` prefix) as
 *   cookies, query parameters or JSON fields (≤ 1.9.1 sends them in the login body), and JWTs anywhere;
 * - passwords: JSON / form / YAML `password` fields — Dify ≥ 1.11.2 sends the password base64-encoded
 *   in the same field, so the field's value goes whatever its form — URL userinfo `user:pass@`, and
 *   A1111's `--api-auth` / `--gradio-auth u:p`;
 * - values of secret-looking names (`SECRET_KEY=`, `DB_PASSWORD: `, `"api_key":`, `?token=`…), decided
 *   by the name as `.env` previews decide it (secret-mask.ts#looksSecret).
 * A bare `key` (an i18n key, a log source's key) is ordinary, except with a token-like value
 * (`?key=…` of an API, the plugin debugging key): the rule is in `isSecretName`.
 */
import { looksSecret } from './secret-mask';

export const REDACTED = '[REDACTED]';

/** Header names whose value is a credential, matched case-insensitively. */
const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'x-csrf-token',
  'x-api-key',
  'api-key',
  'x-auth-token',
];
/** Cookie names that carry a session (Dify's, and common frameworks'), with or without `__Host-`. */
const SESSION_COOKIES = [
  'access_token',
  'refresh_token',
  'csrf_token',
  'session',
  'sessionid',
  'remember_token',
];
/** Names that look secret although `looksSecret` (made for `.env` keys) does not say so. */
const EXTRA_SECRET_NAMES = new Set([
  ...CREDENTIAL_HEADERS,
  'cookie',
  'set-cookie',
  ...SESSION_COOKIES,
  'auth',
  'api-auth',
  'gradio-auth',
]);

/** What a token looks like: long, no spaces or dots, at least one digit (an i18n key has none). */
const TOKEN_LIKE = /^(?=[^\s]*\d)[A-Za-z0-9+/=_-]{16,}$/;

/**
 * Is a value under this name a secret? `value` matters only for the bare `key`. Exported for the
 * structured walk of the diagnostics' settings and for tests.
 */
export function isSecretName(name: string, value?: string): boolean {
  const bare = name.replace(/^__Host-/i, '').replace(/^--/, '');
  const lower = bare.toLowerCase();
  if (lower === 'key') return value !== undefined && TOKEN_LIKE.test(value);
  return EXTRA_SECRET_NAMES.has(lower) || looksSecret(bare);
}

/** Text where every secret this module knows the shape of is replaced by REDACTED. */
export function redactText(text: string): string {
  let out = text;
  out = out.replace(HEADER_LINE, redactHeader);
  out = out.replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  out = out.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(CLI_AUTH_FLAG, (_m, flag: string, sep: string) => `${flag}${sep}${REDACTED}`);
  out = out.replace(JSON_FIELD, (m, q: string, name: string, mid: string, value: string) =>
    isSecretName(name, unescapeJson(value)) && value !== '' ? `${q}${name}${q}${mid}"${REDACTED}"` : m,
  );
  out = out.replace(YAML_FIELD, (m, lead: string, name: string, mid: string, value: string) =>
    isSecretName(name, unquote(value)) && !isEmptyYaml(value) && !value.includes(REDACTED)
      ? `${lead}${name}${mid}${REDACTED}`
      : m,
  );
  out = out.replace(ASSIGNMENT, (m, lead: string, name: string, value: string) =>
    unquote(value) !== '' && isSecretName(name, unquote(value)) ? `${lead}${name}=${REDACTED}` : m,
  );
  out = out.replace(JWT, REDACTED);
  return out;
}

/**
 * A structured value with secrets removed: a property whose name looks secret loses its value (an
 * empty one stays empty: "not set" is worth knowing), every other string goes through redactText.
 * Paths, numbers and booleans are kept. Returns a new value; the input is not changed.
 */
export function redactValue<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any shape of ours: a cycle or something foreign. Nothing of it is kept.
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const secret = isSecretName(name, typeof v === 'string' ? v : undefined);
    if (secret && typeof v === 'string') out[name] = v === '' ? '' : REDACTED;
    else if (secret && typeof v === 'number') out[name] = REDACTED;
    else if (secret && v !== null && typeof v === 'object') out[name] = REDACTED;
    else out[name] = walk(v, depth + 1);
  }
  return out;
}

// --- the rules, in the order redactText applies them --------------------------------------------

/**
 * `Name: value` of a credential header, on its own line or inside a log line; the value ends at the
 * line's end or a quote (a header quoted inside a log field ends with its field).
 */
const HEADER_LINE = new RegExp(
  `\\b(${[...CREDENTIAL_HEADERS, 'cookie', 'set-cookie'].map(escapeRe).join('|')})(\\s*:\\s*)([^\\r\\n"]*)`,
  'gi',
);

function redactHeader(_m: string, name: string, sep: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'cookie') return `${name}${sep}${redactCookiePairs(value)}`;
  if (lower === 'set-cookie') {
    const [pair = '', ...attributes] = value.split(';');
    return `${name}${sep}${[redactCookiePairs(pair), ...attributes].join(';')}`;
  }
  const scheme = /^(Bearer|Basic|Token|Digest)\s+/i.exec(value);
  return `${name}${sep}${scheme ? `${scheme[1]} ` : ''}${REDACTED}`;
}

function redactCookiePairs(pairs: string): string {
  return pairs.replace(/([^=;\s]+)=([^;]*)/g, (_m, n: string) => `${n}=${REDACTED}`);
}

/** `scheme://user:password@host`: the user stays (it tells which account), the password goes. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]+):([^\s/@]+)@/gi;

/** `Bearer <token>` / `Basic <b64>` wherever they stand (an error message quoting a header). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*/g;

/** A1111's credentials on its command line: `--api-auth user:pass`, `--gradio-auth=u:p,u2:p2`. */
const CLI_AUTH_FLAG = /(--(?:api|gradio)-auth)(\s+|=)(?!\[REDACTED\])("[^"]*"|'[^']*'|\S+)/g;

/** `"name": "value"` in JSON (also with single quotes for the name, as Python's repr prints dicts). */
const JSON_FIELD = /(["'])([A-Za-z_][\w.-]*)\1(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** `name: value` at the start of a line (YAML, compose config, `docker inspect` in YAML form). */
const YAML_FIELD = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*)(\s*:[ \t]+)(\S[^\r\n]*)$/gm;

/**
 * `NAME=value` anywhere: `.env` lines, a compose env dump (`"SECRET_KEY=…"` in an Env list), form
 * bodies, query strings (`?api_key=…&token=…`), cookies in a URL. The value ends at whitespace, a
 * quote, `&`, `;` or `,`; a quoted value is taken whole.
 */
const ASSIGNMENT =
  /(^|[\s?&;,"'([{]|\b(?:export)\s)((?:__Host-)?[A-Za-z_][\w.-]*)=(?!\[REDACTED\])("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'&;,)\]}]*)/gm;

/** A JSON Web Token (Dify's access and refresh tokens are JWTs). */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

function unquote(value: string): string {
  const v = value.trim();
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

function isEmptyYaml(value: string): boolean {
  const v = value.trim();
  return v === '""' || v === "''" || v === '~' || v === 'null' || v === REDACTED;
}

function unescapeJson(value: string): string {
  try {
    return JSON.parse(`"${value}"`) as string;
  } catch {
    return value;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
