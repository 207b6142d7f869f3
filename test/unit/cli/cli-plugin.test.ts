/**
 * `dify-stack plugin …` argument handling, in-process (runCli) with a fake stack and the Dify double:
 * connection options reach the client, a path is a folder or a package, usage errors exit 2; check,
 * package and install tell the dependency source and the warnings before anything is uploaded.
 */
import { promises as fs } from 'node:fs';
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

const OFFICIAL_TOOL = path.resolve(__dirname, '../../fixtures/plugins/official/tools/jiandaoyun');

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

describe('dify-stack plugin (warnings and the dependency source)', () => {
  const DEPS =
    "Dependencies: Dify installs the plugin's packages with uv sync --frozen from pyproject.toml and uv.lock";
  const WARNING =
    /^Warning: pyproject\.toml and uv\.lock, but no requirements\.txt\. .* run in the plugin folder: uv export --frozen .*-o requirements\.txt$/m;

  it('check: the dependency source and one line per warning; warnings leave the exit code 0', async () => {
    const r = await cli(['plugin', 'check', OFFICIAL_TOOL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(DEPS);
    expect(r.stdout).toMatch(WARNING);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'langgenius/jiandaoyun 0.0.8: no problems, Dify accepts this folder.',
    );
  });

  it('check --json: warnings with their text and the Python summary', async () => {
    const r = await cli(['plugin', 'check', OFFICIAL_TOOL, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      dir: OFFICIAL_TOOL,
      pluginId: 'langgenius/jiandaoyun',
      problems: [],
      warnings: [
        {
          code: 'DEPS_NO_REQUIREMENTS_LOCKED',
          file: 'pyproject.toml',
          message: expect.stringContaining('official packager'),
        },
      ],
      python: {
        install: 'uv-sync-frozen',
        files: ['pyproject.toml', 'uv.lock'],
        officialAddsRequirements: true,
      },
    });
  });

  it('check: problems print as Error lines and exit 1; in Japanese too', async () => {
    const dir = path.join(tmp, 'bad-author');
    await fs.cp(OFFICIAL_TOOL, dir, { recursive: true });
    const m = path.join(dir, 'manifest.yaml');
    await fs.writeFile(m, (await fs.readFile(m, 'utf8')).replace(/^author: .*$/m, 'author: Bad Author'));
    const r = await cli(['plugin', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Error: manifest\.yaml:\d+:\d+: .*Bad Author/m);
    expect(r.stdout).toMatch(WARNING);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      '1 problem: Dify would refuse a package of this folder.',
    );
    const ja = await cli(['plugin', 'check', dir], { LANG: 'ja_JP.UTF-8' });
    expect(ja.code).toBe(1);
    expect(ja.stdout).toContain('依存パッケージ: Dify は pyproject.toml と uv.lock から uv sync --frozen で');
    expect(ja.stdout).toMatch(
      /^警告: pyproject\.toml と uv\.lock はありますが、requirements\.txt がありません。/m,
    );
    expect(ja.stdout).toMatch(/^エラー: manifest\.yaml:/m);
  });

  it('package: the notes on stderr, the path alone on stdout', async () => {
    const out = path.join(tmp, 'jdy.difypkg');
    const r = await cli(['plugin', 'package', OFFICIAL_TOOL, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toContain(DEPS);
    expect(r.stderr).toMatch(WARNING);
  });

  it('install of a folder: the warning comes before the upload', async () => {
    const r = await cli(
      ['plugin', 'install', OFFICIAL_TOOL, '--dify-url', double.url, '--email', double.options.email],
      { DIFY_PASSWORD: double.options.password },
    );
    expect(r.code).toBe(0);
    const warning = r.stderr.search(WARNING);
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(r.stderr.indexOf(DEPS)).toBeLessThan(warning);
    expect(warning).toBeLessThan(r.stderr.indexOf('Uploading'));
  });
});
