/**
 * The one-click signature fix on the real engine: Dify (the console double) refuses unsigned packages
 * for as long as the test stack's real plugin_daemon container has FORCE_VERIFYING_SIGNATURE other
 * than "false" in its environment (read with docker exec at each upload). Without consent the
 * reinstall fails and nothing is touched; with consent the .env is changed through the timeout
 * panel's machinery, only plugin_daemon is recreated, and the retried upload installs the plugin.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type AppServices } from '../../electron/services';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../doubles/dify-console';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const run = promisify(execFile);
const FIXTURE = resolve(__dirname, '../fixtures/plugins/sd-tool');
const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

async function containerIds(project: string): Promise<Record<string, string>> {
  const { stdout } = await run('docker', [
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.ID}} {{.Label "com.docker.compose.service"}}',
  ]);
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [id, service] = l.split(' ');
        return [service as string, id as string];
      }),
  );
}

/** What the running plugin_daemon container really has; null while it is being recreated. */
async function daemonSignatureSetting(project: string): Promise<string | null> {
  const { stdout } = await run('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=plugin_daemon',
    '--filter',
    'status=running',
  ]);
  const id = stdout.trim().split('\n')[0];
  if (!id) return null;
  try {
    const env = await run('docker', ['exec', id, 'sh', '-c', 'echo "$FORCE_VERIFYING_SIGNATURE"']);
    return env.stdout.trim();
  } catch {
    return null;
  }
}

describe.skipIf(skip)('plugin signature fix on the real engine', () => {
  let stack: TestStack;
  let double: DifyConsoleDouble;
  let services: AppServices;
  let work: string;
  let pluginDir: string;
  const checks: Array<string | null> = [];

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'sigfix' });
    await stack.up();
    double = await startDifyConsoleDouble({
      taskPendingMs: 10,
      taskRunningMs: 20,
      signatureRequiredNow: async () => {
        const value = await daemonSignatureSetting(stack.projectName);
        checks.push(value);
        return value !== 'false';
      },
    });
    work = await createTempDir('dst-sigfix-');
    pluginDir = join(work, 'sd-tool');
    await fs.cp(FIXTURE, pluginDir, { recursive: true });
    const configFile = join(work, 'settings.json');
    await fs.writeFile(
      configFile,
      JSON.stringify({
        difyDir: stack.dir,
        difyUrl: double.url,
        difyEmail: double.options.email,
        pluginDirs: [pluginDir],
        language: 'en',
      }),
    );
    services = await createServices({
      configFile,
      env: { ...process.env, DIFY_PASSWORD: double.options.password },
    });
  });

  afterAll(async () => {
    await services?.dispose();
    await double?.close();
    await stack?.dispose();
    await removeTempDir(work);
  });

  it('without consent: refused, nothing recreated; with consent: only plugin_daemon recreated, then installed', async () => {
    const before = await containerIds(stack.projectName);
    expect(await daemonSignatureSetting(stack.projectName)).toBe('true');

    const refused = services.plugins.reinstall({ dir: pluginDir }, { requireRegistered: true });
    await expect(refused.done).rejects.toMatchObject({ code: 'PLUGIN_SIGNATURE_REJECTED' });
    expect(await containerIds(stack.projectName)).toEqual(before);
    const overview = await services.plugins.overview();
    expect(overview.projects[0]?.lastResult?.error?.code).toBe('PLUGIN_SIGNATURE_REJECTED');

    const fixed = services.plugins.reinstall(
      { dir: pluginDir },
      { requireRegistered: true, allowUnsigned: true },
    );
    const result = await fixed.done;
    expect(result.action).toBe('installed');
    expect(double.installed().map((p) => p.plugin_unique_identifier)).toEqual([result.identifier]);

    // The fix reached the real container, and the double saw the change only through it.
    expect(await daemonSignatureSetting(stack.projectName)).toBe('false');
    expect(checks.at(-1)).toBe('false');
    expect(checks.filter((c) => c === 'true').length).toBeGreaterThanOrEqual(2);
    const envText = await fs.readFile(join(stack.dir, '.env'), 'utf8');
    expect(envText).toMatch(/^FORCE_VERIFYING_SIGNATURE=false\r?$/m);

    const after = await containerIds(stack.projectName);
    const changed = Object.keys(before).filter((s) => before[s] !== after[s]);
    expect(changed).toEqual(['plugin_daemon']);

    expect(services.jobs.output(fixed.id)?.join('\n')).toContain('Recreated: plugin_daemon');
    expect((await services.plugins.overview()).projects[0]).toMatchObject({
      installed: { version: '0.1.0', identifier: result.identifier },
      lastResult: { ok: true, action: 'installed' },
    });
  });
});
