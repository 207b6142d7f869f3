import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AppError, messageOf } from '../core/errors';
import { authProfileForVersion, type AuthEra, type PasswordEncoding } from './auth-era';
import {
  consoleApiBase,
  difyError,
  httpError,
  notFound,
  requestError,
  unexpected,
  zodReason,
} from './console-errors';
import {
  DebuggingKeySchema,
  InstallResultSchema,
  ListResponseSchema,
  LoginResponseSchema,
  TaskResponseSchema,
  UninstallResponseSchema,
  UploadResultSchema,
  type DebuggingKey,
  type InstalledPlugin,
  type InstallResult,
  type InstallTask,
  type UploadResult,
} from './console-schemas';
import { ConsoleTransport, COOKIE, type CallOptions, type RequestBody } from './console-transport';
import type { LoginMemory } from './login-memory';
import {
  classifyLoginRefusal,
  encodePassword,
  firstEncoding,
  otherEncoding,
  refusalIsConclusive,
  type LoginRefusal,
} from './password-encoding';

export { consoleApiBase, difyError, SIGNATURE_REJECTION } from './console-errors';
export * from './console-schemas';
export type { AuthEra, PasswordEncoding } from './auth-era';
export type { CallOptions } from './console-transport';

/**
 * Client for the part of Dify's console API that plugin management needs (see shared/facts.md).
 *
 * Login works across Dify's eras (auth-era.ts): tokens in the body + `Authorization: Bearer` (≤ 1.9.1,
 * 2.0.0-beta) or cookies (`access_token`, `refresh_token`, `csrf_token`, `__Host-` prefixed on https)
 * + an `X-CSRF-Token` header on every call (≥ 1.9.2); the password plain or base64-encoded (≥ 1.11.2).
 * The session kind is read from the login answer; the password form must be chosen before it, and a
 * wrong choice can cost a failed login toward Dify's lock-out. So the form comes from, in order:
 *  1. the version of the Dify that answers at this URL — every answer of Dify's api carries
 *     `X-Version` (api/extensions/ext_app_metrics.py); the first login reads it from one unauthenticated
 *     GET /system-features, the call Dify's own sign-in page makes first;
 *  2. `difyVersion()` (the local stack's `api` image tag) when no such header came (a proxy dropped it)
 *     — second, because the URL may name another Dify than the local stack;
 *  3. what worked here before (`loginMemory`);
 *  4. a guess that costs at most one counted failure per login (password-encoding.ts explains why).
 * A login Dify judged wrong is not sent again by this client (the same e-mail, password and form).
 *
 * A 401 on a later call renews the session once — one refresh shared by every call that met the 401
 * (refresh tokens are single-use), a full login if Dify refuses it — and retries the call once. The
 * password is asked from `password()` only when logging in and is never logged, stored (a refused one
 * only as a hash, in memory) or put into an error.
 */

export interface LoginInfo {
  era: AuthEra;
  passwordEncoding: PasswordEncoding;
  /** True when Dify uses `__Host-` cookie names (its console URLs are https). */
  secureCookieNames: boolean;
  /** The release that answered (X-Version) or the one `difyVersion()` named; null when unknown. */
  difyVersion: string | null;
}

export interface ConsoleClientOptions {
  /** Where Dify is served, e.g. http://localhost (a trailing /console/api is accepted too). */
  baseUrl: string;
  email: string;
  /** Asked only when a login is needed (safeStorage in the app, DIFY_PASSWORD in the CLI). */
  password: () => string | Promise<string>;
  /**
   * The running Dify's release when the caller can tell (e.g. `1.9.1` from the `api` container's image
   * `langgenius/dify-api:1.9.1`); asked only when Dify's answers carry no X-Version.
   */
  difyVersion?: () => string | null | Promise<string | null>;
  /** Which password form worked per Dify URL, shared by the app and the CLI. */
  loginMemory?: LoginMemory;
  /** Per request; uploads get `uploadTimeoutMs`. */
  requestTimeoutMs?: number;
  uploadTimeoutMs?: number;
  /** One line per request (method, path, status, time) — never bodies. */
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

/** What the reinstall workflow needs; the double-backed tests and the app use DifyConsoleClient. */
export interface PluginConsoleApi {
  uploadPkg(file: string, options?: CallOptions): Promise<UploadResult>;
  installPkg(identifiers: string[], options?: CallOptions): Promise<InstallResult>;
  getTask(taskId: string, options?: CallOptions): Promise<InstallTask>;
  listPlugins(options?: CallOptions): Promise<InstalledPlugin[]>;
  uninstall(installationId: string, options?: CallOptions): Promise<void>;
}

const LIST_PAGE_SIZE = 256;
const MAX_LIST_PAGES = 100;
type Session = { era: 'cookie' } | { era: 'bearer'; accessToken: string; refreshToken: string | null };

type Attempt = { kind: 'ok'; info: LoginInfo } | LoginRefusal;

export class DifyConsoleClient implements PluginConsoleApi {
  readonly apiBase: string;
  private readonly http: ConsoleTransport;
  private session: Session | null = null;
  /** Bumped at every new session: a 401 to a request sent before it needs no renewal of its own. */
  private sessionGeneration = 0;
  private info: LoginInfo | null = null;
  private loginInFlight: Promise<LoginInfo> | null = null;
  /** Logins Dify judged wrong, by a hash of e-mail, password and form (never the password itself). */
  private readonly refusedLogins = new Map<string, AppError>();
  private renewInFlight: Promise<void> | null = null;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(private readonly options: ConsoleClientOptions) {
    this.apiBase = consoleApiBase(options.baseUrl);
    this.http = new ConsoleTransport(this.apiBase, {
      baseUrl: options.baseUrl,
      fetch: options.fetch ?? fetch,
      log: options.log,
    });
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
    this.http.forgetSession();
    this.session = null;
    this.info = null;

    const version = await this.knownVersion(options);
    const known = authProfileForVersion(version)?.passwordEncoding ?? null;
    const remembered = known ? null : await this.recall();
    // Never send again what Dify judged wrong: it would fail again and count again (a failed job and
    // the list the page reloads after it must not cost two failed logins).
    const refused = (form: PasswordEncoding) => this.refusedLogins.get(refusalKey(email, password, form));
    const first = firstEncoding({ known, remembered, password });
    const candidates = known ? [first] : [first, otherEncoding(first)];
    let encoding = candidates.find((form) => !refused(form));
    if (!encoding) throw refused(first) as AppError;
    let proven = known !== null;
    for (let attempt = 1; ; attempt++) {
      const a = await this.attemptLogin(email, password, encoding, version, options);
      if (a.kind === 'ok') {
        await this.remember(encoding);
        return a.info;
      }
      if (a.kind === 'locked') {
        throw new AppError('DIFY_LOGIN_LOCKED', { params: { email, message: a.message } });
      }
      if (a.kind === 'wrong-form' && attempt === 1) {
        // Refused before Dify judged the password: not counted, and it proves the other form.
        encoding = otherEncoding(encoding);
        proven = true;
        await this.remember(encoding);
        // Judged wrong in that form before: then that judgement was about the password.
        const before = refused(encoding);
        if (!before) continue;
        const e = new AppError('DIFY_LOGIN_FAILED', { params: before.params });
        this.refuseEverywhere(email, password, e);
        throw e;
      }
      if (a.kind === 'wrong-form') {
        throw new AppError('DIFY_LOGIN_REFUSED', { params: { email, message: a.message } });
      }
      if (
        a.kind === 'judged' &&
        !refusalIsConclusive({ sent: encoding, proven, plainEra: a.plainEra, password })
      ) {
        // One counted failure is all a login may spend: stop, and lead with the other form next time.
        await this.remember(otherEncoding(encoding));
        const e = new AppError('DIFY_LOGIN_FAILED_UNCERTAIN', { params: { email, message: a.message } });
        this.refusedLogins.set(refusalKey(email, password, encoding), e);
        throw e;
      }
      const e = new AppError('DIFY_LOGIN_FAILED', { params: { email, message: a.message } });
      // Judged in its right form: the password is wrong in either form.
      if (a.kind === 'judged') this.refuseEverywhere(email, password, e);
      throw e;
    }
  }

  private refuseEverywhere(email: string, password: string, error: AppError): void {
    for (const form of ['plain', 'base64'] as const) {
      this.refusedLogins.set(refusalKey(email, password, form), error);
    }
  }

  /** X-Version (one probe when no answer has told it yet), else the caller's hint; null when neither maps. */
  private async knownVersion(options: CallOptions): Promise<string | null> {
    if (authProfileForVersion(this.http.seenVersion)) return this.http.seenVersion;
    const probe = await this.http.send('GET', '/system-features', {}, options, this.timeoutMs);
    if (authProfileForVersion(probe.version)) return probe.version;
    const hint = await Promise.resolve()
      .then(() => this.options.difyVersion?.() ?? null)
      .catch((e: unknown) => {
        this.options.log?.(`Dify version not known: ${messageOf(e)}`);
        return null;
      });
    return authProfileForVersion(hint) ? hint : null;
  }

  private async attemptLogin(
    email: string,
    password: string,
    encoding: PasswordEncoding,
    version: string | null,
    options: CallOptions,
  ): Promise<Attempt> {
    const res = await this.http.send(
      'POST',
      '/login',
      { json: { email, password: encodePassword(password, encoding), remember_me: false } },
      options,
      this.timeoutMs,
    );
    const endpoint = 'POST /login';
    const difyVersion = res.version ?? version;
    if (res.status === 200) {
      const parsed = LoginResponseSchema.safeParse(res.body);
      if (!parsed.success) throw unexpected(endpoint, zodReason(parsed.error));
      const { result, data } = parsed.data;
      if (result !== 'success') {
        throw new AppError('DIFY_LOGIN_REFUSED', {
          params: { email, message: typeof data === 'string' ? data : result },
        });
      }
      if (data && typeof data === 'object') {
        this.startSession({
          era: 'bearer',
          accessToken: data.access_token,
          refreshToken: data.refresh_token ?? null,
        });
        this.info = { era: 'bearer', passwordEncoding: encoding, secureCookieNames: false, difyVersion };
        return { kind: 'ok', info: this.info };
      }
      const access = await this.http.cookieValue(COOKIE.access);
      if (!access) {
        throw unexpected(
          endpoint,
          'the login succeeded but no session cookie could be kept; if Dify is served over https, use its https URL',
        );
      }
      this.startSession({ era: 'cookie' });
      this.info = {
        era: 'cookie',
        passwordEncoding: encoding,
        secureCookieNames: access.prefixed,
        difyVersion,
      };
      return { kind: 'ok', info: this.info };
    }
    const refusal = classifyLoginRefusal({ status: res.status, ...difyError(res) }, encoding);
    if (refusal) return refusal;
    const { message } = difyError(res);
    if (res.status === 404 || res.status === 405) throw notFound(this.apiBase, res.status);
    if (res.status >= 400 && res.status < 500)
      throw new AppError('DIFY_LOGIN_REFUSED', { params: { email, message } });
    throw httpError(res, endpoint);
  }

  private startSession(session: Session): void {
    this.session = session;
    this.http.bearerToken = session.era === 'bearer' ? session.accessToken : null;
    this.sessionGeneration++;
  }

  /**
   * After a 401 to a request sent in session `generation`: nothing when a newer session exists already,
   * else one renewal shared by every caller — two refreshes would spend the single-use refresh token
   * twice, and the second would fail (facts.md).
   */
  private renew(generation: number, options: CallOptions): Promise<void> {
    if (generation !== this.sessionGeneration) return Promise.resolve();
    this.renewInFlight ??= (async () => {
      if (!(await this.refresh(options))) await this.login(options);
    })().finally(() => {
      this.renewInFlight = null;
    });
    return this.renewInFlight;
  }

  /** Renews the session without the password; false when Dify refuses (then a full login is needed). */
  private async refresh(options: CallOptions): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    if (session.era === 'bearer') {
      if (!session.refreshToken) return false;
      const res = await this.http.send(
        'POST',
        '/refresh-token',
        { json: { refresh_token: session.refreshToken } },
        options,
        this.timeoutMs,
      );
      const parsed = LoginResponseSchema.safeParse(res.body);
      if (res.status !== 200 || !parsed.success || typeof parsed.data.data !== 'object') return false;
      this.startSession({
        era: 'bearer',
        accessToken: parsed.data.data.access_token,
        refreshToken: parsed.data.data.refresh_token ?? session.refreshToken,
      });
      return true;
    }
    const res = await this.http.send('POST', '/refresh-token', { json: {} }, options, this.timeoutMs);
    if (res.status !== 200) return false;
    this.startSession({ era: 'cookie' });
    return true;
  }

  /** Memory failures never stop a login: the memory only saves guesses. */
  private async recall(): Promise<PasswordEncoding | null> {
    return (await this.options.loginMemory?.recall(this.apiBase).catch(() => null)) ?? null;
  }

  private async remember(encoding: PasswordEncoding): Promise<void> {
    await this.options.loginMemory?.remember(this.apiBase, encoding).catch((e: unknown) => {
      this.options.log?.(`Could not remember the password form: ${messageOf(e)}`);
    });
  }

  // ---- requests ----

  private async call<S extends z.ZodType>(
    method: string,
    apiPath: string,
    schema: S,
    body: RequestBody,
    options: CallOptions,
    timeoutMs = this.timeoutMs,
  ): Promise<z.output<S>> {
    const endpoint = `${method} ${apiPath.split('?')[0]}`;
    if (!this.session) await this.login(options);
    const generation = this.sessionGeneration;
    let res = await this.http.send(method, apiPath, body, options, timeoutMs);
    if (res.status === 401) {
      await this.renew(generation, options);
      res = await this.http.send(method, apiPath, body, options, timeoutMs);
      if (res.status === 401) {
        throw new AppError('DIFY_SESSION_EXPIRED', { detail: `${endpoint}: ${difyError(res).message}` });
      }
    }
    if (res.status < 200 || res.status >= 300) throw requestError(res, endpoint, this.apiBase);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw unexpected(endpoint, zodReason(parsed.error), res.text);
    return parsed.data as z.output<S>;
  }
}

function refusalKey(email: string, password: string, form: PasswordEncoding): string {
  return createHash('sha256').update(`${email}\0${password}\0${form}`).digest('hex');
}
