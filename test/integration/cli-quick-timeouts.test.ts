/**
 * Issue 8: a repeated `dify-stack timeouts` as a new process prints what the full one printed while
 * nothing it was made of changed — with no Compose at hand and none of the heavy packages loaded —
 * and reads in full again when a file, the `envs/` folder, the environment or the language changes.
 * Layout B (.env + envs/ via env_file), stack not started: the view needs Compose's resolution only.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCli, loadedPackagesHook, runCliProcessLoaded, type CliRun } from '../helpers/cli-runner';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDir, removeTempDir } from '../helpers/temp-dir';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

/** What the full view loads and a remembered answer must not. */
const HEAVY = ['commander', 'dockerode', 'yaml', 'zod', 'i18next', 'ssh2'];

describe.skipIf(skip)('dify-stack timeouts, repeated', () => {
  let stack: TestStack;
  let home: string;
  let hook: string;
  let emptyPath: string;

  beforeAll(async () => {
    await bundledCli();
    stack = createTestStack({ layout: 'B', prefix: 'cliquicktv' });
    home = await createTempDir('dst-cli-quick-tv-home-');
    emptyPath = await createTempDir('dst-cli-quick-tv-path-');
    hook = await loadedPackagesHook(home);
  });

  afterAll(async () => {
    await stack?.dispose();
    await removeTempDir(home);
    await removeTempDir(emptyPath);
  });

  const memory = (): string => join(home, '.config', 'dify-stack-tray', 'cache', 'timeouts-output.json');

  /** The CLI with the hook; `noDocker`: a PATH without the docker CLI, so no Compose can run. */
  const cli = (
    args: string[],
    opts: { noDocker?: boolean; env?: NodeJS.ProcessEnv } = {},
  ): Promise<CliRun & { loaded: string[] }> =>
    runCliProcessLoaded(args, hook, {
      home,
      baseEnv: process.env,
      timeoutMs: 180_000,
      env: { ...(opts.noDocker ? { PATH: emptyPath } : {}), ...opts.env },
    });
  const heavy = (r: { loaded: string[] }) => r.loaded.filter((p) => HEAVY.includes(p));

  /** A full run (it loads the command tree), then a remembered one with no docker CLI: the same text. */
  const fullThenRemembered = async (args: string[], env?: NodeJS.ProcessEnv): Promise<string> => {
    const full = await cli(args, { env });
    expect(full.code, full.stderr).toBe(0);
    expect(full.loaded).toContain('commander');
    const quick = await cli(args, { noDocker: true, env });
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stderr).toBe('');
    expect(heavy(quick)).toEqual([]);
    expect(quick.stdout).toBe(full.stdout);
    return quick.stdout;
  };

  it('prints the remembered table and JSON, each as the full run printed it', async () => {
    await rm(memory(), { force: true });
    const table = await fullThenRemembered(['timeouts', '--dify-dir', stack.dir]);
    expect(table).toMatch(/^SANDBOX_WORKER_TIMEOUT\s/m);
    const json = await fullThenRemembered(['--dify-dir', stack.dir, 'timeouts', '--json']);
    expect(JSON.parse(json)).toMatchObject({ project: { dir: stack.dir } });
    // The table is still remembered beside the JSON.
    expect(heavy(await cli(['timeouts', '--dify-dir', stack.dir], { noDocker: true }))).toEqual([]);
    // Private like the .env whose values it shows.
    expect((await import('node:fs')).statSync(memory()).mode & 0o077).toBe(0);
  });

  it('reads in full again once an env file, the envs folder, the environment or the language changed', async () => {
    const args = ['timeouts', '--dify-dir', stack.dir];
    /** A full run (the memory did not fit), then the same text remembered. */
    const fullAgain = async (env?: NodeJS.ProcessEnv) => {
      const full = await cli(args, { env });
      expect(full.code, full.stderr).toBe(0);
      expect(full.loaded).toContain('commander');
      const quick = await cli(args, { noDocker: true, env });
      expect(heavy(quick)).toEqual([]);
      expect(quick.stdout).toBe(full.stdout);
      return full;
    };
    await rm(memory(), { force: true });
    const first = await fullAgain();

    // A value changed in an env file the view read: the new value is shown.
    const envFile = join(stack.dir, '.env');
    const before = await readFile(envFile, 'utf8');
    await writeFile(envFile, before.replace(/^SANDBOX_WORKER_TIMEOUT=.*$/m, 'SANDBOX_WORKER_TIMEOUT=42'));
    expect((await fullAgain()).stdout).toMatch(/^SANDBOX_WORKER_TIMEOUT\s+42\s/m);
    // …and back: the first text again, read in full (its entry was replaced).
    await writeFile(envFile, before);
    expect((await fullAgain()).stdout).toBe(first.stdout);

    // A new file in envs/ is a new candidate.
    await writeFile(join(stack.dir, 'envs', 'extra.env'), 'SOMETHING=1\n');
    await fullAgain();

    // A variable of ours that Compose would read.
    const withVariable = { SANDBOX_WORKER_TIMEOUT: '77' };
    await fullAgain(withVariable);

    // Another language is another text; both stay remembered (one entry per language and output).
    const ja = await fullAgain({ ...withVariable, LANG: 'ja_JP.UTF-8' });
    const en = await cli(args, { noDocker: true, env: withVariable });
    expect(heavy(en)).toEqual([]);
    expect(ja.stdout).not.toBe(en.stdout);
  });
});
