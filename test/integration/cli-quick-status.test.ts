/**
 * Issue 8: `dify-stack --version` and `status` as fresh processes load only what they need, and the
 * quick status (engine calls + the model the full status remembered) prints exactly what the full
 * status prints, on a running stack and on one with a stopped and a missing service.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCli, loadedPackagesHook, runCliProcessLoaded, type CliRun } from '../helpers/cli-runner';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const run = promisify(execFile);
const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

/**
 * Heavy packages a quick answer must not load (each costs tens of milliseconds at start). zod checks
 * Ollama's and A1111's answers and the process registry (issue 10), loaded only when there is one:
 * here neither runs and nothing was registered.
 */
const HEAVY = ['dockerode', 'yaml', 'commander', 'ssh2', 'zod'];

describe.skipIf(skip)('dify-stack loads only what a command needs', () => {
  let stack: TestStack;
  let home: string;
  let hook: string;
  let emptyPath: string;

  beforeAll(async () => {
    await bundledCli();
    stack = createTestStack({ prefix: 'cliquick' });
    home = await createTempDir('dst-cli-quick-home-');
    emptyPath = await createTempDir('dst-cli-quick-path-');
    hook = await loadedPackagesHook(home);
  });

  afterAll(async () => {
    await stack?.dispose();
    await removeTempDir(home);
    await removeTempDir(emptyPath);
  });

  const remembered = (): string => join(home, '.config', 'dify-stack-tray', 'cache', 'status-models.json');

  /** The CLI with the hook; `noDocker`: a PATH without the docker CLI, so no Compose can run. */
  const cli = (args: string[], noDocker = false): Promise<CliRun & { loaded: string[] }> =>
    runCliProcessLoaded(args, hook, {
      home,
      baseEnv: process.env,
      timeoutMs: 180_000,
      env: noDocker ? { PATH: emptyPath } : {},
    });

  /** Full status (nothing remembered), then quick status with no docker CLI at hand: the same text. */
  const expectSameBothWays = async (args: string[]): Promise<string> => {
    await rm(remembered(), { force: true });
    const full = await cli(args);
    // 0 running, 3 not fully running: the state, not a failure.
    expect([0, 3], full.stderr).toContain(full.code);
    expect(full.loaded).toContain('dockerode');
    const quick = await cli(args, true);
    expect(quick.code, quick.stderr).toBe(full.code);
    expect(quick.stderr).toBe('');
    expect(quick.stdout).toBe(full.stdout);
    expect(quick.loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
    return quick.stdout;
  };

  it('--version prints the version without loading the command tree or the services', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(r.loaded).toEqual([]);
  });

  it('status answers from the engine alone, table and JSON alike, as the full read does', async () => {
    await stack.up('v2');
    await untilAllRunning(stack);
    const table = await expectSameBothWays(['status', '--dify-dir', stack.dir]);
    expect(table).toMatch(/^Dify +Running +All 11 services are running\.$/m);
    const json = await expectSameBothWays(['--dify-dir', stack.dir, 'status', '--json']);
    expect(JSON.parse(json)).toMatchObject({
      components: [
        { id: 'docker' },
        { id: 'dify', state: 'running' },
        // Not set up here: said so, also on the quick path.
        { id: 'ollama', state: 'unavailable' },
        { id: 'a1111', state: 'unavailable' },
      ],
    });
  });

  it('status shows a stopped and a missing service as the full read does', async () => {
    await stack.compose('v2', ['stop', '-t', '1', 'worker']);
    await stack.compose('v2', ['rm', '-f', '-s', 'web']);
    const table = await expectSameBothWays(['status', '--dify-dir', stack.dir]);
    expect(table).toMatch(/^web +Not created/m);
    await expectSameBothWays(['status', '--json', '--dify-dir', stack.dir]);
  });

  it('status reads in full again once .env changed', async () => {
    await cli(['status', '--dify-dir', stack.dir]);
    await writeFile(join(stack.dir, '.env'), '\n# touched by the test\n', { flag: 'a' });
    const r = await cli(['status', '--dify-dir', stack.dir]);
    // Partly running since the test above: 3.
    expect(r.code, r.stderr).toBe(3);
    expect(r.loaded).toContain('dockerode');
  });
});

/** `compose up -d` returns before the health checks pass; the outputs compared must not move meanwhile. */
async function untilAllRunning(stack: TestStack): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { stdout } = await run('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${stack.projectName}`,
      '--format',
      '{{.Status}}',
    ]);
    const lines = stdout.trim().split('\n');
    if (lines.length >= 11 && !lines.some((l) => /starting|unhealthy/.test(l))) return;
    if (Date.now() > deadline) throw new Error(`the test stack did not come up:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
