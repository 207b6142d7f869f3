import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCli, runCliProcess, type CliRun } from '../helpers/cli-runner';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

/** The current `dify-stack`, as a user runs it, with its own settings file and language. */
const cli = (args: string[], home: string): Promise<CliRun> =>
  // The whole environment is inherited: the docker CLI underneath needs PATH, DOCKER_HOST and the like.
  runCliProcess(args, { home, baseEnv: process.env, timeoutMs: 180_000 });

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

describe.skipIf(skip)('dify-stack CLI on the real engine', () => {
  let stack: TestStack;
  let home: string;

  beforeAll(async () => {
    await bundledCli();
    stack = createTestStack({ prefix: 'clitest' });
    home = await createTempDir('dst-cli-home-');
  });

  afterAll(async () => {
    await stack?.dispose();
    await removeTempDir(home);
  });

  it('prints the documented JSON before and after up, restarts a service, and down stops all', async () => {
    const before = await cli(['status', '--json', '--dify-dir', stack.dir], home);
    // Stopped: 3 (README, "The CLI": 0 running, 3 not fully running, 4 error, 5 unavailable).
    expect(before.code).toBe(3);
    const b = JSON.parse(before.stdout) as { components: Array<Record<string, unknown>> };
    expect(Object.keys(b)).toEqual(['components']);
    expect(b.components.map((c) => c.id)).toEqual(['docker', 'dify', 'ollama', 'a1111']);
    // Not set up in this HOME: said so, with where we would reach them and no owner.
    expect(b.components[2]).toMatchObject({ id: 'ollama', state: 'unavailable', owner: null, pid: null });
    expect(b.components[3]).toMatchObject({ id: 'a1111', state: 'unavailable', url: null });
    expect(b.components[0]).toEqual({
      id: 'docker',
      state: 'running',
      detail: expect.stringMatching(/^Docker Engine /),
    });
    expect(b.components[1]).toMatchObject({ id: 'dify', state: 'stopped' });

    // Global options may also come before the command.
    const up = await cli(['--dify-dir', stack.dir, 'up'], home);
    expect(up.code, up.stderr).toBe(0);

    const after = await cli(['status', '--dify-dir', stack.dir, '--json'], home);
    expect(after.code).toBe(0);
    const a = JSON.parse(after.stdout) as {
      components: Array<{
        id: string;
        state: string;
        detail: string;
        services?: Array<Record<string, unknown>>;
      }>;
    };
    const dify = a.components.find((c) => c.id === 'dify');
    expect(dify?.state).toBe('running');
    expect(dify?.detail).toBe('11/11 services running');
    for (const s of dify?.services ?? []) {
      expect(Object.keys(s).sort()).toEqual(['containerId', 'health', 'name', 'state']);
      expect(typeof s.containerId).toBe('string');
    }
    expect(dify?.services?.find((s) => s.name === 'api')).toMatchObject({
      state: 'running',
      health: 'healthy',
    });
    expect(dify?.services?.find((s) => s.name === 'web')).toMatchObject({ state: 'running', health: null });

    const restart = await cli(['restart', 'sandbox', '--dify-dir', stack.dir], home);
    expect(restart.code, restart.stderr).toBe(0);
    const unknown = await cli(['restart', 'nope', '--dify-dir', stack.dir], home);
    expect(unknown.code).not.toBe(0);
    expect(lastLine(unknown.stderr)).toMatch(/^Error: .*no service named nope/);

    const down = await cli(['down', '--dify-dir', stack.dir], home);
    expect(down.code, down.stderr).toBe(0);
    const gone = JSON.parse(
      (await cli(['status', '--json', '--dify-dir', stack.dir], home)).stdout,
    ) as typeof a;
    expect(gone.components.find((c) => c.id === 'dify')?.state).toBe('stopped');
  });

  it('fails with a one-line reason for a folder that is not a Dify docker folder', async () => {
    const r = await cli(['up', '--dify-dir', join(home, 'missing')], home);
    expect(r.code).not.toBe(0);
    // Progress lines go to stderr as they happen; the reason is the one line that closes the run.
    expect(lastLine(r.stderr)).toBe(`Error: The folder ${join(home, 'missing')} does not exist.`);
  });

  it('status of a folder that does not exist exits 4 (error), not 0', async () => {
    const r = await cli(['status', '--json', '--dify-dir', join(home, 'missing')], home);
    const dify = (
      JSON.parse(r.stdout) as { components: Array<{ id: string; state: string }> }
    ).components.find((c) => c.id === 'dify');
    expect(dify?.state).toBe('error');
    expect(r.code).toBe(4);
  });
});
