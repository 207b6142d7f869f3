/**
 * What the CLI keeps about a project — `.env` backups (SECRET_KEY, database passwords) and the
 * resolved config in the reach cache — lives in the per-user app-data folder, private, even when
 * `--config FILE` points at a settings file somewhere shared (issue 9, finding 2).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli-runner';
import { dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDirSync, removeTempDir } from '../helpers/temp-dir';

const skip = skipReason('Docker engine', dockerEngineAvailable());
const root = createTempDirSync('app-data-');
afterAll(() => removeTempDir(root));

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(skip)('app data with --config FILE', () => {
  it('backups and the reach cache go to the per-user folder, 0600, never next to the settings file', async () => {
    const home = path.join(root, 'home');
    const shared = path.join(root, 'shared');
    const dify = path.join(root, 'appdatatest');
    cpSync(path.join(__dirname, '..', 'fixtures', 'dify-stack-b'), dify, { recursive: true });
    mkdirSync(home);
    const config = path.join(shared, 'settings.json');
    const common = { home, baseEnv: process.env, timeoutMs: 120_000 };
    const args = ['--config', config, '--dify-dir', dify];

    const view = await runCliProcess(['timeouts', '--json', ...args], common);
    expect(view.stderr).toBe('');
    expect(view.code).toBe(0);
    const set = await runCliProcess(
      ['env', 'set', 'SANDBOX_WORKER_TIMEOUT=20', '--no-redeploy', ...args],
      common,
    );
    expect(set.code, set.stderr).toBe(0);

    const kept = filesUnder(path.join(home, '.config', 'dify-stack-tray'));
    const backups = kept.filter((f) => f.endsWith('.bak'));
    const caches = kept.filter((f) => /reach-[0-9a-f]+\.json$/.test(f));
    expect(backups).toHaveLength(1);
    expect(caches).toHaveLength(1);
    if (process.platform !== 'win32') {
      for (const f of [...backups, ...caches]) expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    expect(filesUnder(shared).filter((f) => f !== config)).toEqual([]);
  });
});
