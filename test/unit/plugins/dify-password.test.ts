/**
 * The saved Dify password is tied to the origin of the Dify URL it was entered for (issue 9, finding
 * 6): after the URL changes, "Test login" must not send it to the new host; the connection view says
 * it has to be entered again. Through the SecretStore abstraction, with a test cipher standing in for
 * Electron's safeStorage, and two Dify doubles standing for the old and the new host.
 */
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/core/jobs';
import { lookupDifyPassword, urlOrigin } from '../../../electron/plugins/dify-password';
import { PluginService } from '../../../electron/plugins/plugin-service';
import {
  DIFY_PASSWORD_SECRET,
  EncryptedFileSecretStore,
  EnvSecretStore,
} from '../../../electron/plugins/secrets';
import { SettingsStore } from '../../../electron/settings/store';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import { testCipher } from '../../doubles/test-cipher';
import { removeTempDirs, tempDir } from './helpers';

const running: Array<DifyConsoleDouble | PluginService> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r instanceof PluginService) r.dispose();
    else await r.close();
  }
});
afterAll(removeTempDirs);

async function setUp() {
  const dir = await tempDir('dify-password-');
  const oldDify = await startDifyConsoleDouble({ version: '1.13.0' });
  const newDify = await startDifyConsoleDouble({ version: '1.13.0' });
  running.push(oldDify, newDify);
  const settings = await SettingsStore.open(path.join(dir, 'settings.json'));
  await settings.update({ difyUrl: oldDify.url, difyEmail: oldDify.options.email });
  const secrets = new EncryptedFileSecretStore(path.join(dir, 'secrets.json'), testCipher());
  const plugins = new PluginService({ jobs: new JobManager(), settings, secrets, dataDir: dir });
  running.push(plugins);
  return { oldDify, newDify, settings, secrets, plugins };
}

const logins = (d: DifyConsoleDouble) => d.requests.filter((r) => r.path === '/console/api/login');

describe('the saved Dify password and the Dify URL', () => {
  it('is not sent to a new URL: the login is refused before any request, and the view asks for it again', async () => {
    const { oldDify, newDify, settings, plugins } = await setUp();
    await plugins.setConnection({ password: oldDify.options.password });
    expect(await plugins.testLogin()).toMatchObject({ installedCount: 0 });

    await settings.update({ difyUrl: `${newDify.url}/` });
    await expect(plugins.testLogin()).rejects.toMatchObject({
      code: 'DIFY_PASSWORD_FOR_OTHER_URL',
      params: { url: newDify.url, savedFor: oldDify.url },
    });
    expect(logins(newDify)).toEqual([]);
    expect(newDify.requests).toEqual([]);
    expect(await plugins.connection()).toMatchObject({ hasPassword: false, passwordSavedFor: oldDify.url });

    // Entered again for the new URL: sent there, and no longer to the old one.
    await plugins.setConnection({ password: newDify.options.password });
    expect(await plugins.connection()).toMatchObject({ hasPassword: true, passwordSavedFor: null });
    await plugins.testLogin();
    expect(newDify.loginCount()).toBe(1);
    await settings.update({ difyUrl: oldDify.url });
    await expect(plugins.testLogin()).rejects.toMatchObject({ code: 'DIFY_PASSWORD_FOR_OTHER_URL' });
    expect(oldDify.loginCount()).toBe(1);
  });

  it('the same origin written differently (trailing slash, default port, a path) keeps the password', async () => {
    const { secrets } = await setUp();
    const { saveDifyPassword } = await import('../../../electron/plugins/dify-password');
    await saveDifyPassword(secrets, 'http://dify.example.com', 'pw');
    for (const url of [
      'http://dify.example.com/',
      'http://DIFY.example.com:80',
      'http://dify.example.com/apps',
    ]) {
      expect(await lookupDifyPassword(secrets, url)).toEqual({ state: 'ok', password: 'pw' });
    }
    for (const url of [
      'https://dify.example.com',
      'http://dify.example.com:8080',
      'http://evil.example.com',
    ]) {
      expect(await lookupDifyPassword(secrets, url)).toEqual({
        state: 'other-url',
        savedFor: 'http://dify.example.com',
      });
    }
  });

  it('a password an older version saved without its URL is not used; the CLI password is given per run', async () => {
    const { secrets } = await setUp();
    await secrets.set(DIFY_PASSWORD_SECRET, 'unbound');
    expect(await lookupDifyPassword(secrets, 'http://localhost')).toEqual({ state: 'missing' });
    const env = new EnvSecretStore({ DIFY_PASSWORD: 'from-env' });
    expect(await lookupDifyPassword(env, 'http://anywhere')).toEqual({ state: 'ok', password: 'from-env' });
    expect(urlOrigin('http://localhost:80/x')).toBe('http://localhost');
  });
});
