/**
 * The app and a CLI run open the same settings file at the same moment: the migration or the move
 * aside happens once, and neither process loses the user's settings. Real processes, not a simulation.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../electron/settings/contract';
import { bundleForNode } from '../../helpers/node-bundle';
import { useTempDir } from '../../helpers/use-temp-dir';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
// Inside the repo: the bundle's dependencies stay external and resolve from its node_modules.
const BUNDLE_DIR = path.join(
  ROOT,
  'test-results',
  `settings-child-${process.pid}-${randomUUID().slice(0, 8)}`,
);
const CHILD = path.join(BUNDLE_DIR, 'open-store.cjs');
const tempDir = useTempDir('settings-2proc-');

beforeAll(async () => {
  await bundleForNode(path.join(__dirname, 'open-store.child.ts'), CHILD);
}, 60_000);
afterAll(async () => {
  await rm(BUNDLE_DIR, { recursive: true, force: true });
});

/** Two processes opening `file` at the same moment; their views. */
async function openTwiceAtOnce(file: string): Promise<SettingsView[]> {
  // Far enough ahead for both Node processes to have loaded the bundle.
  const startAt = String(Date.now() + 1_500);
  const outs = await Promise.all(
    [0, 1].map(() => run(process.execPath, [CHILD, file, startAt], { timeout: 30_000 })),
  );
  return outs.map((o) => JSON.parse(o.stdout) as SettingsView);
}

describe('two processes opening the settings at once', () => {
  it('migrate an older file once and both get every setting', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tempDir(), `round-${round}`);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, 'settings.json');
      const fixture = path.join(ROOT, 'test/fixtures/settings/unversioned-1cc2e31.json');
      await copyFile(fixture, file);

      const views = await openTwiceAtOnce(file);

      for (const view of views) {
        expect(view.warning).toBeNull();
        expect(view.settings).toMatchObject({
          difyDir: 'C:\\Users\\taro\\dify\\docker',
          logBufferLines: 50000,
          setupDone: true,
        });
      }
      expect((await readdir(dir)).sort()).toEqual(['settings.json', 'settings.json.v0.bak']);
      await expect(readFile(`${file}.v0.bak`, 'utf8')).resolves.toBe(await readFile(fixture, 'utf8'));
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, ...views[0]?.settings });
    }
  }, 120_000);

  it('move a corrupt file aside once', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tempDir(), `round-${round}`);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, 'settings.json');
      await writeFile(file, '{"difyDir": "/srv/dify",');

      const views = await openTwiceAtOnce(file);

      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^settings\.corrupt-\d{8}-\d{6}\.json$/);
      await expect(readFile(path.join(dir, String(files[0])), 'utf8')).resolves.toBe(
        '{"difyDir": "/srv/dify",',
      );
      // The process that moved it says where; the other one found no file (defaults, nothing to say).
      const codes = views.map((v) => v.warning?.code ?? null).sort();
      expect(codes).toEqual(['SETTINGS_MOVED_ASIDE', null]);
    }
  }, 120_000);
});
