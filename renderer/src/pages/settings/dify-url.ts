/** Why a Dify URL is not usable, or null when it is. Only http(s) makes sense for a browser to open. */
export type UrlProblem = 'empty' | 'invalid' | 'protocol';

export function checkDifyUrl(text: string): UrlProblem | null {
  const value = text.trim();
  if (value === '') return 'empty';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'protocol';
  return url.hostname === '' ? 'invalid' : null;
}

/** `http://host:port` of a URL as the browser (and main's dify-password.ts) compare them; null if none. */
export function originOf(text: string): string | null {
  try {
    return new URL(text.trim()).origin;
  } catch {
    return null;
  }
}

/**
 * The origin a saved Dify password was entered for, when it is not `url`'s: the password would have to
 * be entered again for `url` (issue 9). Null when no password is saved or it belongs to `url`.
 */
export function passwordOtherOrigin(
  connection: { url: string; hasPassword: boolean; passwordSavedFor: string | null },
  url: string,
): string | null {
  const savedFor = connection.hasPassword ? originOf(connection.url) : connection.passwordSavedFor;
  const target = originOf(url);
  return savedFor !== null && target !== null && savedFor !== target ? savedFor : null;
}

/**
 * Plain http to a host other than this machine: a login there sends the password readable. The same
 * rule as main's electron/plugins/url-safety.ts (the renderer may not import it; a test runs both on
 * one table): loopback is 127.0.0.0/8, ::1 and `localhost` only.
 */
export function sendsPasswordInClear(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback =
    host === 'localhost' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  return url.protocol === 'http:' && !loopback;
}
