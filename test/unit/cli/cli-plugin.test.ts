/**
 * `dify-stack plugin …` argument handling, in-process (runCli) with a fake stack and the Dify double:
 * connection options reach the client, a path is a folder or a package, usage errors exit 2.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/core/jobs';
import { PluginService } from '../../../electron/plugins/plugin-service';
import { EnvSecretStore } from '../../../electron/plugins/secrets';
import { assembleServices } from '../../../electron/services';
import { SettingsStore } from '../../../electron/settings/store';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliInProcess } from '../../helpers/cli-runner';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';

let tmp: string;
let double: DifyConsoleDouble;

beforeAll(async () => {
  tmp = await createTempDir('cli-plugin-');
  double = await startDifyConsoleDouble({ taskPendingMs: 0, taskRunningMs: 0 });
});
afterAll(async () => {
  await double.close();
  await removeTempDir(tmp);
});

function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return runCliInProcess(argv, {
    env: { LANG: 'en_US.UTF-8', ...env },
    cwd: tmp,
    async createServices(o) {
      const settings = await SettingsStore.open(path.join(tmp, 'settings.json'));
      const jobs = new JobManager();
      const plugins = new PluginService({
        jobs,
        settings,
        secrets: new EnvSecretStore(o.env ?? {}),
        dataDir: tmp,
        pollIntervalMs: 10,
      });
      return assembleServices(settings, jobs, new FakeStack(jobs), { plugins });
    },
  });
}

describe('dify-stack plugin (arguments)', () => {
  it('--dify-url and --email override the settings; the password comes from DIFY_PASSWORD', async () => {
    const args = ['plugin', 'list', '--json', '--dify-url', double.url, '--email', double.options.email];
    const ok = await cli(args, { DIFY_PASSWORD: double.options.password });
    expect(ok).toMatchObject({ code: 0, stdout: '[]\n' });
    // Without them the settings' default (http://localhost) would be asked: here the e-mail is missing.
    const missing = await cli(['plugin', 'list', '--dify-url', double.url], { DIFY_PASSWORD: 'x' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--email and the DIFY_PASSWORD environment variable');
  });

  it('install: a path that is neither a folder nor a package fails with the reason', async () => {
    const r = await cli(['plugin', 'install', 'nope.difypkg', '--dify-url', double.url, '--email', 'a@b.c'], {
      DIFY_PASSWORD: 'x',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(path.join(tmp, 'nope.difypkg'));
    expect(r.stdout).toBe('');
  });

  it('usage: missing arguments, unknown options and a missing option value exit 2', async () => {
    expect((await cli(['plugin', 'package'])).code).toBe(2);
    expect((await cli(['plugin', 'install', '--allow-unsign', 'x'])).code).toBe(2);
    const r = await cli(['plugin', 'list', '--dify-url']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dify-url');
  });
});
