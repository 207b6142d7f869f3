/**
 * The settings file as the CLI meets it, a fresh process each time (issue 15: a corrupt file is moved
 * aside with a notice, never a crash; a file from a newer app is read but never written; an earlier
 * shape is migrated without a word). The command reads a Dify folder's `.env`, so it needs the
 * settings and the Compose model, as a user's does.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli-runner';
import { dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDirSync, removeTempDir } from '../helpers/temp-dir';

const skip = skipReason('Docker engine', dockerEngineAvailable());
const root = createTempDirSync('cli-settings-file-');
afterAll(() => removeTempDir(root));
const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A home, a settings folder holding `contents` as settings.json, and a copy of the test Dify folder. */
function scene(name: string, contents: string): { config: string; args: string[]; home: string } {
  const dir = path.join(root, name);
  const home = path.join(dir, 'home');
  const dify = path.join(dir, 'dify');
  mkdirSync(path.join(dir, 'settings'), { recursive: true });
  mkdirSync(home);
  cpSync(path.join(FIXTURES, 'dify-stack'), dify, { recursive: true });
  const config = path.join(dir, 'settings', 'settings.json');
  writeFileSync(config, contents);
  return { config, home, args: ['env', 'get', 'LOG_LEVEL', '--config', config, '--dify-dir', dify] };
}

describe.skipIf(skip)('the CLI and the settings file', () => {
  it('a file from a newer app: read (language included), warned about in that language, left byte for byte', async () => {
    const newer = '{"version":99,"language":"ja","hologram":true}\n';
    const { config, args, home } = scene('newer', newer);
    const run = await runCliProcess(args, { home, baseEnv: process.env, timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^LOG_LEVEL=/m);
    expect(run.stderr).toContain('このアプリより新しいバージョンで書き込まれています');
    expect(run.stderr).toContain(config);
    expect(readFileSync(config, 'utf8')).toBe(newer);
    expect(readdirSync(path.dirname(config))).toEqual(['settings.json']);
  });

  it('a corrupt file: moved aside, said so with both paths, the command still runs on defaults', async () => {
    const { config, args, home } = scene('corrupt', '{"language": "ja", ');
    const run = await runCliProcess(args, { home, baseEnv: process.env, timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^LOG_LEVEL=/m);
    const aside = readdirSync(path.dirname(config)).filter((f) => f.startsWith('settings.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(run.stderr).toMatch(/^Warning: The settings file .* could not be read/);
    expect(run.stderr).toContain(path.join(path.dirname(config), aside[0] ?? ''));
    expect(readFileSync(path.join(path.dirname(config), aside[0] ?? ''), 'utf8')).toBe('{"language": "ja", ');
  });

  it('a file an earlier version wrote: migrated to version 1 in silence, the old bytes kept beside it', async () => {
    const old = readFileSync(path.join(FIXTURES, 'settings', 'unversioned-d7dd267.json'), 'utf8');
    const { config, args, home } = scene('older', old);
    const run = await runCliProcess(args, { home, baseEnv: process.env, timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const migrated = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    expect(migrated.version).toBe(1);
    // The fixture configured a Dify folder: the first-run setup is not shown to this user again.
    expect(migrated.setupDone).toBe(true);
    expect(existsSync(`${config}.v0.bak`)).toBe(true);
    expect(readFileSync(`${config}.v0.bak`, 'utf8')).toBe(old);
  });
});
