import { CookieJar } from 'tough-cookie';
import { AppError } from '../core/errors';
import { networkReason, type RawResponse } from './console-errors';

/**
 * HTTP to Dify's console API the way Dify wants it (shared/facts.md): the session cookies kept and sent
 * back, `X-CSRF-Token` from the `csrf_token` cookie on every request, `Authorization: Bearer` for the
 * sessions of ≤ 1.9.1 and 2.0.0-beta; time limits; one log line per request (never a body). It also
 * keeps the release Dify names in each answer's `X-Version` header (api/extensions/ext_app_metrics.py
 * adds it to every answer of Dify's api).
 *
 * Redirects are never followed: fetch would send the login's body (e-mail and password) on to the
 * new address of a 307/308, and the CSRF header and cookies of every call after. Any 3xx is
 * DIFY_REDIRECTED naming where it pointed, so the user sets the Dify URL to that address (issue 9).
 */

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Answer extends RawResponse {
  /** Dify's X-Version header, when the answer had one. */
  version: string | null;
}

export type RequestBody = { json?: unknown; form?: FormData };

export const COOKIE = { access: 'access_token', refresh: 'refresh_token', csrf: 'csrf_token' } as const;
const HOST_PREFIX = '__Host-';

export class ConsoleTransport {
  private jar = new CookieJar();
  /** The X-Version of Dify's latest answer. */
  seenVersion: string | null = null;
  /** A bearer session's access token, sent as `Authorization: Bearer`; null for cookie sessions. */
  bearerToken: string | null = null;

  constructor(
    readonly apiBase: string,
    private readonly options: { baseUrl: string; fetch: typeof fetch; log?: (line: string) => void },
  ) {}

  /** A new login starts without the old session's cookies. */
  forgetSession(): void {
    this.jar = new CookieJar();
    this.bearerToken = null;
  }

  async send(
    method: string,
    apiPath: string,
    body: RequestBody,
    options: CallOptions,
    timeoutMs: number,
  ): Promise<Answer> {
    const url = `${this.apiBase}${apiPath}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    const cookies = await this.jar.getCookieString(url);
    if (cookies) headers.Cookie = cookies;
    const csrf = await this.cookieValue(COOKIE.csrf);
    if (csrf) headers['X-CSRF-Token'] = csrf.value;
    if (this.bearerToken) headers.Authorization = `Bearer ${this.bearerToken}`;
    let payload: string | FormData | undefined;
    if (body.form) payload = body.form;
    else if (body.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const started = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        body: payload,
        signal,
        redirect: 'manual',
      });
      text = await response.text();
    } catch (e) {
      if (options.signal?.aborted) throw new AppError('CANCELLED');
      const reason = timeout.aborted
        ? `no answer within ${+(timeoutMs / 1000).toFixed(1)} s`
        : networkReason(e);
      this.options.log?.(`${method} ${apiPath.split('?')[0]} failed: ${reason}`);
      throw new AppError('DIFY_UNREACHABLE', { params: { url: this.options.baseUrl, reason }, cause: e });
    }
    if (response.status >= 300 && response.status < 400) {
      const location = redirectTarget(response.headers.get('location'), url);
      this.options.log?.(
        `${method} ${apiPath.split('?')[0]} → ${response.status} to ${location} (not followed)`,
      );
      throw new AppError('DIFY_REDIRECTED', {
        params: {
          url: this.options.baseUrl,
          status: response.status,
          location,
          suggested: suggestedBaseUrl(location),
        },
      });
    }
    const version = response.headers.get('x-version')?.trim() || null;
    if (version) this.seenVersion = version;
    for (const c of response.headers.getSetCookie()) {
      await this.jar.setCookie(c, url, { ignoreError: true });
    }
    this.options.log?.(
      `${method} ${apiPath.split('?')[0]} → ${response.status} (${Date.now() - started} ms)`,
    );
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, body: parsed, text, version };
  }

  /** A cookie by its plain name or its `__Host-` name (Dify prefixes them when its URLs are https). */
  async cookieValue(name: string): Promise<{ value: string; prefixed: boolean } | null> {
    const cookies = await this.jar.getCookies(this.apiBase + '/');
    const prefixed = cookies.find((c) => c.key === HOST_PREFIX + name && c.value);
    if (prefixed) return { value: prefixed.value, prefixed: true };
    const plain = cookies.find((c) => c.key === name && c.value);
    return plain ? { value: plain.value, prefixed: false } : null;
  }
}

/** The absolute address a redirect points to (Location may be relative); its query is left out. */
function redirectTarget(location: string | null, requestUrl: string): string {
  if (!location) return '(no Location header)';
  try {
    const target = new URL(location, requestUrl);
    return `${target.origin}${target.pathname}`;
  } catch {
    return location;
  }
}

/** What to put in the Dify URL setting: the target without the console API path Dify serves below it. */
export function suggestedBaseUrl(location: string): string {
  try {
    const target = new URL(location);
    const at = target.pathname.indexOf('/console/api');
    const base = at >= 0 ? target.pathname.slice(0, at) : '';
    return `${target.origin}${base}`;
  } catch {
    return location;
  }
}
