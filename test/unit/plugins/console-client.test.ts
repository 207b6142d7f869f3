import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import {
  consoleApiBase,
  DifyConsoleClient,
  difyError,
  type ConsoleClientOptions,
} from '../../../electron/plugins/console-client';
import { packagePluginFolder } from '../../../electron/plugins/packager';
import {
  startDifyConsoleDouble,
  type DifyConsoleDouble,
  type DifyConsoleDoubleOptions,
} from '../../doubles/dify-console';
import { startSilentServer } from '../../doubles/silent-server';
import { copyFixture, makeZip, removeTempDirs, tempDir } from './helpers';

let pkgPath = '';
const doubles: DifyConsoleDouble[] = [];

beforeAll(async () => {
  pkgPath = (
    await packagePluginFolder(await copyFixture(), { outFile: path.join(await tempDir(), 'sd.difypkg') })
  ).path;
});
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});
afterAll(removeTempDirs);

async function start(options: DifyConsoleDoubleOptions = {}): Promise<DifyConsoleDouble> {
  const d = await startDifyConsoleDouble(options);
  doubles.push(d);
  return d;
}

function clientFor(
  dify: DifyConsoleDouble,
  extra: Partial<ConsoleClientOptions> = {},
): { client: DifyConsoleClient; log: string[] } {
  const log: string[] = [];
  const client = new DifyConsoleClient({
    baseUrl: dify.url,
    email: dify.options.email,
    password: () => dify.options.password,
    log: (l) => log.push(l),
    ...extra,
  });
  return { client, log };
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const logins = (d: DifyConsoleDouble): number =>
  d.requests.filter((r) => r.path === '/console/api/login').length;

describe('login by era (the double tells its release in X-Version, as Dify does)', () => {
  it('≥ 1.11.2: base64 password, cookies and X-CSRF-Token on every call', async () => {
    const dify = await start({ version: '1.13.3' });
    const { client } = clientFor(dify);
    expect(await client.login()).toEqual({
      era: 'cookie',
      passwordEncoding: 'base64',
      secureCookieNames: false,
      difyVersion: '1.13.3',
    });
    expect(logins(dify)).toBe(1);
    expect(await client.listPlugins()).toEqual([]);
    const list = dify.requests.find((r) => r.path.endsWith('/plugin/list'));
    expect(list).toMatchObject({ status: 200, csrfHeader: true, bearer: false });
  });

  it('1.9.2–1.11.1: cookies, plain password', async () => {
    const dify = await start({ version: '1.10.1' });
    const { client } = clientFor(dify);
    expect(await client.login()).toMatchObject({ era: 'cookie', passwordEncoding: 'plain' });
    await client.listPlugins();
    expect(dify.requests.find((r) => r.path.endsWith('/plugin/list'))).toMatchObject({ csrfHeader: true });
  });

  it('≤ 1.9.1: the token comes in the login body and calls use Authorization: Bearer', async () => {
    const dify = await start({ version: '1.9.1' });
    const { client } = clientFor(dify);
    expect(await client.login()).toMatchObject({ era: 'bearer', passwordEncoding: 'plain' });
    await client.listPlugins();
    expect(dify.requests.find((r) => r.path.endsWith('/plugin/list'))).toMatchObject({
      status: 200,
      bearer: true,
    });
  });

  it('understands __Host- cookie names (Dify with https console URLs)', async () => {
    const dify = await start({ secureCookieNames: true });
    const { client } = clientFor(dify);
    expect(await client.login()).toMatchObject({ era: 'cookie', secureCookieNames: true });
    await expect(client.listPlugins()).resolves.toEqual([]);
  });

  it('logs in by itself on the first call', async () => {
    const dify = await start();
    const { client } = clientFor(dify);
    await client.listPlugins();
    expect(dify.loginCount()).toBe(1);
  });

  it("asks the version once (GET /system-features, what Dify's sign-in page asks first), then reads it from every answer", async () => {
    const dify = await start({ version: '1.11.2' });
    const { client } = clientFor(dify);
    await client.login();
    await client.login();
    expect(dify.requests.map((r) => `${r.method} ${r.path.replace('/console/api', '')} ${r.status}`)).toEqual(
      ['GET /system-features 200', 'POST /login 200', 'POST /login 200'],
    );
  });

  it('a Dify upgraded under a running client: the first answer after it tells the new release', async () => {
    const dify = await start({ version: '1.11.1' });
    const { client } = clientFor(dify);
    expect(await client.login()).toMatchObject({ passwordEncoding: 'plain' });
    dify.options.version = '1.11.2';
    await client.listPlugins(); // answered by the upgraded Dify (X-Version 1.11.2)
    expect(await client.login()).toMatchObject({ passwordEncoding: 'base64', difyVersion: '1.11.2' });
    expect(dify.failedLogins()).toBe(0);
  });
});

describe('CSRF', () => {
  it('the double refuses an authenticated request without X-CSRF-Token, like Dify', async () => {
    const dify = await start();
    const login = await fetch(`${dify.url}/console/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: dify.options.email,
        password: Buffer.from(dify.options.password).toString('base64'),
      }),
    });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0] as string);
    const cookieHeader = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('csrf_token='))?.split('=')[1] ?? '';
    const url = `${dify.url}/console/api/workspaces/current/plugin/list?page=1&page_size=256`;
    const without = await fetch(url, { headers: { Cookie: cookieHeader } });
    expect(without.status).toBe(401);
    expect(((await without.json()) as { message: string }).message).toBe('CSRF token is missing or invalid.');
    const wrong = await fetch(url, { headers: { Cookie: cookieHeader, 'X-CSRF-Token': 'nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(url, { headers: { Cookie: cookieHeader, 'X-CSRF-Token': csrf } });
    expect(right.status).toBe(200);
  });
});

describe('session expiry', () => {
  it.each(['1.16.0', '1.9.1'])(
    'Dify %s: a 401 refreshes the session once and retries, without the password',
    async (version) => {
      const dify = await start({ version });
      const { client } = clientFor(dify);
      await client.listPlugins();
      dify.expireSessions();
      await expect(client.listPlugins()).resolves.toEqual([]);
      expect(dify.loginCount()).toBe(1);
      const tail = dify.requests.slice(-3).map((r) => `${r.path.replace('/console/api', '')} ${r.status}`);
      expect(tail).toEqual([
        '/workspaces/current/plugin/list 401',
        '/refresh-token 200',
        '/workspaces/current/plugin/list 200',
      ]);
    },
  );

  it('logs in again when the refresh token is no longer accepted', async () => {
    const dify = await start();
    const { client } = clientFor(dify);
    await client.listPlugins();
    dify.expireSessions();
    dify.revokeRefreshTokens();
    await expect(client.listPlugins()).resolves.toEqual([]);
    expect(dify.loginCount()).toBe(2);
  });

  it.each(['1.16.0', '1.9.1'])(
    'Dify %s: calls that meet a 401 together share one refresh (refresh tokens are single-use)',
    async (version) => {
      const dify = await start({ version });
      const { client } = clientFor(dify);
      await client.login();
      dify.expireSessions();
      const [a, b, c] = await Promise.all([
        client.listPlugins(),
        client.debuggingKey(),
        client.listPlugins(),
      ]);
      expect([a, b.port, c]).toEqual([[], 5003, []]);
      const paths = dify.requests.map((r) => `${r.path.replace('/console/api', '')} ${r.status}`);
      expect(paths.filter((p) => p.startsWith('/refresh-token'))).toEqual(['/refresh-token 200']);
      expect(dify.loginCount()).toBe(1);
      // A 401 that arrives after the refresh is retried with the new session, not refreshed again.
      dify.expireSessions();
      await client.listPlugins();
      expect(dify.requests.filter((r) => r.path.endsWith('/refresh-token'))).toHaveLength(2);
    },
  );

  it('an upload that meets an expired session is sent again after the refresh', async () => {
    const dify = await start({ accessTokenTtlMs: 1000 });
    const { client } = clientFor(dify);
    await client.login();
    dify.expireSessions();
    const up = await client.uploadPkg(pkgPath);
    expect(up.unique_identifier).toMatch(/^local_dev\/sd_tool:0\.1\.0@/);
    expect(dify.uploads()).toEqual([up.unique_identifier]);
  });
});

describe('bad input and refusals', () => {
  it.each([
    ['1.16.0', 'Invalid email or password.'],
    ['1.10.1', 'Invalid email or password.'],
    ['1.5.0', 'The email or password is mismatched.'],
  ])(
    "wrong password (Dify %s) → DIFY_LOGIN_FAILED with Dify's message, password nowhere",
    async (version, message) => {
      const dify = await start({ version });
      const wrong = 'Wr0ng-pass!';
      const { client, log } = clientFor(dify, { password: () => wrong });
      const e = await errorOf(client.login());
      expect(e.code).toBe('DIFY_LOGIN_FAILED');
      expect(e.params).toEqual({ email: dify.options.email, message });
      const everything = JSON.stringify({ info: e.toInfo(), log, stack: e.stack });
      expect(everything).not.toContain(wrong);
      expect(everything).not.toContain(Buffer.from(wrong).toString('base64'));
    },
  );

  it('missing credentials → DIFY_CREDENTIALS_MISSING without a request', async () => {
    const dify = await start();
    const { client } = clientFor(dify, { password: () => '' });
    expect((await errorOf(client.listPlugins())).code).toBe('DIFY_CREDENTIALS_MISSING');
    expect(dify.requests).toEqual([]);
  });

  it('a login answered with result "fail" → DIFY_LOGIN_REFUSED with its reason', async () => {
    const dify = await start({
      brokenResponses: {
        login: { result: 'fail', data: 'workspace not found, please contact system admin' },
      },
    });
    const e = await errorOf(clientFor(dify).client.login());
    expect(e.code).toBe('DIFY_LOGIN_REFUSED');
    expect(e.params?.message).toContain('workspace not found');
  });

  it('Dify not running → DIFY_UNREACHABLE naming the URL and the reason', async () => {
    const dify = await startDifyConsoleDouble();
    const url = dify.url;
    await dify.close();
    const client = new DifyConsoleClient({ baseUrl: url, email: 'a@b.c', password: () => 'x' });
    const e = await errorOf(client.login());
    expect(e.code).toBe('DIFY_UNREACHABLE');
    expect(e.params).toEqual({ url, reason: 'ECONNREFUSED' });
  });

  it('a server that never answers → DIFY_UNREACHABLE after the request time limit', async () => {
    const server = await startSilentServer();
    try {
      const client = new DifyConsoleClient({
        baseUrl: server.url,
        email: 'a@b.c',
        password: () => 'x',
        requestTimeoutMs: 300,
      });
      const e = await errorOf(client.login());
      expect(e.code).toBe('DIFY_UNREACHABLE');
      expect(e.params?.reason).toBe('no answer within 0.3 s');
    } finally {
      await server.close();
    }
  });

  it('a URL where no Dify console answers → DIFY_NOT_FOUND', async () => {
    const dify = await start();
    const e = await errorOf(clientFor(dify, { baseUrl: `${dify.url}/not-dify` }).client.login());
    expect(e.code).toBe('DIFY_NOT_FOUND');
    expect(e.params).toEqual({ url: `${dify.url}/not-dify/console/api`, status: 404 });
  });

  it("403 (install permission) → DIFY_FORBIDDEN with Dify's message", async () => {
    const dify = await start({ forbidPluginInstall: true });
    const e = await errorOf(clientFor(dify).client.uploadPkg(pkgPath));
    expect(e.code).toBe('DIFY_FORBIDDEN');
    expect(e.params?.message).toMatch(/permission/);
  });

  it('signature verification → PLUGIN_SIGNATURE_REJECTED with the daemon message', async () => {
    const dify = await start({ signatureRequired: true });
    const e = await errorOf(clientFor(dify).client.uploadPkg(pkgPath));
    expect(e.code).toBe('PLUGIN_SIGNATURE_REJECTED');
    expect(e.params?.message).toContain('plugin verification has been enabled');
  });

  it("a zip that is not a plugin → DIFY_REQUEST_FAILED with Dify's reason", async () => {
    const dify = await start();
    const zip = path.join(await tempDir(), 'photos.difypkg');
    await makeZip(zip, { 'photo.txt': 'not a plugin' });
    const e = await errorOf(clientFor(dify).client.uploadPkg(zip));
    expect(e.code).toBe('DIFY_REQUEST_FAILED');
    expect(e.params).toEqual({
      endpoint: 'POST /workspaces/current/plugin/upload/pkg',
      message: 'manifest.yaml not found in the package',
    });
  });

  it('a package file that does not exist → PLUGIN_NOT_A_PACKAGE without a request', async () => {
    const dify = await start();
    const missing = path.join(await tempDir(), 'gone.difypkg');
    const e = await errorOf(clientFor(dify).client.uploadPkg(missing));
    expect(e.code).toBe('PLUGIN_NOT_A_PACKAGE');
    expect(e.params).toEqual({ path: missing, reason: 'the file does not exist' });
    expect(dify.requests).toEqual([]);
  });

  it('an unexpected response shape → DIFY_UNEXPECTED_RESPONSE naming the endpoint and the field', async () => {
    const dify = await start({ brokenResponses: { list: { data: [] } } });
    const e = await errorOf(clientFor(dify).client.listPlugins());
    expect(e.code).toBe('DIFY_UNEXPECTED_RESPONSE');
    expect(e.params?.endpoint).toBe('GET /workspaces/current/plugin/list');
    expect(e.params?.reason).toContain('plugins');
  });
});

describe('plugin calls', () => {
  it('upload → install → task → list → uninstall', async () => {
    const dify = await start({ taskPendingMs: 20, taskRunningMs: 20 });
    const { client } = clientFor(dify);
    const up = await client.uploadPkg(pkgPath);
    expect(up.manifest).toMatchObject({ author: 'local_dev', name: 'sd_tool' });
    const install = await client.installPkg([up.unique_identifier]);
    expect(install.all_installed).toBe(false);
    expect(['pending', 'running']).toContain((await client.getTask(install.task_id)).status);
    let task = await client.getTask(install.task_id);
    for (let i = 0; i < 100 && task.status !== 'success'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      task = await client.getTask(install.task_id);
    }
    expect(task).toMatchObject({ status: 'success', total_plugins: 1, completed_plugins: 1 });
    const list = await client.listPlugins();
    expect(list).toEqual([
      expect.objectContaining({
        plugin_id: 'local_dev/sd_tool',
        plugin_unique_identifier: up.unique_identifier,
        version: '0.1.0',
      }),
    ]);
    await client.uninstall(list[0]?.installation_id ?? '');
    expect(await client.listPlugins()).toEqual([]);
    expect(await client.debuggingKey()).toMatchObject({ host: 'localhost', port: 5003 });
  });

  it('a plugin-daemon hiccup (400 "Failed to request plugin daemon") → DIFY_PLUGIN_DAEMON_UNAVAILABLE', async () => {
    const dify = await start();
    dify.failDaemonRequests(1, { endpoints: ['list'] });
    const e = await errorOf(clientFor(dify).client.listPlugins());
    expect(e.code).toBe('DIFY_PLUGIN_DAEMON_UNAVAILABLE');
    expect(e.params).toMatchObject({ endpoint: 'GET /workspaces/current/plugin/list' });
    expect(String(e.params?.message)).toMatch(/^Failed to request plugin daemon/);
  });

  it.each([
    ['0.5.3', { all_installed: false }, 'the task reports success', '0.0.9'],
    ['0.7.0', { all_installed: true, task_id: '' }, 'nothing to wait for', '0.0.9'],
  ])(
    'installing over another installed version (daemon %s): %j, %s, and the old version stays',
    async (daemonVersion, installAnswer, _what, kept) => {
      const dify = await start({ daemonVersion, taskPendingMs: 0, taskRunningMs: 0 });
      dify.seedInstalled({
        plugin_id: 'local_dev/sd_tool',
        plugin_unique_identifier: `local_dev/sd_tool:0.0.9@${'c'.repeat(64)}`,
        version: '0.0.9',
      });
      const { client } = clientFor(dify);
      const up = await client.uploadPkg(pkgPath);
      const install = await client.installPkg([up.unique_identifier]);
      expect(install).toMatchObject(installAnswer);
      if (!install.all_installed) expect((await client.getTask(install.task_id)).status).toBe('success');
      expect((await client.listPlugins()).map((p) => p.version)).toEqual([kept]);
    },
  );

  it('lists every page', async () => {
    const dify = await start();
    for (let i = 0; i < 300; i++) {
      dify.seedInstalled({
        plugin_id: `me/p${i}`,
        plugin_unique_identifier: `me/p${i}:1.0.0@${'a'.repeat(64)}`,
        version: '1.0.0',
      });
    }
    const list = await clientFor(dify).client.listPlugins();
    expect(list).toHaveLength(300);
    expect(dify.requests.filter((r) => r.path.endsWith('/plugin/list'))).toHaveLength(2);
  });
});

describe('helpers', () => {
  it.each([
    ['http://localhost', 'http://localhost/console/api'],
    ['http://localhost/', 'http://localhost/console/api'],
    ['http://localhost/console/api/', 'http://localhost/console/api'],
    ['https://dify.example.com/sub', 'https://dify.example.com/sub/console/api'],
  ])('consoleApiBase(%s)', (input, expected) => {
    expect(consoleApiBase(input)).toBe(expected);
  });

  it('rejects non-http URLs', () => {
    expect(() => consoleApiBase('ftp://x')).toThrow(AppError);
    expect(() => consoleApiBase('localhost')).toThrow(AppError);
  });

  it('difyError unwraps a plugin error whose message is the daemon JSON, and strips HTML pages', () => {
    const nested = {
      code: 'plugin_error',
      message: JSON.stringify({ error_type: 'PluginDaemonBadRequestError', message: 'bad thing' }),
    };
    expect(difyError({ status: 400, body: nested, text: '' })).toEqual({
      code: 'plugin_error',
      message: 'bad thing',
      params: '',
    });
    expect(
      difyError({ status: 502, body: undefined, text: '<html><title>502 Bad Gateway</title></html>' }),
    ).toEqual({
      code: '',
      message: '502 Bad Gateway',
      params: '',
    });
  });
});
