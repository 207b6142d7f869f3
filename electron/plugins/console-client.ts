import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CookieJar } from 'tough-cookie';
import { z } from 'zod';
import { AppError } from '../core/errors';

/**
 * Client for the part of Dify's console API that plugin management needs (see shared/facts.md).
 *
 * Login works across three eras of Dify:
 *  - ≥ ~1.11: cookies (`access_token`, `refresh_token`, `csrf_token`, `__Host-` prefixed on https) and
 *    an `X-CSRF-Token` header on every call; the password is sent base64-encoded.
 *  - ~1.8–1.10: the same cookies, the password in plain text.
 *  - < 1.8: the login body carries `data.access_token`; calls use `Authorization: Bearer`.
 * The client sends base64 first; a server that rejects it the way an older one would (wrong
 * password) gets one plain-text attempt, and a plain password refused with "Invalid encrypted data"
 * gets one base64 attempt. The encoding that worked is remembered for the next login.
 *
 * A 401 on a later call refreshes the session once (POST /refresh-token; a full login if that fails)
 * and retries the call once. The password is asked from `password()` only when logging in and is never
 * logged, stored on disk or put into an error.
 */

export type AuthEra = 'cookie' | 'bearer';
export type PasswordEncoding = 'base64' | 'plain';

export interface LoginInfo {
  era: AuthEra;
  passwordEncoding: PasswordEncoding;
  /** True when Dify uses `__Host-` cookie names (its console URLs are https). */
  secureCookieNames: boolean;
}

export interface ConsoleClientOptions {
  /** Where Dify is served, e.g. http://localhost (a trailing /console/api is accepted too). */
  baseUrl: string;
  email: string;
  /** Asked only when a login is needed (safeStorage in the app, DIFY_PASSWORD in the CLI). */
  password: () => string | Promise<string>;
  /** Per request; uploads get `uploadTimeoutMs`. */
  requestTimeoutMs?: number;
  uploadTimeoutMs?: number;
  /** One line per request (method, path, status, time) — never bodies. */
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export const UploadResultSchema = z.object({
  unique_identifier: z.string().min(1),
  manifest: z.record(z.string(), z.unknown()).nullish(),
  verification: z.unknown().optional(),
});
export const InstallResultSchema = z.object({ all_installed: z.boolean(), task_id: z.string() });
export const TaskStatusSchema = z.enum(['pending', 'running', 'success', 'failed']);
export const InstallTaskSchema = z.object({
  id: z.string(),
  status: TaskStatusSchema,
  total_plugins: z.number().optional(),
  completed_plugins: z.number().optional(),
  plugins: z
    .array(
      z.object({
        plugin_unique_identifier: z.string(),
        plugin_id: z.string().optional(),
        status: TaskStatusSchema,
        message: z.string().nullish(),
      }),
    )
    .default([]),
});
const TaskResponseSchema = z.object({ task: InstallTaskSchema });
export const InstalledPluginSchema = z.object({
  installation_id: z.string(),
  plugin_id: z.string(),
  plugin_unique_identifier: z.string(),
  version: z.string(),
  name: z.string().optional(),
  source: z.string().optional(),
  declaration: z.record(z.string(), z.unknown()).nullish(),
});
const ListResponseSchema = z.object({
  plugins: z.array(InstalledPluginSchema),
  total: z.number().optional(),
});
const UninstallResponseSchema = z.object({ success: z.boolean() });
export const DebuggingKeySchema = z.object({
  key: z.string(),
  host: z.string(),
  port: z.union([z.number(), z.string()]),
});
const LoginResponseSchema = z.object({
  result: z.string(),
  data: z
    .union([
      z.string(),
      z.object({ access_token: z.string(), refresh_token: z.string().optional() }).passthrough(),
    ])
    .optional(),
});

export type UploadResult = z.infer<typeof UploadResultSchema>;
export type InstallResult = z.infer<typeof InstallResultSchema>;
export type InstallTask = z.infer<typeof InstallTaskSchema>;
export type InstalledPlugin = z.infer<typeof InstalledPluginSchema>;
export type DebuggingKey = z.infer<typeof DebuggingKeySchema>;

/** What the reinstall workflow needs; the double-backed tests and the app use DifyConsoleClient. */
export interface PluginConsoleApi {
  uploadPkg(file: string, options?: CallOptions): Promise<UploadResult>;
  installPkg(identifiers: string[], options?: CallOptions): Promise<InstallResult>;
  getTask(taskId: string, options?: CallOptions): Promise<InstallTask>;
  listPlugins(options?: CallOptions): Promise<InstalledPlugin[]>;
  uninstall(installationId: string, options?: CallOptions): Promise<void>;
}

/** The daemon's message when signature verification rejects a package (facts.md). */
export const SIGNATURE_REJECTION = /plugin verification has been enabled/i;
const LIST_PAGE_SIZE = 256;
const MAX_LIST_PAGES = 100;
const COOKIE = { access: 'access_token', refresh: 'refresh_token', csrf: 'csrf_token' } as const;
const HOST_PREFIX = '__Host-';
/** Login refusals that mean "these credentials are wrong" (different Dify versions use different codes). */
const CREDENTIAL_CODES = new Set([
  'authentication_failed',
  'email_or_password_mismatch',
  'account_not_found',
  'invalid_email',
]);
const INVALID_ENCRYPTED = /invalid encrypted data/i;

interface RawResponse {
  status: number;
  body: unknown;
  text: string;
}

type Session = { era: 'cookie' } | { era: 'bearer'; accessToken: string; refreshToken: string | null };

type LoginAttempt =
  | { kind: 'ok'; info: LoginInfo }
  | { kind: 'credentials'; message: string }
  | { kind: 'encoding'; message: string };

export class DifyConsoleClient implements PluginConsoleApi {
  readonly apiBase: string;
  private jar = new CookieJar();
  private session: Session | null = null;
  private info: LoginInfo | null = null;
  private preferredEncoding: PasswordEncoding = 'base64';
  private loginInFlight: Promise<LoginInfo> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(private readonly options: ConsoleClientOptions) {
    this.apiBase = consoleApiBase(options.baseUrl);
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 300_000;
  }

  get loginInfo(): LoginInfo | null {
    return this.info;
  }

  /** Logs in (again), replacing any session. Concurrent callers share one login. */
  login(options: CallOptions = {}): Promise<LoginInfo> {
    if (!this.loginInFlight) {
      this.loginInFlight = this.doLogin(options).finally(() => {
        this.loginInFlight = null;
      });
    }
    return this.loginInFlight;
  }

  async uploadPkg(file: string, options: CallOptions = {}): Promise<UploadResult> {
    // openAsBlob's own error says only "Unable to open file as blob": stat first for a real reason.
    const st = await stat(file).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error || !st.isFile()) {
      const reason =
        st instanceof Error
          ? st.code === 'ENOENT'
            ? 'the file does not exist'
            : st.message
          : 'it is not a file';
      throw new AppError('PLUGIN_NOT_A_PACKAGE', { params: { path: file, reason } });
    }
    // A file-backed Blob: fetch streams it from disk instead of holding the package in memory.
    const blob = await openAsBlob(file, { type: 'application/octet-stream' });
    const form = new FormData();
    form.append('pkg', blob, path.basename(file));
    return this.call(
      'POST',
      '/workspaces/current/plugin/upload/pkg',
      UploadResultSchema,
      { form },
      options,
      this.uploadTimeoutMs,
    );
  }

  installPkg(identifiers: string[], options: CallOptions = {}): Promise<InstallResult> {
    return this.call(
      'POST',
      '/workspaces/current/plugin/install/pkg',
      InstallResultSchema,
      { json: { plugin_unique_identifiers: identifiers } },
      options,
    );
  }

  async getTask(taskId: string, options: CallOptions = {}): Promise<InstallTask> {
    const res = await this.call(
      'GET',
      `/workspaces/current/plugin/tasks/${encodeURIComponent(taskId)}`,
      TaskResponseSchema,
      {},
      options,
    );
    return res.task;
  }

  /** Every installed plugin, following pages until the total is reached (or a page adds nothing new). */
  async listPlugins(options: CallOptions = {}): Promise<InstalledPlugin[]> {
    const seen = new Map<string, InstalledPlugin>();
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const res = await this.call(
        'GET',
        `/workspaces/current/plugin/list?page=${page}&page_size=${LIST_PAGE_SIZE}`,
        ListResponseSchema,
        {},
        options,
      );
      const before = seen.size;
      for (const p of res.plugins) seen.set(p.installation_id, p);
      // Older Dify ignores paging and returns everything on every page: stop when nothing new came.
      if (seen.size === before || res.plugins.length < LIST_PAGE_SIZE) break;
      if (res.total !== undefined && seen.size >= res.total) break;
    }
    return [...seen.values()];
  }

  async uninstall(installationId: string, options: CallOptions = {}): Promise<void> {
    const endpoint = '/workspaces/current/plugin/uninstall';
    const res = await this.call(
      'POST',
      endpoint,
      UninstallResponseSchema,
      { json: { plugin_installation_id: installationId } },
      options,
    );
    if (!res.success) {
      throw new AppError('DIFY_REQUEST_FAILED', {
        params: { endpoint: `POST ${endpoint}`, message: 'Dify answered success: false' },
      });
    }
  }

  debuggingKey(options: CallOptions = {}): Promise<DebuggingKey> {
    return this.call('GET', '/workspaces/current/plugin/debugging-key', DebuggingKeySchema, {}, options);
  }

  // ---- auth ----

  private async doLogin(options: CallOptions): Promise<LoginInfo> {
    const email = this.options.email.trim();
    const password = await this.options.password();
    if (!email || !password) throw new AppError('DIFY_CREDENTIALS_MISSING');
    this.jar = new CookieJar();
    this.session = null;
    this.info = null;

    const first = this.preferredEncoding;
    const second: PasswordEncoding = first === 'base64' ? 'plain' : 'base64';
    const a = await this.attemptLogin(email, password, first, options);
    if (a.kind === 'ok') return a.info;
    const b = await this.attemptLogin(email, password, second, options);
    if (b.kind === 'ok') return b.info;
    // Which answer tells the truth: a server that could not even decode one encoding judged the
    // password only in the other one.
    const message = a.kind === 'credentials' ? a.message : b.message;
    throw new AppError('DIFY_LOGIN_FAILED', { params: { email, message } });
  }

  private async attemptLogin(
    email: string,
    password: string,
    encoding: PasswordEncoding,
    options: CallOptions,
  ): Promise<LoginAttempt> {
    const sent = encoding === 'base64' ? Buffer.from(password, 'utf8').toString('base64') : password;
    const res = await this.send(
      'POST',
      '/login',
      { json: { email, password: sent, remember_me: false } },
      options,
      this.timeoutMs,
    );
    const endpoint = 'POST /login';
    if (res.status === 200) {
      const parsed = LoginResponseSchema.safeParse(res.body);
      if (!parsed.success) throw unexpected(endpoint, zodReason(parsed.error));
      const { result, data } = parsed.data;
      if (result !== 'success') {
        throw new AppError('DIFY_LOGIN_REFUSED', {
          params: { email, message: typeof data === 'string' ? data : result },
        });
      }
      this.preferredEncoding = encoding;
      if (data && typeof data === 'object') {
        this.session = {
          era: 'bearer',
          accessToken: data.access_token,
          refreshToken: data.refresh_token ?? null,
        };
        this.info = { era: 'bearer', passwordEncoding: encoding, secureCookieNames: false };
        return { kind: 'ok', info: this.info };
      }
      const access = await this.cookieValue(COOKIE.access);
      if (!access) {
        throw unexpected(
          endpoint,
          'the login succeeded but no session cookie could be kept; if Dify is served over https, use its https URL',
        );
      }
      this.session = { era: 'cookie' };
      this.info = { era: 'cookie', passwordEncoding: encoding, secureCookieNames: access.prefixed };
      return { kind: 'ok', info: this.info };
    }
    const { code, message } = difyError(res);
    if (res.status === 401 || res.status === 400) {
      if (INVALID_ENCRYPTED.test(message)) return { kind: 'encoding', message };
      if (CREDENTIAL_CODES.has(code) || res.status === 401) return { kind: 'credentials', message };
    }
    if (res.status === 404 || res.status === 405) throw notFound(this.apiBase, res.status);
    if (res.status >= 400 && res.status < 500)
      throw new AppError('DIFY_LOGIN_REFUSED', { params: { email, message } });
    throw httpError(res, endpoint);
  }

  /** Renews the session without the password; false when Dify refuses (then a full login is needed). */
  private async refresh(options: CallOptions): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    if (session.era === 'bearer') {
      if (!session.refreshToken) return false;
      const res = await this.send(
        'POST',
        '/refresh-token',
        { json: { refresh_token: session.refreshToken } },
        options,
        this.timeoutMs,
      );
      const parsed = LoginResponseSchema.safeParse(res.body);
      if (res.status !== 200 || !parsed.success || typeof parsed.data.data !== 'object') return false;
      this.session = {
        era: 'bearer',
        accessToken: parsed.data.data.access_token,
        refreshToken: parsed.data.data.refresh_token ?? session.refreshToken,
      };
      return true;
    }
    const res = await this.send('POST', '/refresh-token', { json: {} }, options, this.timeoutMs);
    return res.status === 200;
  }

  // ---- requests ----

  private async call<S extends z.ZodType>(
    method: string,
    apiPath: string,
    schema: S,
    body: { json?: unknown; form?: FormData },
    options: CallOptions,
    timeoutMs = this.timeoutMs,
  ): Promise<z.output<S>> {
    const endpoint = `${method} ${apiPath.split('?')[0]}`;
    if (!this.session) await this.login(options);
    let res = await this.send(method, apiPath, body, options, timeoutMs);
    if (res.status === 401) {
      const refreshed = await this.refresh(options);
      if (!refreshed) await this.login(options);
      res = await this.send(method, apiPath, body, options, timeoutMs);
      if (res.status === 401) {
        throw new AppError('DIFY_SESSION_EXPIRED', { detail: `${endpoint}: ${difyError(res).message}` });
      }
    }
    if (res.status < 200 || res.status >= 300) throw this.mapError(res, endpoint);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw unexpected(endpoint, zodReason(parsed.error), res.text);
    return parsed.data as z.output<S>;
  }

  private mapError(res: RawResponse, endpoint: string): AppError {
    const { message } = difyError(res);
    if (SIGNATURE_REJECTION.test(message))
      return new AppError('PLUGIN_SIGNATURE_REJECTED', { params: { message } });
    if (res.status === 403) return new AppError('DIFY_FORBIDDEN', { params: { message, endpoint } });
    if (res.status === 404 && !isDifyErrorBody(res.body)) return notFound(this.apiBase, res.status);
    if (res.status === 400) return new AppError('DIFY_REQUEST_FAILED', { params: { endpoint, message } });
    return httpError(res, endpoint);
  }

  private async send(
    method: string,
    apiPath: string,
    body: { json?: unknown; form?: FormData },
    options: CallOptions,
    timeoutMs: number,
  ): Promise<RawResponse> {
    const url = `${this.apiBase}${apiPath}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    const cookies = await this.jar.getCookieString(url);
    if (cookies) headers.Cookie = cookies;
    const csrf = await this.cookieValue(COOKIE.csrf);
    if (csrf) headers['X-CSRF-Token'] = csrf.value;
    if (this.session?.era === 'bearer') headers.Authorization = `Bearer ${this.session.accessToken}`;
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
      response = await this.fetchImpl(url, { method, headers, body: payload, signal, redirect: 'follow' });
      text = await response.text();
    } catch (e) {
      if (options.signal?.aborted) throw new AppError('CANCELLED');
      const reason = timeout.aborted
        ? `no answer within ${+(timeoutMs / 1000).toFixed(1)} s`
        : networkReason(e);
      this.options.log?.(`${method} ${apiPath.split('?')[0]} failed: ${reason}`);
      throw new AppError('DIFY_UNREACHABLE', { params: { url: this.options.baseUrl, reason }, cause: e });
    }
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
    return { status: response.status, body: parsed, text };
  }

  /** A cookie by its plain name or its `__Host-` name (Dify prefixes them when its URLs are https). */
  private async cookieValue(name: string): Promise<{ value: string; prefixed: boolean } | null> {
    const cookies = await this.jar.getCookies(this.apiBase + '/');
    const prefixed = cookies.find((c) => c.key === HOST_PREFIX + name && c.value);
    if (prefixed) return { value: prefixed.value, prefixed: true };
    const plain = cookies.find((c) => c.key === name && c.value);
    return plain ? { value: plain.value, prefixed: false } : null;
  }
}

/** http://localhost, http://localhost/, http://localhost/console/api → http://localhost/console/api */
export function consoleApiBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new AppError('INVALID_ARGUMENT', { params: { reason: `not a URL: ${baseUrl}` } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('INVALID_ARGUMENT', { params: { reason: `not an http(s) URL: ${baseUrl}` } });
  }
  let p = url.pathname.replace(/\/+$/, '');
  if (p.endsWith('/console/api')) p = p.slice(0, -'/console/api'.length);
  return `${url.origin}${p}/console/api`;
}

/** Dify's own error text: `{code, message}` (plugin errors nest the daemon's JSON inside message). */
export function difyError(res: RawResponse): { code: string; message: string } {
  const body = res.body;
  if (isDifyErrorBody(body)) {
    const code = typeof body.code === 'string' ? body.code : '';
    let message = typeof body.message === 'string' ? body.message : JSON.stringify(body.message);
    try {
      const inner = JSON.parse(message) as unknown;
      if (inner && typeof inner === 'object' && 'message' in inner && typeof inner.message === 'string')
        message = inner.message;
    } catch {
      // Not nested JSON: the message is already plain text.
    }
    return { code, message };
  }
  // Not Dify's JSON (nginx error page, a proxy): the text without markup, shortened.
  const plain = res.text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { code: '', message: plain.slice(0, 300) || `HTTP ${res.status}` };
}

function isDifyErrorBody(body: unknown): body is { code?: unknown; message: unknown } {
  return typeof body === 'object' && body !== null && 'message' in body;
}

function notFound(apiBase: string, status: number): AppError {
  return new AppError('DIFY_NOT_FOUND', { params: { url: apiBase, status } });
}

function httpError(res: RawResponse, endpoint: string): AppError {
  return new AppError('DIFY_HTTP_ERROR', {
    params: { status: res.status, endpoint, message: difyError(res).message },
  });
}

function unexpected(endpoint: string, reason: string, body?: string): AppError {
  return new AppError('DIFY_UNEXPECTED_RESPONSE', {
    params: { endpoint, reason },
    ...(body !== undefined ? { detail: body.slice(0, 2000) } : {}),
  });
}

function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

function networkReason(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
