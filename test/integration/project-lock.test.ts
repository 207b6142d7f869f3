/**
 * One writer per Dify project across programs, on the real engine with Compose v2: two `dify-stack env
 * set` processes changing different keys of one project at once both land (today's lost update: the
 * second rename dropped the first key); the app's services and a CLI run at once likewise; and a CLI run
 * that finds the project held says who it waits for, then goes on when the holder is done.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvDocument } from '../../electron/env/env-file';
import { createServices, type AppServices } from '../../electron/services';
import { runCliProcess } from '../helpers/cli-runner';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

/**
 * The per-user app data of this test (settings, locks) — but the docker CLI keeps its own config, where
 * the Compose v2 plugin is installed: without DOCKER_CONFIG a new HOME would hide `docker compose`.
 */
let home: string;
const homeEnv = () => ({
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
});

describe.skipIf(skip)('project lock across the app and CLI runs', () => {
  let stack: TestStack;
  let services: AppServices;

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'locktest' });
    home = await createTempDir('dst-lock-home-');
    // The app's services with the same per-user app data as the CLI runs below (HOME/XDG_CONFIG_HOME).
    services = await createServices({
      env: { ...process.env, ...homeEnv() },
      homedir: home,
      difyDir: stack.dir,
    });
  });

  afterAll(async () => {
    await services?.dispose();
    await stack?.dispose();
    await removeTempDir(home);
  });

  const cli = (...args: string[]) =>
    runCliProcess(['--dify-dir', stack.dir, ...args], {
      home,
      baseEnv: process.env,
      timeoutMs: 120_000,
    });
  const envValue = (key: string): string | undefined =>
    EnvDocument.parse(readFileSync(join(stack.dir, '.env'))).get(key) ?? undefined;

  it('two CLI processes changing different keys at once: both keys are written', async () => {
    for (const round of [1, 2, 3]) {
      const [a, b] = await Promise.all([
        cli('env', 'set', `LOCK_A${round}=${round}`),
        cli('env', 'set', `LOCK_B${round}=${round * 10}`),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(envValue(`LOCK_A${round}`)).toBe(String(round));
      expect(envValue(`LOCK_B${round}`)).toBe(String(round * 10));
    }
  });

  it("the app's services and a CLI run at once: both keys are written", async () => {
    const [app, run] = await Promise.all([
      services.timeouts.applyEnvChanges({ changes: { LOCK_APP: 'app' } }).done,
      cli('env', 'set', 'LOCK_CLI=cli'),
    ]);
    expect(app.written.length).toBe(1);
    expect(run.code, run.stderr).toBe(0);
    expect(envValue('LOCK_APP')).toBe('app');
    expect(envValue('LOCK_CLI')).toBe('cli');
  });

  it('a CLI run that finds the project held says who it waits for, then goes on', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const job = services.stack.runProjectJob('test.hold', async () => {
      entered();
      await held;
    });
    await inside;
    const running = cli('env', 'set', 'LOCK_WAITED=yes');
    // Long enough for the CLI to start, resolve the project and find the lock held.
    await new Promise((r) => setTimeout(r, 4000));
    expect(envValue('LOCK_WAITED')).toBeUndefined();
    release();
    await job.done;
    const run = await running;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Waiting for Dify Stack Tray (test.hold, pid ${process.pid})`);
    expect(envValue('LOCK_WAITED')).toBe('yes');
  });
});
