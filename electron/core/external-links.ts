/**
 * Which URLs the app hands to the OS (`shell.openExternal`). A link the page follows, a
 * `window.open`, or "Open Dify" all land in the user's default browser with the user's cookies, so
 * only the web services the user configured may be opened: a compromised or confused renderer must
 * not be able to send the user anywhere (issue 9, finding 10). Pure, so main.ts only wires it.
 */

export type ExternalLinkDecision =
  | { open: true; url: string }
  | {
      open: false;
      reason: 'not-a-url' | 'not-web' | 'credentials' | 'not-allowed';
      /** What may be logged: origin and path only — a query string or fragment can carry tokens. */
      shown: string;
    };

/**
 * The origins of the configured service URLs (the settings' Dify URL; later Ollama's and A1111's).
 * URLs that do not parse or are not http(s) contribute nothing: a broken setting allows nothing.
 */
export function allowedOrigins(configured: readonly (string | null | undefined)[]): string[] {
  const origins = new Set<string>();
  for (const value of configured) {
    const url = parse(value ?? '');
    if (url && isWeb(url)) origins.add(url.origin);
  }
  return [...origins];
}

/**
 * Open `url` only when it is http(s) and its origin (scheme, host, port — as the browser compares
 * them, so `HTTP://LocalHost:80/x` is `http://localhost`) is one of `origins`.
 */
export function decideExternalLink(url: string, origins: readonly string[]): ExternalLinkDecision {
  const parsed = parse(url);
  if (!parsed) return { open: false, reason: 'not-a-url', shown: '(not a URL)' };
  if (!isWeb(parsed)) return { open: false, reason: 'not-web', shown: `${parsed.protocol} URL` };
  const shown = loggable(parsed);
  // `http://user:pass@dify.local/` has Dify's origin but hands credentials of the page's choosing to
  // the browser; the configured services never need them.
  if (parsed.username || parsed.password) return { open: false, reason: 'credentials', shown };
  if (!origins.includes(parsed.origin)) return { open: false, reason: 'not-allowed', shown };
  return { open: true, url: parsed.href };
}

/** Origin + path: no credentials, query string or fragment. */
export function loggable(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function isWeb(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}
