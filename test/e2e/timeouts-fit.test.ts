/**
 * "Make this call fit" on Dify-shaped projects in both layouts, with the real compose CLI (v2) and no
 * browser: the release is read from the compose file's api image (the project is not started), the
 * fit for a 10-min / 30-min / 3-h plugin call is computed from the values Compose resolves, and the
 * preview (what Apply would write) puts each change where the panel would: every key in the one .env
 * of Layout A; in Layout B, where Dify documents it (envs/core-services/shared.env) or .env.
 */
import { SettingsSchema } from '../../electron/settings/schema';
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../electron/core/jobs';
import { fitChain } from '../../electron/env/timeout-fit';
import { TimeoutService } from '../../electron/env/timeout-service';
import { StackService } from '../../electron/stack/stack-service';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { bundledCli, runCliProcess } from '../helpers/cli-runner';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

const MIN10 = 600;
const MIN30 = 1800;
const H3 = 10800;

/** Gives the api service an image tag the way Dify's compose file has it (nothing is pulled or run). */
function tagApiImage(stack: TestStack, tag: string): void {
  const file = join(stack.dir, 'docker-compose.yaml');
  const yaml = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    yaml.replace(/^ {2}api:\n {4}<<: \*idle\n/m, `  api:\n    <<: *idle\n    image: ${tag}\n`),
  );
}

function setUp(layout: 'A' | 'B', tag: string) {
  const stack = createTestStack({ layout, prefix: `tmofit${layout.toLowerCase()}` });
  tagApiImage(stack, tag);
  const backups = mkdtempSync(join(tmpdir(), 'dst-backups-'));
  const svc = new StackService({
    jobs: new JobManager(),
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
  });
  const timeouts = new TimeoutService({ stack: svc, backupRoot: backups });
  return {
    stack,
    timeouts,
    dispose: async () => {
      await svc.dispose().catch(() => undefined);
      await stack.dispose().catch(() => undefined);
      rmSync(backups, { recursive: true, force: true });
    },
  };
}

async function fitWithPreview(timeouts: TimeoutService, target: number) {
  const view = await timeouts.getView();
  const values = Object.fromEntries(view.keys.map((k) => [k.key, k.value ?? undefined]));
  const release = { ruleSet: view.release.ruleSet, assumed: view.release.assumed };
  const fit = fitChain('workflow-plugin', { values, targetSeconds: target, release });
  const preview = Object.keys(fit.changes).length > 0 ? await timeouts.previewChanges(fit.changes) : null;
  return {
    view,
    changes: fit.changes,
    files: Object.fromEntries((preview?.entries ?? []).map((e) => [e.key, e.file])),
    recreate: preview?.recreate ?? [],
  };
}

describe.skipIf(skip)('make this call fit: single .env (Layout A, Dify 1.13.3)', () => {
  let s: ReturnType<typeof setUp>;
  beforeAll(() => {
    s = setUp('A', 'langgenius/dify-api:1.13.3');
  });
  afterAll(() => s?.dispose());

  it.each<[number, Record<string, string>, string[]]>([
    [MIN10, {}, []],
    [
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
      },
      ['api', 'plugin_daemon', 'worker'],
    ],
    [
      H3,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10800.0',
        APP_MAX_EXECUTION_TIME: '10800',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
      },
      ['api', 'plugin_daemon', 'worker'],
    ],
  ])('%i s', async (target, changes, recreate) => {
    const r = await fitWithPreview(s.timeouts, target);
    expect(r.view.release).toMatchObject({ dify: '1.13.3', ruleSet: '1.12-1.15', assumed: false });
    expect(r.changes).toEqual(changes);
    // One .env: every change goes there.
    expect(Object.values(r.files).every((f) => f === '.env')).toBe(true);
    expect([...r.recreate].sort()).toEqual(recreate);
  });
});

describe.skipIf(skip)('make this call fit: envs/ (Layout B, Dify 1.16.0)', () => {
  let s: ReturnType<typeof setUp>;
  beforeAll(() => {
    s = setUp('B', 'langgenius/dify-api:1.16.0');
  });
  afterAll(() => s?.dispose());

  it.each<[number, Record<string, string>]>([
    [MIN10, {}],
    [
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
      },
    ],
    [
      H3,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10800.0',
        APP_MAX_EXECUTION_TIME: '10800',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
      },
    ],
  ])('%i s', async (target, changes) => {
    const r = await fitWithPreview(s.timeouts, target);
    expect(r.view.release).toMatchObject({ dify: '1.16.0', ruleSet: '1.16.0', assumed: false });
    expect(r.changes).toEqual(changes);
    if (Object.keys(changes).length === 0) return;
    // Where Dify documents the key (its *.env.example), else .env.
    expect(r.files.WORKFLOW_MAX_EXECUTION_TIME).toBe('envs/core-services/shared.env');
    expect(r.files.PLUGIN_DAEMON_TIMEOUT).toBe('envs/core-services/shared.env');
    expect(r.recreate).toEqual(expect.arrayContaining(['api', 'plugin_daemon', 'worker']));
  });
});

describe.skipIf(skip)('dify-stack timeouts --chain SCENARIO [--target] [--plugin] [--json]', () => {
  let s: ReturnType<typeof setUp>;
  let home: string;
  const cli = (args: string[], lang = 'en_US.UTF-8') =>
    runCliProcess([...args, '--dify-dir', s.stack.dir], {
      home,
      lang,
      baseEnv: process.env,
      timeoutMs: 180_000,
    });

  beforeAll(async () => {
    await bundledCli();
    s = setUp('B', 'langgenius/dify-api:1.16.0');
    home = await createTempDir('dst-cli-home-');
  });
  afterAll(async () => {
    await s?.dispose();
    await removeTempDir(home);
  });

  it('--json: the links in order, the fit, the files and the services to recreate', async () => {
    const r = await cli(['timeouts', '--chain', 'webapp-workflow-plugin', '--target', '30m', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ruleSet: string;
      links: Array<{ id: string; effect: string }>;
      effective: { seconds: number; by: string[] };
      fit: {
        changes: Record<string, string>;
        files: Record<string, string>;
        recreate: string[];
        verdict: string;
      };
    };
    expect(out.ruleSet).toBe('1.16.0');
    expect(out.links.map((l) => l.id)).toContain('TEXT_GENERATION_TIMEOUT_MS');
    expect(out.effective).toEqual({ seconds: 60, by: ['TEXT_GENERATION_TIMEOUT_MS'] });
    expect(out.fit.changes.TEXT_GENERATION_TIMEOUT_MS).toBe('1800000');
    expect(out.fit.files.WORKFLOW_MAX_EXECUTION_TIME).toBe('envs/core-services/shared.env');
    expect(out.fit.recreate).toEqual(expect.arrayContaining(['web', 'api', 'worker', 'plugin_daemon']));
    // No plugin folder given: its own timeout is not known.
    expect(out.fit.verdict).toBe('unknown');
  });

  it('text, in Japanese, with a plugin folder: its timeout= with file:line is what no key changes', async () => {
    const plugin = join(__dirname, '../fixtures/plugins/sd-tool');
    const r = await cli(
      ['timeouts', '--chain', 'workflow-plugin', '--target', '3h', '--plugin', plugin],
      'ja_JP.UTF-8',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dify 1.16.0 の規則で計算しています');
    expect(r.stdout).toContain('PLUGIN_MAX_EXECUTION_TIMEOUT: 600 → 10800');
    expect(r.stdout).toContain('tools/txt2img.py:18');
    // The limits carry the locale's unit, not an English "s" beside Japanese text.
    expect(r.stdout).toMatch(/\d+ 秒（合計時間）/u);
    expect(r.stdout).not.toMatch(/ （|\(\.env\)/u);
    expect(r.stdout).not.toMatch(/\d s\b/u);
    expect(r.stdout).not.toContain('GUNICORN_TIMEOUT');
    expect(r.stdout).not.toContain('MAX_REQUEST_TIMEOUT=');
  });

  it('a wrong scenario or target is a usage error that names the right ones', async () => {
    const bad = await cli(['timeouts', '--chain', 'streamed-chat']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('workflow-plugin, webapp-workflow-plugin, chat-plugin');
    const target = await cli(['timeouts', '--chain', 'code-node', '--target', '3 hours']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('90s, 30m or 3h');
  });
});
