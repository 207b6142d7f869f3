/**
 * The timeout panel's apply on the real engine with Compose v2, on Dify-shaped stacks in both
 * configuration layouts: only the readers are recreated (the others keep their container ids), the
 * container sees the new value, the predicted plain `up -d` set is what a plain `up -d` really
 * recreates, a shadowed key is reported as having no effect, a change that makes compose fail is
 * rolled back (file bytes and containers as before), a stopped project is written only. One stack
 * per layout serves the related assertions in order.
 */
import { SettingsSchema } from '../../electron/settings/schema';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli';
import { JobManager } from '../../electron/core/jobs';
import { TIMEOUT_CATALOG } from '../../electron/env/timeout-catalog';
import { TimeoutService } from '../../electron/env/timeout-service';
import { StackService } from '../../electron/stack/stack-service';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { containerIds, createTestStack, recreatedServices, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

function envInside(stack: TestStack, service: string, name: string): string {
  const id = containerIds(stack)[service] ?? '';
  return execFileSync('docker', ['exec', id, 'sh', '-c', `echo "$${name}"`])
    .toString()
    .trim();
}

interface Setup {
  stack: TestStack;
  svc: StackService;
  timeouts: TimeoutService;
  backups: string;
}

function setUp(stack: TestStack): Setup {
  const backups = mkdtempSync(join(tmpdir(), 'dst-backups-'));
  const svc = new StackService({
    jobs: new JobManager(),
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
    readyTimeoutMs: 60_000,
  });
  const timeouts = new TimeoutService({ stack: svc, backupRoot: backups, readyTimeoutMs: 60_000 });
  return { stack, svc, timeouts, backups };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.svc.dispose().catch(() => undefined);
  await s.stack.dispose().catch(() => undefined);
  rmSync(s.backups, { recursive: true, force: true });
}

describe.skipIf(skip)('timeout apply, Layout B (.env + envs/ via env_file)', () => {
  let s: Setup;
  let envPath: string;

  beforeAll(async () => {
    const stack = createTestStack({ layout: 'B', prefix: 'tmob' });
    // The shadowed case: set where plugin_daemon's own environment: entry (from .env) wins.
    writeFileSync(
      join(stack.dir, 'envs/core-services/plugin-daemon.env'),
      'FORCE_VERIFYING_SIGNATURE=false\n',
    );
    s = setUp(stack);
    envPath = join(stack.dir, '.env');
    await stack.up('v2');
  });
  afterAll(() => tearDown(s));

  it('reports a key shadowed by an environment: mapping as having no effect', async () => {
    const [reach] = await s.timeouts.getKeys(['FORCE_VERIFYING_SIGNATURE']);
    expect(reach?.readers).toEqual(['plugin_daemon']);
    expect(reach?.effective).toEqual({ value: 'true', source: 'composeDefault' });
    expect(reach?.noEffect).toEqual({
      reason: 'shadowed',
      files: ['envs/core-services/plugin-daemon.env'],
      by: '.env',
    });
    expect(envInside(s.stack, 'plugin_daemon', 'FORCE_VERIFYING_SIGNATURE')).toBe('true');
  });

  it('env set into plugin-daemon.env: says plugin_daemon\u2019s environment: wins, exits 1, writes nothing', async () => {
    const config = mkdtempSync(join(tmpdir(), 'dst-cli-conf-'));
    const file = join(s.stack.dir, 'envs/core-services/plugin-daemon.env');
    const bytes = readFileSync(file);
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(
        ['--dify-dir', s.stack.dir, '--config', join(config, 'settings.json'), ...args],
        {
          stdout: { write: (t: string) => (stdout += t) },
          stderr: { write: (t: string) => (stderr += t) },
          env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '' },
        },
      );
      return { code, stdout, stderr };
    };
    try {
      const argv = [
        'env',
        'set',
        'FORCE_VERIFYING_SIGNATURE=true',
        '--file',
        'envs/core-services/plugin-daemon.env',
      ];
      for (const extra of [['--dry-run'], []]) {
        const r = await run(...argv, ...extra);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('plugin_daemon loads this file, but its own environment: entry');
        expect(r.stdout).toContain('Set it in .env instead.');
        expect(r.stdout).toContain('Why this file: you chose this file');
        expect(r.stderr).toContain('--force');
        expect(readFileSync(file).equals(bytes)).toBe(true);
      }
      const forced = await run(...argv, '--dry-run', '--force');
      expect(forced.code).toBe(0);
      // Without --file it goes where it takes effect.
      const plain = await run('env', 'set', 'FORCE_VERIFYING_SIGNATURE=false', '--dry-run');
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain('.env: FORCE_VERIFYING_SIGNATURE');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('apply like Compose (up -d) recreates exactly the predicted set', async () => {
    const preview = await s.timeouts.previewChanges({ GUNICORN_TIMEOUT: '3600' }, { mode: 'full' });
    expect(preview.entries).toMatchObject([{ key: 'GUNICORN_TIMEOUT', file: '.env', readers: ['api'] }]);
    // Every service loading ./.env, except api_websocket whose GUNICORN_TIMEOUT comes from its own key.
    expect(preview.upSet).toEqual(
      ['agent_backend', 'api', 'plugin_daemon', 'sandbox', 'web', 'worker', 'worker_beat'].sort(),
    );
    const before = containerIds(s.stack);
    const result = await s.timeouts.applyEnvChanges({ changes: { GUNICORN_TIMEOUT: '3600' }, mode: 'full' })
      .done;
    expect(recreatedServices(before, containerIds(s.stack))).toEqual(preview.upSet);
    expect(result.recreated).toEqual(preview.upSet);
    expect(envInside(s.stack, 'api', 'GUNICORN_TIMEOUT')).toBe('3600');
  });

  it('SANDBOX_WORKER_TIMEOUT recreates only sandbox; a plain up -d then recreates exactly the pending set', async () => {
    const bytes = readFileSync(envPath);
    const before = containerIds(s.stack);
    const result = await s.timeouts.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: '10800' } }).done;
    const after = containerIds(s.stack);
    expect(recreatedServices(before, after)).toEqual(['sandbox']);
    expect(result.recreated).toEqual(['sandbox']);
    expect(envInside(s.stack, 'sandbox', 'WORKER_TIMEOUT')).toBe('10800');
    // Only that line changed, CRLF kept.
    expect(readFileSync(envPath).toString('latin1')).toBe(
      bytes.toString('latin1').replace('SANDBOX_WORKER_TIMEOUT=15\r\n', 'SANDBOX_WORKER_TIMEOUT=10800\r\n'),
    );
    expect(result.pending).toEqual([
      'agent_backend',
      'api',
      'api_websocket',
      'plugin_daemon',
      'web',
      'worker',
      'worker_beat',
    ]);
    await s.stack.up('v2');
    expect(recreatedServices(after, containerIds(s.stack))).toEqual(result.pending);
  });

  it('a key set nowhere goes where Dify documents it (shared.env.example), not to certbot.env, holding only that key', async () => {
    const preview = await s.timeouts.previewChanges({ WORKFLOW_MAX_EXECUTION_TIME: '10800' });
    expect(preview.entries).toMatchObject([
      {
        file: 'envs/core-services/shared.env',
        reason: 'documented',
        createsFile: true,
        readers: ['api', 'worker'],
      },
    ]);
    expect(preview.upSet).toEqual(['api', 'plugin_daemon', 'worker', 'worker_beat']);
    const before = containerIds(s.stack);
    await s.timeouts.applyEnvChanges({ changes: { WORKFLOW_MAX_EXECUTION_TIME: '10800' } }).done;
    expect(recreatedServices(before, containerIds(s.stack))).toEqual(['api', 'worker']);
    // The new file holds only that key, in .env's line-ending style; never a copy of the example.
    expect(readFileSync(join(s.stack.dir, 'envs/core-services/shared.env'), 'latin1')).toBe(
      'WORKFLOW_MAX_EXECUTION_TIME=10800\r\n',
    );
    expect(envInside(s.stack, 'worker', 'WORKFLOW_MAX_EXECUTION_TIME')).toBe('10800');
  });

  it('refuses invalid values before writing anything', async () => {
    const bytes = readFileSync(envPath);
    await expect(
      s.timeouts.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: '20', GUNICORN_TIMEOUT: '1h' } }).done,
    ).rejects.toMatchObject({ code: 'ENV_VALUE_INVALID', params: { key: 'GUNICORN_TIMEOUT' } });
    expect(readFileSync(envPath).equals(bytes)).toBe(true);
  });
});

describe.skipIf(skip)('timeout apply, Layout A (one .env for interpolation)', () => {
  let s: Setup;
  let envPath: string;
  let config: string;

  beforeAll(async () => {
    const stack = createTestStack({ layout: 'A', prefix: 'tmoa' });
    // A setting the engine refuses at container creation (2 CPUs here): compose `up` fails.
    const composeFile = join(stack.dir, 'docker-compose.yaml');
    const yaml = readFileSync(composeFile, 'utf8');
    const anchor = '    environment:\n      WORKER_TIMEOUT: ${SANDBOX_WORKER_TIMEOUT:-15}\n';
    if (!yaml.includes(anchor)) throw new Error('fixture changed: sandbox environment not found');
    // And a value (999) with which sandbox runs but never passes its health check.
    const health = "    healthcheck:\n      test: ['CMD', 'true']\n";
    if (!yaml.includes(anchor + health)) throw new Error('fixture changed: sandbox healthcheck not found');
    writeFileSync(
      composeFile,
      // A replacer function: a replacement string would turn Compose's `$$` escape into `$`.
      yaml.replace(
        anchor + health,
        () =>
          `    cpus: \${SANDBOX_CPUS:-0.5}\n${anchor}    healthcheck:\n      test: ['CMD', 'sh', '-c', 'test "$$WORKER_TIMEOUT" != 999']\n`,
      ),
    );
    s = setUp(stack);
    envPath = join(stack.dir, '.env');
    config = mkdtempSync(join(tmpdir(), 'dst-cli-conf-'));
    await stack.up('v2');
  });
  afterAll(async () => {
    await tearDown(s);
    rmSync(config, { recursive: true, force: true });
  });

  it('SANDBOX_WORKER_TIMEOUT recreates only sandbox, which sees the new value', async () => {
    const before = containerIds(s.stack);
    const result = await s.timeouts.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: '10800' } }).done;
    expect(recreatedServices(before, containerIds(s.stack))).toEqual(['sandbox']);
    expect(result).toMatchObject({ recreated: ['sandbox'], pending: [], notRunning: false });
    expect(envInside(s.stack, 'sandbox', 'WORKER_TIMEOUT')).toBe('10800');
  });

  it('a shared-anchor key recreates its readers; a plain up -d then recreates exactly the pending set', async () => {
    const before = containerIds(s.stack);
    const result = await s.timeouts.applyEnvChanges({ changes: { WORKFLOW_MAX_EXECUTION_TIME: '7200' } })
      .done;
    const after = containerIds(s.stack);
    expect(recreatedServices(before, after)).toEqual(['api', 'worker']);
    expect(result.pending).toEqual(['plugin_daemon', 'worker_beat']);
    await s.stack.up('v2');
    expect(recreatedServices(after, containerIds(s.stack))).toEqual(['plugin_daemon', 'worker_beat']);
  });

  it('rolls back a change that makes compose fail: file bytes and containers as before', async () => {
    const reach = await s.timeouts.getKeys(['SANDBOX_CPUS']);
    expect(reach[0]?.readers).toEqual(['sandbox']);
    const bytes = readFileSync(envPath);
    const before = containerIds(s.stack);
    await expect(s.timeouts.applyEnvChanges({ changes: { SANDBOX_CPUS: '64' } }).done).rejects.toMatchObject({
      code: 'ENV_APPLY_FAILED_ROLLED_BACK',
      detail: expect.stringMatching(/CPUs/),
    });
    expect(readFileSync(envPath).equals(bytes)).toBe(true);
    expect(containerIds(s.stack)).toEqual(before);
    expect(envInside(s.stack, 'sandbox', 'WORKER_TIMEOUT')).toBe('10800');
  });

  it('rolls back a change after which a reader does not come back healthy in time', async () => {
    const quick = new TimeoutService({ stack: s.svc, backupRoot: s.backups, readyTimeoutMs: 4000 });
    const bytes = readFileSync(envPath);
    const before = containerIds(s.stack);
    await expect(
      quick.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: '999' } }).done,
    ).rejects.toMatchObject({ code: 'ENV_APPLY_FAILED_ROLLED_BACK' });
    expect(readFileSync(envPath).equals(bytes)).toBe(true);
    // sandbox was recreated with 999, then again with the restored value; nothing else was touched.
    expect(recreatedServices(before, containerIds(s.stack))).toEqual(['sandbox']);
    expect(envInside(s.stack, 'sandbox', 'WORKER_TIMEOUT')).toBe('10800');
  });

  it('CLI: env get/set --dry-run/set/restore and timeouts --json', async () => {
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(
        ['--dify-dir', s.stack.dir, '--config', join(config, 'settings.json'), ...args],
        {
          stdout: { write: (t: string) => (stdout += t) },
          stderr: { write: (t: string) => (stderr += t) },
          env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '' },
        },
      );
      return { code, stdout, stderr };
    };
    const get = await run('env', 'get', 'SANDBOX_WORKER_TIMEOUT', 'GUNICORN_TIMEOUT');
    expect(get).toMatchObject({ code: 0, stdout: 'SANDBOX_WORKER_TIMEOUT=10800\nGUNICORN_TIMEOUT=360\n' });
    const json = await run('env', 'get', 'GUNICORN_TIMEOUT', '--json');
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        key: 'GUNICORN_TIMEOUT',
        value: '360',
        file: '.env',
        readers: ['api'],
        reaches: ['api', 'plugin_daemon', 'worker', 'worker_beat'],
      }),
    ]);

    const bytes = readFileSync(envPath);
    const dry = await run('env', 'set', 'GUNICORN_TIMEOUT=3600', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('.env: GUNICORN_TIMEOUT 360 → 3600');
    expect(dry.stdout).toContain('Read by (recreated): api');
    expect(dry.stdout).toContain('would recreate: api, plugin_daemon, worker, worker_beat');
    expect(readFileSync(envPath).equals(bytes)).toBe(true);

    const bad = await run('env', 'set', 'GUNICORN_TIMEOUT=abc', 'SANDBOX_WORKER_TIMEOUT=20');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/GUNICORN_TIMEOUT=abc: Enter a number/);
    expect(readFileSync(envPath).equals(bytes)).toBe(true);

    const before = containerIds(s.stack);
    const set = await run('env', 'set', 'GUNICORN_TIMEOUT=3600');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Recreated: api');
    expect(recreatedServices(before, containerIds(s.stack))).toEqual(['api']);

    const list = await run('env', 'restore');
    const backupId = list.stdout.split('\n')[0]?.split('\t')[0] ?? '';
    expect(backupId).toMatch(/^\.env\..*\.bak$/);
    const restored = await run('env', 'restore', backupId);
    expect(restored.code).toBe(0);
    expect(readFileSync(envPath).equals(bytes)).toBe(true);
    expect(envInside(s.stack, 'api', 'GUNICORN_TIMEOUT')).toBe('360');

    const all = await run('timeouts', '--json');
    const view = JSON.parse(all.stdout) as { keys: Array<{ key: string; value: string; readers: string[] }> };
    expect(view.keys.find((k) => k.key === 'SANDBOX_WORKER_TIMEOUT')).toMatchObject({
      value: '10800',
      readers: ['sandbox'],
    });
    expect(view.keys).toHaveLength(TIMEOUT_CATALOG.length);
  });

  it('a project that is not running is written only: takes effect on the next start', async () => {
    await s.stack.compose('v2', ['stop', '-t', '1']);
    const result = await s.timeouts.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: '600' } }).done;
    expect(result).toMatchObject({ notRunning: true, recreated: [] });
    expect(readFileSync(envPath, 'utf8')).toContain('SANDBOX_WORKER_TIMEOUT=600\n');
    expect(existsSync(envPath)).toBe(true);
    expect(
      execFileSync('docker', [
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${s.stack.projectName}`,
      ])
        .toString()
        .trim(),
    ).toBe('');
  });
});
