/**
 * `dify-stack plugin …` as a user runs it (a freshly bundled CLI in a child process, its own settings
 * file), against the Dify console double on 127.0.0.1: package, install, reinstall, list, and the exit
 * codes and messages of the failures a user meets (wrong password, unsigned package, no password).
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../doubles/dify-console';
import { bundledCli, runCliProcess, type CliRun } from '../helpers/cli-runner';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';

const ROOT = resolve(__dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/plugins/sd-tool');

let work: string;
let double: DifyConsoleDouble;

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runCliProcess(['--config', join(work, 'settings.json'), ...args], { home: work, env });

const conn = () => ['--dify-url', double.url, '--email', double.options.email];
const withPassword = () => ({ DIFY_PASSWORD: double.options.password });

beforeAll(async () => {
  work = await createTempDir('dst-plugin-cli-');
  await bundledCli();
  double = await startDifyConsoleDouble({ taskPendingMs: 20, taskRunningMs: 40 });
});

afterAll(async () => {
  await double?.close();
  await removeTempDir(work);
});

describe('dify-stack plugin', () => {
  it('package: writes a .difypkg and prints only its path', async () => {
    const out = join(work, 'out', 'sd.difypkg');
    await fs.mkdir(join(work, 'out'));
    const r = await cli(['plugin', 'package', FIXTURE, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toMatch(/Packaged local_dev\/sd_tool 0\.1\.0: \d+ files/);
    expect((await fs.stat(out)).size).toBeGreaterThan(100);
  });

  it('package: a folder without manifest fails with exit 1 and says so', async () => {
    const empty = join(work, 'empty');
    await fs.mkdir(empty);
    const r = await cli(['plugin', 'package', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has no manifest.yaml');
    expect(r.stdout).toBe('');
  });

  it('install: first install, then a new version replaces it; steps on stderr, identifier on stdout', async () => {
    const dir = join(work, 'sd-tool');
    await fs.cp(FIXTURE, dir, { recursive: true });
    const first = await cli(['plugin', 'install', dir, ...conn()], withPassword());
    expect(first.stderr).toContain('Uploading');
    expect(first.code).toBe(0);
    const id1 = first.stdout.trim();
    expect(id1).toMatch(/^local_dev\/sd_tool:0\.1\.0@[0-9a-f]{64}$/);
    expect(double.installed().map((p) => p.plugin_unique_identifier)).toEqual([id1]);

    const manifest = join(dir, 'manifest.yaml');
    await fs.writeFile(
      manifest,
      (await fs.readFile(manifest, 'utf8')).replace(/^version: 0\.1\.0$/m, 'version: 0.2.0'),
    );
    const second = await cli(['plugin', 'install', dir, ...conn()], withPassword());
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('Removing the installed version 0.1.0');
    expect(second.stderr).toContain('Replaced local_dev/sd_tool 0.1.0 with 0.2.0.');
    const id2 = second.stdout.trim();
    expect(id2).toMatch(/^local_dev\/sd_tool:0\.2\.0@/);

    const list = await cli(['plugin', 'list', '--json', ...conn()], withPassword());
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        pluginId: 'local_dev/sd_tool',
        version: '0.2.0',
        identifier: id2,
        source: 'package',
      }),
    ]);
    const table = await cli(['plugin', 'list', ...conn()], withPassword());
    expect(table.stdout.split('\n')[0]).toMatch(/^PLUGIN\s+VERSION\s+SOURCE\s+IDENTIFIER$/);
  });

  it('failures: no password, wrong password, unsigned package without consent — exit 1 and a reason', async () => {
    const none = await cli(['plugin', 'list', ...conn()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('DIFY_PASSWORD');

    const wrong = await cli(['plugin', 'list', ...conn()], { DIFY_PASSWORD: 'not-it' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('did not accept the e-mail address or password');
    expect(wrong.stderr + wrong.stdout).not.toContain('not-it');

    double.options.signatureRequired = true;
    try {
      const refused = await cli(['plugin', 'install', FIXTURE, ...conn()], withPassword());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('FORCE_VERIFYING_SIGNATURE=false');
      expect(refused.stderr).toContain('--allow-unsigned');
      expect(refused.stdout).toBe('');
    } finally {
      double.options.signatureRequired = false;
    }
  });

  it('login across CLI runs: a Dify whose release is unknown costs no failed login from the second run on', async () => {
    // Behind a proxy that drops X-Version and with no local stack to read the api image from, the
    // first run must find the password form; what worked is kept next to the settings for later runs.
    const plainEra = await startDifyConsoleDouble({ version: '1.9.1', versionHeader: false });
    const hard = await startDifyConsoleDouble({
      version: '1.11.1',
      versionHeader: false,
      password: 'Zm9vYmFy',
    });
    try {
      const list = (d: DifyConsoleDouble, password: string) =>
        cli(['plugin', 'list', '--dify-url', d.url, '--email', d.options.email], { DIFY_PASSWORD: password });
      for (let run = 0; run < 3; run++)
        expect((await list(plainEra, plainEra.options.password)).code).toBe(0);
      expect(plainEra.failedLogins()).toBe(0);
      expect(plainEra.requests.filter((r) => r.path === '/console/api/login').map((r) => r.status)).toEqual([
        200, 200, 200,
      ]);

      // 'Zm9vYmFy' is also valid base64, so no form is free to try: the first run spends one failed
      // login and says the form may be the cause; the next runs get in at once.
      const first = await list(hard, 'Zm9vYmFy');
      expect(first.code).toBe(1);
      expect(first.stderr).toContain('the next login sends it in the other form');
      expect((await list(hard, 'Zm9vYmFy')).code).toBe(0);
      expect((await list(hard, 'Zm9vYmFy')).code).toBe(0);
      expect(hard.failedLogins()).toBe(1);
      expect(JSON.parse(await fs.readFile(join(work, 'dify-logins.json'), 'utf8'))).toMatchObject({
        [`${plainEra.url}/console/api`]: { passwordEncoding: 'plain' },
        [`${hard.url}/console/api`]: { passwordEncoding: 'plain' },
      });
    } finally {
      await Promise.all([plainEra.close(), hard.close()]);
    }
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['plugin', 'install'])).code).toBe(2);
    expect((await cli(['plugin', 'list', '--bogus'])).code).toBe(2);
    const help = await cli(['plugin', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/package[\s\S]*install[\s\S]*list/);
  });
});
