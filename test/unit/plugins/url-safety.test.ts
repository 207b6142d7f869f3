/**
 * Plain http to a host other than this machine sends the Dify password readable (issue 9, finding 7):
 * the rule (main's and the renderer's copy, on one table) and the CLI's one warning line.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/core/jobs';
import { PluginService } from '../../../electron/plugins/plugin-service';
import { EnvSecretStore } from '../../../electron/plugins/secrets';
import { sendsPasswordInClear } from '../../../electron/plugins/url-safety';
import { assembleServices } from '../../../electron/services';
import { SettingsStore } from '../../../electron/settings/store';
import { sendsPasswordInClear as rendererRule } from '../../../renderer/src/pages/settings/dify-url';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliInProcess } from '../../helpers/cli-runner';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';

const TABLE: Array<[string, boolean]> = [
  ['http://localhost', false],
  ['http://LOCALHOST:8080/', false],
  ['http://127.0.0.1', false],
  ['http://127.1.2.3:5001', false],
  ['http://127.1', false],
  ['http://[::1]:80', false],
  ['http://[::ffff:127.0.0.1]', false],
  ['https://dify.example.com', false],
  ['https://192.168.1.20', false],
  ['http://dify.example.com', true],
  ['http://192.168.1.20', true],
  ['http://10.0.0.5:8080', true],
  ['http://0.0.0.0', true],
  ['http://[::2]', true],
  ['http://localhost.example.com', true],
  ['http://128.0.0.1', true],
  ['not a url', false],
];

describe('sendsPasswordInClear', () => {
  it.each(TABLE)('%s → %s (main and renderer agree)', (url, expected) => {
    expect(sendsPasswordInClear(url)).toBe(expected);
    expect(rendererRule(url)).toBe(expected);
  });
});

describe('dify-stack plugin: plain http warning', () => {
  let tmp: string;
  let double: DifyConsoleDouble;
  beforeAll(async () => {
    tmp = await createTempDir('cli-http-');
    double = await startDifyConsoleDouble({ taskPendingMs: 0, taskRunningMs: 0 });
  });
  afterAll(async () => {
    await double.close();
    await removeTempDir(tmp);
  });

  const cli = (argv: string[]) =>
    runCliInProcess(argv, {
      env: { LANG: 'en_US.UTF-8', DIFY_PASSWORD: double.options.password },
      cwd: tmp,
      async createServices(o) {
        const settings = await SettingsStore.open(path.join(tmp, 'settings.json'));
        const jobs = new JobManager();
        const plugins = new PluginService({
          jobs,
          settings,
          secrets: new EnvSecretStore(o.env ?? {}),
          dataDir: tmp,
        });
        return assembleServices(settings, jobs, new FakeStack(jobs), { plugins });
      },
    });

  it('one Warning line on stderr for http to a host other than this machine; none for loopback', async () => {
    const email = double.options.email;
    // 0.0.0.0 is not loopback by the rule, and connecting to it fails at once on Linux: a quick login.
    const remote = await cli(['plugin', 'list', '--dify-url', 'http://0.0.0.0:1', '--email', email]);
    const warnings = remote.stderr.split('\n').filter((l) => l.startsWith('Warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('http://0.0.0.0:1');
    expect(warnings[0]).toContain('https');

    const local = await cli(['plugin', 'list', '--dify-url', double.url, '--email', email]);
    expect(local.code).toBe(0);
    expect(local.stderr).not.toContain('Warning:');
  });
});
