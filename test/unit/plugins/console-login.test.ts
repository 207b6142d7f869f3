/**
 * The console login across Dify's releases against the double, counting what Dify's lock-out counts:
 * failed logins (more than 5 since the last success lock the account for 24 h — shared/facts.md).
 * The rule under test: the right password logs in, spending no failed login when the release is
 * known and at most one otherwise; a wrong password spends exactly one per attempt.
 */
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { DifyConsoleClient, type ConsoleClientOptions } from '../../../electron/plugins/console-client';
import { LoginMemoryFile } from '../../../electron/plugins/login-memory';
import {
  startDifyConsoleDouble,
  type DifyConsoleDouble,
  type DifyConsoleDoubleOptions,
} from '../../doubles/dify-console';
import { removeTempDirs, tempDir } from './helpers';

const doubles: DifyConsoleDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});
afterAll(removeTempDirs);

async function start(options: DifyConsoleDoubleOptions): Promise<DifyConsoleDouble> {
  const d = await startDifyConsoleDouble(options);
  doubles.push(d);
  return d;
}

function client(dify: DifyConsoleDouble, extra: Partial<ConsoleClientOptions> = {}): DifyConsoleClient {
  return new DifyConsoleClient({
    baseUrl: dify.url,
    email: dify.options.email,
    password: () => dify.options.password,
    ...extra,
  });
}

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e.code : `not an AppError: ${String(e)}`),
  );
}

const loginStatuses = (d: DifyConsoleDouble): string[] =>
  d.requests.filter((r) => r.path === '/console/api/login').map((r) => `${r.status} ${r.code}`.trim());

/** What shared/facts.md says each release wants, written out here rather than taken from the code. */
const RELEASES = [
  ['1.0.0', 'bearer', 'plain'],
  ['1.7.2', 'bearer', 'plain'],
  ['1.8.1', 'bearer', 'plain'],
  ['1.9.1', 'bearer', 'plain'],
  ['1.9.2', 'cookie', 'plain'],
  ['1.11.1', 'cookie', 'plain'],
  ['1.11.2', 'cookie', 'base64'],
  ['1.16.0', 'cookie', 'base64'],
  ['2.0.0-beta.1', 'bearer', 'plain'],
] as const;

/** The account's password and a mistyped one; base64 of 'Abcd1234' (QWJjZDEyMzQ=) has no digit. */
const PASSWORDS = [
  ['Abcd1234', 'abcd1234', 'no digit in its base64'],
  ['Secr3t!pass', 'Secr3t!pas5', 'a digit in its base64'],
] as const;

/** How the release reaches the client: Dify's own X-Version, the api image tag, or not at all. */
const HOW = ['X-Version', 'image tag', 'unknown'] as const;

const cases = RELEASES.flatMap(([version, era, encoding]) =>
  PASSWORDS.flatMap(([password, typo, kind]) =>
    HOW.map((how) => ({ version, era, encoding, password, typo, kind, how })),
  ),
);

function setUp(c: (typeof cases)[number]): Promise<DifyConsoleDouble> {
  return start({ version: c.version, password: c.password, versionHeader: c.how === 'X-Version' });
}

function clientFor(c: (typeof cases)[number], dify: DifyConsoleDouble, password: string): DifyConsoleClient {
  return client(dify, {
    password: () => password,
    difyVersion: c.how === 'image tag' ? () => c.version : undefined,
  });
}

describe('right password: logs in on every release', () => {
  it.each(cases)('Dify $version, password with $kind, release from $how', async (c) => {
    const dify = await setUp(c);
    const info = await clientFor(c, dify, c.password).login();
    expect(info).toMatchObject({ era: c.era, passwordEncoding: c.encoding });
    // Nothing spent: a known release sends the right form; otherwise the plain form goes first
    // exactly when a base64-era Dify would refuse it for free ("Invalid encrypted data").
    expect(dify.failedLogins()).toBe(0);
    if (c.how !== 'unknown') expect(loginStatuses(dify)).toEqual(['200']);
  });
});

describe('wrong password: exactly one failed login per attempt', () => {
  it.each(cases)('Dify $version, password with $kind, release from $how', async (c) => {
    const dify = await setUp(c);
    expect(await outcome(clientFor(c, dify, c.typo).login())).toBe('DIFY_LOGIN_FAILED');
    expect(dify.failedLogins()).toBe(1);
    expect(await outcome(clientFor(c, dify, c.typo).login())).toBe('DIFY_LOGIN_FAILED');
    expect(dify.failedLogins()).toBe(2);
  });
});

describe('a password Dify ≥ 1.11.2 could also decode (Zm9vYmFy is base64 for "foobar")', () => {
  const password = 'Zm9vYmFy';

  it.each(RELEASES)('Dify %s, release known: right costs nothing, wrong exactly one', async (version) => {
    const dify = await start({ version, password });
    await expect(client(dify).login()).resolves.toBeTruthy();
    expect(await outcome(client(dify, { password: () => 'Zm9vYmFz' }).login())).toBe('DIFY_LOGIN_FAILED');
    expect(dify.failedLogins()).toBe(1);
  });

  it.each(RELEASES)(
    'Dify %s, release unknown: at most one failed login before the right password gets in',
    async (version, _era, encoding) => {
      const dify = await start({ version, password, versionHeader: false });
      const memory = new LoginMemoryFile(path.join(await tempDir(), 'dify-logins.json'));
      const first = await outcome(client(dify, { loginMemory: memory }).login());
      if (first === 'ok') {
        expect(dify.failedLogins()).toBe(0);
      } else {
        // Refused in base64 by a plain-password Dify that judged it: the error says the form may be the
        // cause, and the next login leads with the other form.
        expect(first).toBe('DIFY_LOGIN_FAILED_UNCERTAIN');
        expect(dify.failedLogins()).toBe(1);
        expect(await memory.recall(`${dify.url}/console/api`)).toBe('plain');
        await expect(client(dify, { loginMemory: memory }).login()).resolves.toMatchObject({
          passwordEncoding: encoding,
        });
        expect(dify.failedLogins()).toBe(1);
      }
      expect(dify.failuresSinceSuccess()).toBe(0);
    },
  );

  it('release unknown, mistyped again and again: one failed login per attempt, never two', async () => {
    const dify = await start({ version: '1.16.0', password, versionHeader: false });
    const memory = new LoginMemoryFile(path.join(await tempDir(), 'dify-logins.json'));
    for (let i = 1; i <= 4; i++) {
      await outcome(client(dify, { loginMemory: memory, password: () => 'Zm9vYmFz' }).login());
      expect(dify.failedLogins()).toBe(i);
    }
  });
});

describe('what Dify judged wrong is never sent again by the same client', () => {
  it('a failed reinstall and the list the page reloads after it cost one failed login', async () => {
    const dify = await start({ version: '1.16.0' });
    const c = client(dify, { password: () => 'Wr0ng-pass!' });
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED');
    expect(await outcome(c.listPlugins())).toBe('DIFY_LOGIN_FAILED');
    expect(await outcome(c.listPlugins())).toBe('DIFY_LOGIN_FAILED');
    expect(dify.failedLogins()).toBe(1);
    expect(loginStatuses(dify)).toHaveLength(1);
  });

  it('another password (the settings changed) is tried', async () => {
    const dify = await start({ version: '1.9.1' });
    let typed = 'Wr0ng-pass!';
    const c = client(dify, { password: () => typed });
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED');
    typed = dify.options.password;
    await expect(c.login()).resolves.toMatchObject({ era: 'bearer' });
    expect(dify.failedLogins()).toBe(1);
    expect(dify.failuresSinceSuccess()).toBe(0);
  });

  it('release unknown: after an uncertain refusal the same client tries the other form, never the same one', async () => {
    const dify = await start({ version: '1.9.1', password: 'Zm9vYmFy', versionHeader: false });
    const c = client(dify);
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED_UNCERTAIN');
    await expect(c.login()).resolves.toMatchObject({ passwordEncoding: 'plain' });
    expect(dify.failedLogins()).toBe(1);
  });

  it('release unknown: a free refusal of the other form makes the earlier refusal conclusive', async () => {
    // Remembered base64 (it worked before); the password was changed in Dify since.
    const dify = await start({ version: '1.16.0', versionHeader: false });
    const memory = new LoginMemoryFile(path.join(await tempDir(), 'dify-logins.json'));
    await memory.remember(`${dify.url}/console/api`, 'base64');
    const c = client(dify, { loginMemory: memory, password: () => 'Secr3t!pas5' });
    // base64 judged wrong: by a 1.9–1.11.1 Dify that wanted plain, or for the password? Unknown.
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED_UNCERTAIN');
    // Plain next: "Invalid encrypted data" (free) proves base64, so the password was wrong.
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED');
    expect(await outcome(c.login())).toBe('DIFY_LOGIN_FAILED');
    expect(dify.failedLogins()).toBe(1);
    expect(loginStatuses(dify)).toEqual(['401 authentication_failed', '401 authentication_failed']);
  });
});

describe("Dify's lock-out", () => {
  it('more than 5 failures since the last success lock the account (429), the right password too', async () => {
    const dify = await start({ version: '1.16.0' });
    for (let i = 0; i < 6; i++) {
      expect(await outcome(client(dify, { password: () => 'Wr0ng-pass!' }).login())).toBe(
        'DIFY_LOGIN_FAILED',
      );
    }
    expect(dify.failuresSinceSuccess()).toBe(6);
    const locked = await client(dify)
      .login()
      .catch((e: unknown) => e as AppError);
    expect(locked).toBeInstanceOf(AppError);
    expect((locked as AppError).code).toBe('DIFY_LOGIN_LOCKED');
    expect((locked as AppError).params?.message).toBe(
      'Too many incorrect password attempts. Please try again later.',
    );
    expect(dify.failedLogins()).toBe(6); // refused while locked: not counted
    dify.unlock();
    await expect(client(dify).login()).resolves.toBeTruthy();
  });

  it('a success resets the count', async () => {
    const dify = await start({ version: '1.9.1' });
    const wrong = (): Promise<string> => outcome(client(dify, { password: () => 'Wr0ng-pass!' }).login());
    for (let i = 0; i < 5; i++) await wrong();
    await expect(client(dify).login()).resolves.toBeTruthy();
    expect(dify.failuresSinceSuccess()).toBe(0);
    for (let i = 0; i < 5; i++) expect(await wrong()).toBe('DIFY_LOGIN_FAILED');
    await expect(client(dify).login()).resolves.toBeTruthy();
  });

  it('the format check and "Invalid encrypted data" come before the count (not failures)', async () => {
    const old = await start({ version: '1.8.1', versionHeader: false });
    // A password Dify ≤ 1.8.1 cannot have (no digit) is refused before it is judged.
    expect(await outcome(client(old, { password: () => 'only-letters' }).login())).toBe('DIFY_LOGIN_FAILED');
    expect(loginStatuses(old)).toEqual(['400 invalid_param']);
    expect(old.failedLogins()).toBe(0);
  });
});

describe('where the release comes from', () => {
  it('X-Version wins; the image tag is not even asked then', async () => {
    const dify = await start({ version: '1.11.2' });
    let asked = 0;
    const info = await client(dify, {
      difyVersion: () => {
        asked++;
        return '1.9.1';
      },
    }).login();
    expect(info).toMatchObject({ passwordEncoding: 'base64', difyVersion: '1.11.2' });
    expect(asked).toBe(0);
  });

  it('without X-Version the image tag decides; a failing lookup means "unknown"', async () => {
    const dify = await start({ version: '1.8.1', versionHeader: false, password: 'Zm9vYmFy' });
    const info = await client(dify, { difyVersion: async () => '1.8.1' }).login();
    expect(info).toMatchObject({ era: 'bearer', passwordEncoding: 'plain', difyVersion: '1.8.1' });
    expect(loginStatuses(dify)).toEqual(['200']);
    // The same Dify with the lookup failing: unknown, so this password's guess may cost one.
    const failing = client(dify, { difyVersion: () => Promise.reject(new Error('Docker is not running')) });
    expect(await outcome(failing.login())).toBe('DIFY_LOGIN_FAILED_UNCERTAIN');
    expect(dify.failedLogins()).toBe(1);
  });

  it('what worked is remembered per Dify URL and sent first by the next client (another CLI run)', async () => {
    const dify = await start({ version: '1.16.0', versionHeader: false });
    const file = path.join(await tempDir(), 'dify-logins.json');
    await client(dify, { loginMemory: new LoginMemoryFile(file) }).login();
    expect(loginStatuses(dify)).toEqual(['401 authentication_failed', '200']); // "Invalid encrypted data": free
    await client(dify, { loginMemory: new LoginMemoryFile(file) }).login();
    expect(loginStatuses(dify)).toEqual(['401 authentication_failed', '200', '200']);
    expect(dify.failedLogins()).toBe(0);
  });

  it('a remembered form that an upgraded Dify refuses for free is replaced by the other one', async () => {
    const dify = await start({ version: '1.11.1', versionHeader: false });
    const memory = new LoginMemoryFile(path.join(await tempDir(), 'dify-logins.json'));
    await client(dify, { loginMemory: memory }).login();
    dify.options.version = '1.11.2';
    expect(await client(dify, { loginMemory: memory }).login()).toMatchObject({ passwordEncoding: 'base64' });
    expect(await memory.recall(`${dify.url}/console/api`)).toBe('base64');
    expect(dify.failedLogins()).toBe(0);
  });
});
