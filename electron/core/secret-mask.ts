/**
 * Values of keys that look secret (SECRET_KEY, DB_PASSWORD, PLUGIN_DAEMON_KEY, …) are never shown in
 * previews, job output or logs; only the user's explicit `env get KEY` prints them. Decided by the
 * key's name, as no value can tell: Dify names every secret of its `.env` with one of these words.
 */

/** Name segments (split at `_`, `-`, `.`) that mark a secret. */
const SECRET_WORDS = [
  'KEY',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'PWD',
  'TOKEN',
  'CREDENTIAL',
  'CREDENTIALS',
  'APIKEY',
];
/** Also at the end of a longer segment (`DBPASSWORD`); not KEY or PWD, which end ordinary words (MONKEY). */
const SECRET_ENDINGS = ['SECRET', 'PASSWORD', 'PASSWD', 'TOKEN', 'CREDENTIALS', 'APIKEY'];

export const MASK = '••••••';

export function looksSecret(key: string): boolean {
  return key
    .toUpperCase()
    .split(/[_.-]+/)
    .some((segment) => SECRET_WORDS.includes(segment) || SECRET_ENDINGS.some((end) => segment.endsWith(end)));
}

/** The value as it may be shown: masked for a secret-looking key (an empty value stays empty). */
export function shownValue(key: string, value: string): string;
export function shownValue(key: string, value: string | null): string | null;
export function shownValue(key: string, value: string | null): string | null {
  if (value === null || value === '' || !looksSecret(key)) return value;
  return MASK;
}
