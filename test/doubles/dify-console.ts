/**
 * A small real HTTP server on 127.0.0.1 that behaves like the parts of Dify's console API the plugin
 * features use, as shared/facts.md describes them:
 *  - auth in three eras: 'base64' (≥ ~1.11: cookies + X-CSRF-Token, base64 password, a plain one is
 *    refused with 401 "Invalid encrypted data"), 'plain' (~1.8–1.10: same cookies, plain password) and
 *    'bearer' (< 1.8: tokens in the login body, `Authorization: Bearer`); `__Host-` cookie names when
 *    `secureCookieNames` (Dify with https console URLs); access-token expiry and POST /refresh-token;
 *  - plugins: multipart `pkg` upload → identifier `author/name:version@<sha256 hex>` computed from the
 *    zip like the daemon does (sha256 over each file's path hash + content hash, sorted); install
 *    tasks pending → running → success/failed; "plugin already installed" when another version of the
 *    plugin_id is installed; list (paged), uninstall, debugging key;
 *  - failure modes: signature verification (400 at upload), install permission (403), tasks that
 *    fail with a message or never finish, broken response shapes.
 * It never records request bodies (they carry passwords).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import yauzl from 'yauzl';

export type DoubleEra = 'base64' | 'plain' | 'bearer';
export type TaskStatus = 'pending' | 'running' | 'success' | 'failed';

export interface DifyConsoleDoubleOptions {
  era?: DoubleEra;
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
  csrfHeader: boolean;
  bearer: boolean;
  /** Time the double spent on the request after its body had arrived (what "Dify's own time" stands for). */
  processingMs: number;
}

interface Task {
  id: string;
  status: TaskStatus;
  plugins: { plugin_unique_identifier: string; plugin_id: string; status: TaskStatus; message: string }[];
  outcome: { ok: true } | { ok: false; message: string } | { hang: true };
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
  options: Required<Omit<DifyConsoleDoubleOptions, 'brokenResponses' | 'signatureRequiredNow'>> &
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
  /** Every current access token is expired now (refresh tokens stay valid). */
  expireSessions(): void;
  /** Refresh tokens stop working too: only a new login helps. */
  revokeRefreshTokens(): void;
  loginCount(): number;
  close(): Promise<void>;
}

const SIGNATURE_MESSAGE =
  'plugin verification has been enabled, and the plugin you want to install has a bad signature';
const FORBIDDEN_MESSAGE =
  "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";

export async function startDifyConsoleDouble(
  opts: DifyConsoleDoubleOptions = {},
): Promise<DifyConsoleDouble> {
  const options: DifyConsoleDouble['options'] = {
    era: opts.era ?? 'base64',
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
  let logins = 0;

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

  /** Dify's pre-1.11 check is a plain compare; ≥1.11 first base64-decodes (failing → "Invalid encrypted data"). */
  const checkPassword = (sent: unknown): 'ok' | 'wrong' | 'undecodable' => {
    if (typeof sent !== 'string') return 'wrong';
    if (options.era !== 'base64') return sent === options.password ? 'ok' : 'wrong';
    const decoded = strictBase64Utf8(sent);
    if (decoded === null) return 'undecodable';
    return decoded === options.password ? 'ok' : 'wrong';
  };

  const authenticate = (req: IncomingMessage): { ok: true } | { ok: false; message: string } => {
    const cookies = parseCookies(req.headers.cookie);
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (options.era === 'bearer') {
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
      if (up) {
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

  const startTask = (up: Uploaded): Task => {
    let outcome: Task['outcome'] = nextOutcomes.shift() ?? { ok: true };
    // Decided when the task starts, like the daemon: another version of the plugin is in the way.
    if (installed.some((p) => p.plugin_id === up.pluginId))
      outcome = { ok: false, message: 'plugin already installed' };
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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname.replace(/^\/console\/api/, '');
    const isApi = url.pathname.startsWith('/console/api/');
    const method = req.method ?? 'GET';
    if (!isApi) return send(res, 404, '<html><title>404 Not Found</title></html>', 'text/html');

    if (method === 'POST' && route === '/login') {
      const body = await readJson(req);
      if (options.brokenResponses?.login !== undefined) return send(res, 200, options.brokenResponses.login);
      const email = typeof body?.email === 'string' ? body.email : '';
      const check = checkPassword(body?.password);
      if (check === 'undecodable')
        return difyError(res, 401, 'authentication_failed', 'Invalid encrypted data');
      if (check === 'wrong' || email !== options.email) {
        if (options.era === 'bearer')
          return difyError(res, 400, 'email_or_password_mismatch', 'The email or password is mismatched.');
        return difyError(res, 401, 'authentication_failed', 'Invalid email or password.');
      }
      logins++;
      const t = issueTokens();
      if (options.era === 'bearer') {
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
      const refresh =
        options.era === 'bearer'
          ? typeof body?.refresh_token === 'string'
            ? body.refresh_token
            : undefined
          : parseCookies(req.headers.cookie).get(cookieName('refresh_token'));
      if (!refresh || !refreshTokens.has(refresh))
        return send(res, 401, { result: 'fail', message: 'Invalid refresh token' });
      refreshTokens.delete(refresh);
      const t = issueTokens();
      if (options.era === 'bearer') {
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
      if (options.brokenResponses?.install !== undefined)
        return send(res, 200, options.brokenResponses.install);
      const pending = (ids as string[]).filter(
        (id) => !installed.some((p) => p.plugin_unique_identifier === id),
      );
      if (pending.length === 0) return send(res, 200, { all_installed: true, task_id: '' });
      const id = pending[0] as string;
      const up = uploads.get(id);
      if (!up) return difyError(res, 400, 'invalid_param', `plugin ${id} not found, upload it first`);
      const task = startTask(up);
      return send(res, 200, { all_installed: false, task_id: task.id });
    }

    const taskMatch = new RegExp(`^${base}/tasks/([^/]+)$`).exec(route);
    if (method === 'GET' && taskMatch) {
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
      const i = installed.findIndex((p) => p.installation_id === body?.plugin_installation_id);
      if (i < 0) return difyError(res, 400, 'invalid_param', 'plugin installation not found');
      installed.splice(i, 1);
      return send(res, 200, { success: true });
    }

    if (method === 'GET' && route === `${base}/debugging-key`) {
      return send(res, 200, { key: 'dbg-' + randomBytes(8).toString('hex'), host: 'localhost', port: 5003 });
    }

    req.resume();
    return difyError(res, 404, 'not_found', 'The requested URL was not found on the server.');
  };

  const server = http.createServer((req, res) => {
    const arrived = performance.now();
    handle(req, res)
      .then((status) => record(req, status, arrived))
      .catch((e: unknown) => {
        if (!res.headersSent)
          difyError(res, 500, 'internal_server_error', e instanceof Error ? e.message : String(e));
        record(req, 500, arrived);
      });
  });
  const record = (req: IncomingMessage, status: number, arrived: number): void => {
    requests.push({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] as string,
      status,
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
    expireSessions() {
      for (const s of accessTokens.values()) s.expiresAt = 0;
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    loginCount: () => logins,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** What Dify's FieldEncryption accepts: canonical base64 of valid UTF-8. */
function strictBase64Utf8(s: string): string | null {
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64') !== s) return null;
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return text.decode(buf);
  } catch {
    return null;
  }
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

function difyError(res: ServerResponse, status: number, code: string, message: string): number {
  return send(res, status, { code, message, status });
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
