/**
 * A small real HTTP server on 127.0.0.1 that behaves like the parts of Dify's console API the plugin
 * features use, as shared/facts.md describes them ("Dify console API"):
 *  - login by release (`version`): tokens in the body + `Authorization: Bearer` up to 1.9.1 and in
 *    2.0.0-beta, cookies + X-CSRF-Token from 1.9.2 (`__Host-` names when `secureCookieNames`), a
 *    base64 password from 1.11.2 (undecodable → 401 "Invalid encrypted data", decoded like Python's
 *    `base64.b64decode`), the password format check up to 1.8.1 and in 2.0.0-beta (400 invalid_param),
 *    a wrong password as 400 email_or_password_mismatch (1.0–1.7) or 401 authentication_failed (≥ 1.8),
 *    and the lock-out: more than 5 counted failures since the last success → 429 until a success is
 *    possible again (here: `unlock()`). Only judged passwords count, as in Dify;
 *  - every answer carries `X-Version` like Dify's api (`versionHeader: false` for a proxy that strips it);
 *  - access-token expiry and POST /refresh-token with single-use refresh tokens;
 *  - plugins: multipart `pkg` upload → identifier `author/name:version@<sha256 hex>` computed from the
 *    zip like the daemon does (sha256 over each file's path hash + content hash, sorted); install
 *    tasks pending → running → success/failed; installing over another version of a plugin_id: daemon
 *    0.5–0.6 reports the task as success but keeps the old version, newer daemons answer
 *    `all_installed: true` with `task_id: ""`; list (paged), uninstall;
 *  - remote debugging: GET debugging-key answers the workspace's key (one per workspace, the same at
 *    every fetch until it expires) with the host and port the daemon's debug port is published at;
 *    with `remoteDebug`, that port is a real TCP listener (plugin-debug-daemon.ts) that checks the
 *    key and lists a connected plugin with source "remote" while it stays connected;
 *  - failure modes: signature verification (400 at upload), install permission (403), tasks that
 *    fail with a message or never finish, plugin-daemon hiccups (400 invalid_param "Failed to request
 *    plugin daemon"), broken response shapes.
 * It never records request bodies (they carry passwords).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import yauzl from 'yauzl';
import { startPluginDebugDaemon, type PluginDebugDaemon, type RegisteredPlugin } from './plugin-debug-daemon';

export type TaskStatus = 'pending' | 'running' | 'success' | 'failed';
export type DaemonEndpoint = 'upload' | 'install' | 'task' | 'list' | 'uninstall';

export interface DifyConsoleDoubleOptions {
  /** The Dify release to behave like, e.g. '1.9.1' or '2.0.0-beta.1'; it may be changed while running. */
  version?: string;
  /** Send `X-Version` on every answer, as Dify's api does (false: a proxy stripped it). */
  versionHeader?: boolean;
  /** The plugin daemon's release: decides how "another version is installed" is answered. */
  daemonVersion?: string;
  email?: string;
  password?: string;
  secureCookieNames?: boolean;
  accessTokenTtlMs?: number;
  /** Time a task spends pending, then running. Both 0: finished on creation ("instant"). */
  taskPendingMs?: number;
  taskRunningMs?: number;
  /** FORCE_VERIFYING_SIGNATURE=true: every (unsigned) upload is refused. */
  signatureRequired?: boolean;
  /**
   * Asked at each upload instead of `signatureRequired` when given: lets a test tie the mode to the
   * real world (e.g. FORCE_VERIFYING_SIGNATURE in a plugin_daemon container's environment).
   */
  signatureRequiredNow?: () => boolean | Promise<boolean>;
  /** The workspace's install permission excludes this user: upload/install/uninstall answer 403. */
  forbidPluginInstall?: boolean;
  maxPackageBytes?: number;
  /** Replace the JSON body of one endpoint with something else (unexpected-shape tests). */
  brokenResponses?: Partial<Record<'upload' | 'install' | 'task' | 'list' | 'login', unknown>>;
  /** Listen on a real remote-debug port (127.0.0.1) and report it from debugging-key. */
  remoteDebug?: boolean;
}

export interface InstalledRecord {
  installation_id: string;
  plugin_id: string;
  plugin_unique_identifier: string;
  version: string;
  name: string;
  source: string;
  declaration: Record<string, unknown>;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** Dify's error code when it answered with one (e.g. 'authentication_failed'). */
  code: string;
  csrfHeader: boolean;
  bearer: boolean;
  /** Time the double spent on the request after its body had arrived (what "Dify's own time" stands for). */
  processingMs: number;
}

interface Task {
  id: string;
  status: TaskStatus;
  plugins: { plugin_unique_identifier: string; plugin_id: string; status: TaskStatus; message: string }[];
  outcome: { ok: true; keepOld?: boolean } | { ok: false; message: string } | { hang: true };
}

interface Uploaded {
  identifier: string;
  pluginId: string;
  version: string;
  name: string;
  manifest: Record<string, unknown>;
}

export interface DifyConsoleDouble {
  /** e.g. http://127.0.0.1:43210 — what the app calls "the Dify URL". */
  url: string;
  options: Required<
    Omit<DifyConsoleDoubleOptions, 'brokenResponses' | 'signatureRequiredNow' | 'remoteDebug'>
  > &
    Pick<DifyConsoleDoubleOptions, 'brokenResponses' | 'signatureRequiredNow'>;
  requests: RequestRecord[];
  installed(): InstalledRecord[];
  uploads(): string[];
  /** Installs directly, as if the user had done it in the web UI (no upload needed). */
  seedInstalled(
    record: Omit<InstalledRecord, 'installation_id' | 'source' | 'declaration' | 'name'> &
      Partial<InstalledRecord>,
  ): InstalledRecord;
  /** The next install task fails with this message (after its pending/running time). */
  failNextInstall(message: string): void;
  /** The next install task stays "running" forever. */
  hangNextInstall(): void;
  /**
   * The next `count` plugin calls (of the given kinds; any kind when omitted) meet a plugin-daemon
   * hiccup: 400 invalid_param "Failed to request plugin daemon". `applied`: the daemon still did the
   * work (it was slow, not down) — an uninstall then really happened.
   */
  failDaemonRequests(count: number, options?: { endpoints?: DaemonEndpoint[]; applied?: boolean }): void;
  /** Every current access token is expired now (refresh tokens stay valid). */
  expireSessions(): void;
  /** Refresh tokens stop working too: only a new login helps. */
  revokeRefreshTokens(): void;
  /** Successful logins. */
  loginCount(): number;
  /** Logins Dify counted as failed (judged wrong passwords), since the start. */
  failedLogins(): number;
  /** Counted failures since the last success: more than 5 lock the account. */
  failuresSinceSuccess(email?: string): number;
  /** What the lock's 24 h expiry does: the failure count is gone. */
  unlock(email?: string): void;
  /** The remote-debug port (with `remoteDebug`): every connection, what it sent, how it ended. */
  debugDaemon: PluginDebugDaemon | null;
  /** The workspace's debugging key now. */
  debuggingKey(): string;
  /** The key's 2 h TTL ran out: it is unknown to the daemon, and the next fetch makes a new one. */
  expireDebuggingKey(): void;
  /** GET debugging-key answers, since the start. */
  debuggingKeyFetches(): number;
  close(): Promise<void>;
}

const SIGNATURE_MESSAGE =
  'plugin verification has been enabled, and the plugin you want to install has a bad signature';
const FORBIDDEN_MESSAGE =
  "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
const FORMAT_MESSAGE = 'Password must contain letters and numbers, and the length must be greater than 8.';
const LOCKED_MESSAGE = 'Too many incorrect password attempts. Please try again later.';
/** Dify's LOGIN_MAX_ERROR_LIMITS: locked when the count is greater than this. */
const MAX_LOGIN_FAILURES = 5;

/** How a release handles the console login (shared/facts.md, "Dify console API"). */
interface LoginRules {
  tokensInBody: boolean;
  base64Password: boolean;
  formatCheck: boolean;
  wrongPassword: { status: number; code: string; message: string };
}

export function loginRulesFor(version: string): LoginRules {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-(.+))?$/.exec(version);
  if (!m) throw new Error(`the Dify double does not know version ${version}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const n = major * 1_000_000 + minor * 1000 + patch;
  const beta2 = major === 2 && minor === 0 && patch === 0 && /^beta/.test(m[4] ?? '');
  if (major !== 1 && !beta2) throw new Error(`the Dify double does not model version ${version}`);
  const judged =
    n <= 1_007_999
      ? { status: 400, code: 'email_or_password_mismatch', message: 'The email or password is mismatched.' }
      : { status: 401, code: 'authentication_failed', message: 'Invalid email or password.' };
  return {
    tokensInBody: beta2 || n <= 1_009_001,
    base64Password: !beta2 && n >= 1_011_002,
    formatCheck: beta2 || n <= 1_008_001,
    wrongPassword: judged,
  };
}

/** The daemon's answer to installing over another version of a plugin_id (0.5–0.6: a "success" task). */
function keepsOldWithSuccessTask(daemonVersion: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(daemonVersion);
  return !m || (Number(m[1]) === 0 && Number(m[2]) <= 6);
}

export async function startDifyConsoleDouble(
  opts: DifyConsoleDoubleOptions = {},
): Promise<DifyConsoleDouble> {
  const options: DifyConsoleDouble['options'] = {
    version: opts.version ?? '1.14.1',
    versionHeader: opts.versionHeader ?? true,
    daemonVersion: opts.daemonVersion ?? '0.5.3',
    email: opts.email ?? 'admin@example.com',
    password: opts.password ?? 'Secr3t!pass',
    secureCookieNames: opts.secureCookieNames ?? false,
    accessTokenTtlMs: opts.accessTokenTtlMs ?? 60 * 60 * 1000,
    taskPendingMs: opts.taskPendingMs ?? 30,
    taskRunningMs: opts.taskRunningMs ?? 60,
    signatureRequired: opts.signatureRequired ?? false,
    forbidPluginInstall: opts.forbidPluginInstall ?? false,
    maxPackageBytes: opts.maxPackageBytes ?? 52_428_800,
    brokenResponses: opts.brokenResponses,
    signatureRequiredNow: opts.signatureRequiredNow,
  };
  const accessTokens = new Map<string, { expiresAt: number; csrf: string }>();
  const refreshTokens = new Set<string>();
  const uploads = new Map<string, Uploaded>();
  const installed: InstalledRecord[] = [];
  const tasks = new Map<string, Task>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const nextOutcomes: Task['outcome'][] = [];
  const hiccups: Array<{ endpoints: DaemonEndpoint[] | null; applied: boolean }> = [];
  const failureCounts = new Map<string, number>();
  let logins = 0;
  let failedLogins = 0;
  let debugKey: string | null = null;
  let debugKeyFetches = 0;
  const workspaceKey = (): string => (debugKey ??= randomUUID());
  const rules = (): LoginRules => loginRulesFor(options.version);

  const cookieName = (base: string): string => (options.secureCookieNames ? `__Host-${base}` : base);

  const issueTokens = (): { access: string; refresh: string; csrf: string } => {
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    accessTokens.set(access, { expiresAt: Date.now() + options.accessTokenTtlMs, csrf });
    refreshTokens.add(refresh);
    return { access, refresh, csrf };
  };

  const setSessionCookies = (
    res: ServerResponse,
    t: { access: string; refresh: string; csrf: string },
  ): void => {
    const secure = options.secureCookieNames ? '; Secure' : '';
    const maxAge = Math.max(1, Math.floor(options.accessTokenTtlMs / 1000));
    res.setHeader('Set-Cookie', [
      `${cookieName('access_token')}=${t.access}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
      `${cookieName('refresh_token')}=${t.refresh}; Path=/; Max-Age=${30 * 86400}; HttpOnly; SameSite=Lax${secure}`,
      `${cookieName('csrf_token')}=${t.csrf}; Path=/; Max-Age=${maxAge}; SameSite=Lax${secure}`,
    ]);
  };

  /** ≥ 1.11.2 decodes first, in a decorator that runs before anything else (`decrypt_password_field`). */
  const receivedPassword = (sent: unknown): { ok: true; password: string } | { ok: false } => {
    if (typeof sent !== 'string') return { ok: false };
    if (!rules().base64Password) return { ok: true, password: sent };
    const decoded = pythonB64decodeUtf8(sent);
    return decoded === null ? { ok: false } : { ok: true, password: decoded };
  };
  const authenticate = (req: IncomingMessage): { ok: true } | { ok: false; message: string } => {
    const cookies = parseCookies(req.headers.cookie);
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (rules().tokensInBody) {
      const session = bearer ? accessTokens.get(bearer) : undefined;
      if (!session || session.expiresAt <= Date.now())
        return { ok: false, message: 'Invalid Authorization token.' };
      return { ok: true };
    }
    const token = cookies.get(cookieName('access_token')) ?? bearer;
    const session = token ? accessTokens.get(token) : undefined;
    if (!session || session.expiresAt <= Date.now())
      return { ok: false, message: 'Invalid Authorization token.' };
    const header = req.headers['x-csrf-token'];
    const cookieCsrf = cookies.get(cookieName('csrf_token'));
    if (typeof header !== 'string' || !header || header !== cookieCsrf || header !== session.csrf) {
      return { ok: false, message: 'CSRF token is missing or invalid.' };
    }
    return { ok: true };
  };

  const schedule = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const finishTask = (task: Task): void => {
    const item = task.plugins[0];
    if (!item) return;
    if ('hang' in task.outcome) return;
    if (task.outcome.ok) {
      const up = uploads.get(item.plugin_unique_identifier);
      if (up && !task.outcome.keepOld) {
        installed.push({
          installation_id: randomUUID(),
          plugin_id: up.pluginId,
          plugin_unique_identifier: up.identifier,
          version: up.version,
          name: up.name,
          source: 'package',
          declaration: up.manifest,
        });
      }
      task.status = 'success';
      item.status = 'success';
      item.message = 'Installed';
    } else {
      task.status = 'failed';
      item.status = 'failed';
      item.message = task.outcome.message;
    }
  };

  const startTask = (up: Uploaded, keepOld: boolean): Task => {
    const outcome: Task['outcome'] = keepOld ? { ok: true, keepOld } : (nextOutcomes.shift() ?? { ok: true });
    const task: Task = {
      id: randomUUID(),
      status: 'pending',
      plugins: [
        { plugin_unique_identifier: up.identifier, plugin_id: up.pluginId, status: 'pending', message: '' },
      ],
      outcome,
    };
    tasks.set(task.id, task);
    const toRunning = (): void => {
      task.status = 'running';
      (task.plugins[0] as Task['plugins'][number]).status = 'running';
    };
    if (options.taskPendingMs === 0 && options.taskRunningMs === 0) {
      toRunning();
      finishTask(task);
    } else {
      schedule(options.taskPendingMs, () => {
        toRunning();
        schedule(options.taskRunningMs, () => finishTask(task));
      });
    }
    return task;
  };

  /** Dify's ValueError when its request to the daemon fails (a timeout, a restart): 400 invalid_param. */
  const daemonHiccup = (endpoint: DaemonEndpoint): { applied: boolean } | null => {
    const i = hiccups.findIndex((h) => !h.endpoints || h.endpoints.includes(endpoint));
    if (i < 0) return null;
    return hiccups.splice(i, 1)[0] as { applied: boolean };
  };
  const hiccupAnswer = (res: ServerResponse, endpoint: DaemonEndpoint): number =>
    difyError(
      res,
      400,
      'invalid_param',
      `Failed to request plugin daemon, url: plugin/${TENANT_ID}/management/${endpoint}`,
    );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    if (options.versionHeader) res.setHeader('X-Version', options.version);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname.replace(/^\/console\/api/, '');
    const isApi = url.pathname.startsWith('/console/api/');
    const method = req.method ?? 'GET';
    if (!isApi) return send(res, 404, '<html><title>404 Not Found</title></html>', 'text/html');

    if (method === 'GET' && route === '/system-features') {
      return send(res, 200, { enable_email_password_login: true, is_allow_register: false });
    }

    if (method === 'POST' && route === '/login') {
      const body = await readJson(req);
      if (options.brokenResponses?.login !== undefined) return send(res, 200, options.brokenResponses.login);
      const r = rules();
      const received = receivedPassword(body?.password);
      if (!received.ok) return difyError(res, 401, 'authentication_failed', 'Invalid encrypted data');
      // reqparse's `valid_password`, before the lock-out check: not counted.
      if (r.formatCheck && !passesFormatCheck(received.password)) {
        return difyError(res, 400, 'invalid_param', FORMAT_MESSAGE, 'password');
      }
      const email = typeof body?.email === 'string' ? body.email : '';
      const failures = failureCounts.get(email) ?? 0;
      if (failures > MAX_LOGIN_FAILURES) return difyError(res, 429, 'email_code_login_limit', LOCKED_MESSAGE);
      if (received.password !== options.password || email !== options.email) {
        failureCounts.set(email, failures + 1);
        failedLogins++;
        return difyError(res, r.wrongPassword.status, r.wrongPassword.code, r.wrongPassword.message);
      }
      failureCounts.delete(email);
      logins++;
      const t = issueTokens();
      if (r.tokensInBody) {
        return send(res, 200, {
          result: 'success',
          data: { access_token: t.access, refresh_token: t.refresh },
        });
      }
      setSessionCookies(res, t);
      return send(res, 200, { result: 'success' });
    }

    if (method === 'POST' && route === '/refresh-token') {
      const body = await readJson(req);
      const refresh = rules().tokensInBody
        ? typeof body?.refresh_token === 'string'
          ? body.refresh_token
          : undefined
        : parseCookies(req.headers.cookie).get(cookieName('refresh_token'));
      if (!refresh || !refreshTokens.has(refresh))
        return send(res, 401, { result: 'fail', message: 'Invalid refresh token' });
      refreshTokens.delete(refresh);
      const t = issueTokens();
      if (rules().tokensInBody) {
        return send(res, 200, {
          result: 'success',
          data: { access_token: t.access, refresh_token: t.refresh },
        });
      }
      setSessionCookies(res, t);
      return send(res, 200, { result: 'success' });
    }

    const auth = authenticate(req);
    if (!auth.ok) {
      req.resume();
      return difyError(res, 401, 'unauthorized', auth.message);
    }

    const base = '/workspaces/current/plugin';
    if (method === 'POST' && route === `${base}/upload/pkg`) {
      if (options.forbidPluginInstall) {
        req.resume();
        return difyError(res, 403, 'forbidden', FORBIDDEN_MESSAGE);
      }
      const form = await readForm(req);
      const file = form?.get('pkg');
      if (!form || !file || typeof file === 'string') {
        return difyError(
          res,
          400,
          'bad_request',
          'The browser (or proxy) sent a request that this server could not understand.',
        );
      }
      if (daemonHiccup('upload')) return hiccupAnswer(res, 'upload');
      const bytes = Buffer.from(await file.arrayBuffer());
      if (bytes.length > options.maxPackageBytes)
        return difyError(res, 400, 'invalid_param', 'File size exceeds the maximum allowed size');
      let up: Uploaded;
      try {
        up = await decodePackage(bytes);
      } catch (e) {
        return difyError(res, 400, 'invalid_param', e instanceof Error ? e.message : String(e));
      }
      const signatureRequired = options.signatureRequiredNow
        ? await options.signatureRequiredNow()
        : options.signatureRequired;
      if (signatureRequired) return difyError(res, 400, 'plugin_error', SIGNATURE_MESSAGE);
      uploads.set(up.identifier, up);
      if (options.brokenResponses?.upload !== undefined)
        return send(res, 200, options.brokenResponses.upload);
      return send(res, 200, { unique_identifier: up.identifier, manifest: up.manifest, verification: null });
    }

    if (method === 'POST' && route === `${base}/install/pkg`) {
      const body = await readJson(req);
      if (options.forbidPluginInstall) return difyError(res, 403, 'forbidden', FORBIDDEN_MESSAGE);
      const ids = body?.plugin_unique_identifiers;
      if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) {
        return difyError(res, 400, 'invalid_param', 'Invalid plugin unique identifier');
      }
      if (daemonHiccup('install')) return hiccupAnswer(res, 'install');
      if (options.brokenResponses?.install !== undefined)
        return send(res, 200, options.brokenResponses.install);
      const pending = (ids as string[]).filter(
        (id) => !installed.some((p) => p.plugin_unique_identifier === id),
      );
      if (pending.length === 0) return send(res, 200, { all_installed: true, task_id: '' });
      const id = pending[0] as string;
      const up = uploads.get(id);
      if (!up) return difyError(res, 400, 'invalid_param', `plugin ${id} not found, upload it first`);
      // Another version of this plugin_id is installed: the daemon keeps it (facts.md).
      const inTheWay = installed.some((p) => p.plugin_id === up.pluginId);
      if (inTheWay && !keepsOldWithSuccessTask(options.daemonVersion)) {
        return send(res, 200, { all_installed: true, task_id: '' });
      }
      const task = startTask(up, inTheWay);
      return send(res, 200, { all_installed: false, task_id: task.id });
    }

    const taskMatch = new RegExp(`^${base}/tasks/([^/]+)$`).exec(route);
    if (method === 'GET' && taskMatch) {
      if (daemonHiccup('task')) return hiccupAnswer(res, 'task');
      if (options.brokenResponses?.task !== undefined) return send(res, 200, options.brokenResponses.task);
      const task = tasks.get(decodeURIComponent(taskMatch[1] as string));
      if (!task) return difyError(res, 400, 'invalid_param', 'task not found');
      return send(res, 200, {
        task: {
          id: task.id,
          status: task.status,
          total_plugins: task.plugins.length,
          completed_plugins: task.plugins.filter((p) => p.status === 'success' || p.status === 'failed')
            .length,
          plugins: task.plugins,
        },
      });
    }

    if (method === 'GET' && route === `${base}/list`) {
      if (daemonHiccup('list')) return hiccupAnswer(res, 'list');
      if (options.brokenResponses?.list !== undefined) return send(res, 200, options.brokenResponses.list);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
      const size = Math.max(1, Number(url.searchParams.get('page_size') ?? '256') || 256);
      return send(res, 200, {
        plugins: installed.slice((page - 1) * size, page * size),
        total: installed.length,
      });
    }

    if (method === 'POST' && route === `${base}/uninstall`) {
      const body = await readJson(req);
      if (options.forbidPluginInstall) return difyError(res, 403, 'forbidden', FORBIDDEN_MESSAGE);
      const hiccup = daemonHiccup('uninstall');
      const i = installed.findIndex((p) => p.installation_id === body?.plugin_installation_id);
      if (hiccup && !hiccup.applied) return hiccupAnswer(res, 'uninstall');
      if (i < 0) return difyError(res, 400, 'invalid_param', 'plugin installation not found');
      installed.splice(i, 1);
      if (hiccup) return hiccupAnswer(res, 'uninstall');
      return send(res, 200, { success: true });
    }

    if (method === 'GET' && route === `${base}/debugging-key`) {
      debugKeyFetches++;
      // PLUGIN_REMOTE_INSTALL_HOST/PORT: what Dify's .env says the debug port is published at.
      const published = debugDaemon
        ? { host: '127.0.0.1', port: debugDaemon.port }
        : { host: 'localhost', port: 5003 };
      return send(res, 200, { key: workspaceKey(), ...published });
    }

    req.resume();
    return difyError(res, 404, 'not_found', 'The requested URL was not found on the server.');
  };

  const server = http.createServer((req, res) => {
    const arrived = performance.now();
    handle(req, res)
      .then((status) => record(req, res, status, arrived))
      .catch((e: unknown) => {
        if (!res.headersSent)
          difyError(res, 500, 'internal_server_error', e instanceof Error ? e.message : String(e));
        record(req, res, 500, arrived);
      });
  });
  const record = (req: IncomingMessage, res: ServerResponse, status: number, arrived: number): void => {
    requests.push({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] as string,
      status,
      code: errorCodes.get(res) ?? '',
      csrfHeader: typeof req.headers['x-csrf-token'] === 'string',
      bearer: /^Bearer /i.test(req.headers.authorization ?? ''),
      processingMs: performance.now() - (bodyReceived.get(req) ?? arrived),
    });
  };
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const debugDaemon = opts.remoteDebug
    ? await startPluginDebugDaemon({
        keyValid: (key) => key === debugKey,
        onConnected: (plugin) => installRemote(plugin),
        onDisconnected: (installationId) => {
          const i = installed.findIndex((p) => p.installation_id === installationId);
          if (i >= 0) installed.splice(i, 1);
        },
      })
    : null;
  /**
   * The control panel's install of a connected debug run: a remote installation of its own, or —
   * the plugin_id being installed already — the existing one, which the disconnect then removes.
   */
  function installRemote(plugin: RegisteredPlugin): string {
    const existing = installed.find((p) => p.plugin_id === plugin.pluginId);
    if (existing) return existing.installation_id;
    const checksum = createHash('sha256')
      .update(JSON.stringify(plugin.declaration))
      .update(TENANT_ID)
      .digest('hex');
    const record: InstalledRecord = {
      installation_id: randomUUID(),
      plugin_id: plugin.pluginId,
      plugin_unique_identifier: `${plugin.pluginId}:${plugin.version}@${checksum}`,
      version: plugin.version,
      name: plugin.pluginId.split('/')[1] ?? plugin.pluginId,
      source: 'remote',
      declaration: plugin.declaration,
    };
    installed.push(record);
    return record.installation_id;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    options,
    requests,
    installed: () => installed.map((p) => ({ ...p })),
    uploads: () => [...uploads.keys()],
    seedInstalled(rec) {
      const full: InstalledRecord = {
        installation_id: rec.installation_id ?? randomUUID(),
        plugin_id: rec.plugin_id,
        plugin_unique_identifier: rec.plugin_unique_identifier,
        version: rec.version,
        name: rec.name ?? rec.plugin_id.split('/')[1] ?? rec.plugin_id,
        source: rec.source ?? 'package',
        declaration: rec.declaration ?? {},
      };
      installed.push(full);
      return { ...full };
    },
    failNextInstall: (message) => void nextOutcomes.push({ ok: false, message }),
    hangNextInstall: () => void nextOutcomes.push({ hang: true }),
    failDaemonRequests(count, o = {}) {
      for (let i = 0; i < count; i++) hiccups.push({ endpoints: o.endpoints ?? null, applied: !!o.applied });
    },
    expireSessions() {
      for (const s of accessTokens.values()) s.expiresAt = 0;
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    loginCount: () => logins,
    failedLogins: () => failedLogins,
    failuresSinceSuccess: (email = options.email) => failureCounts.get(email) ?? 0,
    unlock(email = options.email) {
      failureCounts.delete(email);
    },
    debugDaemon,
    debuggingKey: workspaceKey,
    expireDebuggingKey() {
      debugKey = null;
    },
    debuggingKeyFetches: () => debugKeyFetches,
    async close() {
      await debugDaemon?.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const TENANT_ID = '5c2a7f4e-0000-4000-8000-000000000001';

/**
 * Dify ≥ 1.11.2's FieldEncryption.decrypt_field: `base64.b64decode(text).decode("utf-8")`, None on any
 * error. Python's decoder (validate off) skips characters outside the alphabet, stops at a complete
 * `=` pad, refuses a dangling quad and a non-ASCII str.
 */
export function pythonB64decodeUtf8(text: string): string | null {
  if ([...text].some((ch) => ch.charCodeAt(0) > 0x7f)) return null;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const values: number[] = [];
  let pads = 0;
  for (const ch of text) {
    if (ch === '=') {
      const quad = values.length % 4;
      if (quad >= 2 && quad + ++pads >= 4) break;
      continue;
    }
    const v = alphabet.indexOf(ch);
    if (v < 0) continue;
    pads = 0;
    values.push(v);
  }
  const rest = values.length % 4;
  if (rest !== 0 && !(rest >= 2 && pads > 0 && rest + pads >= 4)) return null;
  // Whole quads → 3 bytes; a padded tail of 2 (3) values → 1 (2) bytes.
  let bits = '';
  for (const v of values) bits += v.toString(2).padStart(6, '0');
  const byteCount = Math.floor(values.length / 4) * 3 + (rest === 0 ? 0 : rest - 1);
  const bytes = new Uint8Array(byteCount);
  for (let i = 0; i < byteCount; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Dify's `valid_password`: `^(?=.*[a-zA-Z])(?=.*\d).{8,}$` (Python: `\d` is any decimal digit). */
function passesFormatCheck(password: string): boolean {
  return /^(?=[^\n]*[a-zA-Z])(?=[^\n]*\p{Nd})[^\n]{8,}\n?$/u.test(password);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) map.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return map;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): number {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return status;
}

const errorCodes = new WeakMap<ServerResponse, string>();

/** Dify's error body; a request-parser refusal also names the parameter (`params`). */
function difyError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  params?: string,
): number {
  errorCodes.set(res, code);
  return send(res, status, { code, message, ...(params ? { params } : {}), status });
}

const bodyReceived = new WeakMap<IncomingMessage, number>();

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  bodyReceived.set(req, performance.now());
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  try {
    const v = JSON.parse((await readBody(req)).toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Multipart parsing by the platform's own Fetch implementation (Response#formData). */
async function readForm(req: IncomingMessage): Promise<FormData | null> {
  const type = req.headers['content-type'] ?? '';
  const body = await readBody(req);
  if (!type.startsWith('multipart/form-data')) return null;
  try {
    return await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    return null;
  }
}

/** The daemon's view of an uploaded package: manifest identity + checksum over the zip's files. */
async function decodePackage(bytes: Buffer): Promise<Uploaded> {
  const files = await readZip(bytes).catch((e: unknown) => {
    throw new Error(`zip: not a valid zip file (${e instanceof Error ? e.message : String(e)})`);
  });
  const manifestBytes = files.get('manifest.yaml');
  if (!manifestBytes) throw new Error('manifest.yaml not found in the package');
  let manifest: unknown;
  try {
    manifest = parseYaml(manifestBytes.toString('utf8'));
  } catch (e) {
    throw new Error(`failed to parse manifest.yaml: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof manifest !== 'object' || manifest === null) throw new Error('manifest.yaml is not a mapping');
  const m = manifest as Record<string, unknown>;
  const author = String(m.author ?? '');
  const name = String(m.name ?? '');
  const version = String(m.version ?? '');
  if (
    !/^[a-z0-9_-]{1,64}$/.test(author) ||
    !/^[a-z0-9_-]{1,128}$/.test(name) ||
    !/^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$/.test(version)
  ) {
    throw new Error(`invalid plugin manifest identity: ${author}/${name}:${version}`);
  }
  const sha = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();
  const keys = [...files.keys()].sort();
  const all = createHash('sha256');
  for (const k of keys) {
    all.update(sha(k));
    all.update(sha(files.get(k) as Buffer));
  }
  const identifier = `${author}/${name}:${version}@${all.digest('hex')}`;
  return { identifier, pluginId: `${author}/${name}`, version, name, manifest: m };
}

function readZip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open'));
      const files = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('cannot read entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

export interface RedirectingProxy {
  /** The address the client is given (it answers every request with a redirect). */
  url: string;
  /** Requests it answered: method and path, never bodies. */
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/**
 * A server that answers with a redirect to the same path at `target` — what a moved Dify, a proxy
 * forcing https, or an attacker's host would send.
 */
export async function startRedirectingProxy(
  target: string,
  options: { status?: 301 | 302 | 303 | 307 | 308 } = {},
): Promise<RedirectingProxy> {
  const requests: RedirectingProxy['requests'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push({ method, path: path.split('?')[0] as string });
    res.writeHead(options.status ?? 307, { Location: new URL(path, target).href }).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
