/** FolderWatch over a real temp folder (chokidar, inotify): what a save is, and what is not. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderWatch, type FolderChange } from '../../../electron/plugins/debug-watch';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-debug-watch-');
let watch: FolderWatch | null = null;

afterEach(async () => {
  await watch?.close();
  watch = null;
});

async function watching(): Promise<FolderChange[]> {
  const changes: FolderChange[] = [];
  watch = new FolderWatch(dir(), { debounceMs: 150, onChange: (c) => changes.push(c) });
  await watch.start();
  return changes;
}

const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));

describe('FolderWatch', () => {
  it('folds a burst of saves into one change, listing the files', async () => {
    await mkdir(path.join(dir(), 'tools'));
    const changes = await watching();
    await writeFile(path.join(dir(), 'main.py'), 'a');
    await writeFile(path.join(dir(), 'tools', 'echo.py'), 'b');
    await writeFile(path.join(dir(), 'main.py'), 'c');
    await settle();
    expect(changes).toEqual([{ files: ['main.py', 'tools/echo.py'] }]);
  });

  it('ignores what the package leaves out, editor files, and the .gitignore rules (read again when it changes)', async () => {
    await writeFile(path.join(dir(), '.gitignore'), 'build/\n*.log\n');
    const changes = await watching();
    for (const rel of [
      '.venv/lib/x.py',
      '__pycache__/m.pyc',
      '.git/index',
      'build/out.py',
      'a.log',
      '.main.py.swp',
    ]) {
      await mkdir(path.dirname(path.join(dir(), rel)), { recursive: true });
      await writeFile(path.join(dir(), rel), 'x');
    }
    await settle();
    expect(changes).toEqual([]);

    await writeFile(path.join(dir(), '.gitignore'), 'build/\n');
    await settle();
    await writeFile(path.join(dir(), 'b.log'), 'x');
    await settle();
    // One restart for it (chokidar may also report a.log now that it is no longer left out).
    expect(changes).toHaveLength(1);
    expect(changes[0]?.files).toContain('b.log');
  });

  it('does not count its own .env write, but does count the user’s', async () => {
    const changes = await watching();
    const ours = Buffer.from('INSTALL_METHOD=remote\n');
    await writeFile(path.join(dir(), '.env'), ours);
    watch?.ownEnvWrite(ours);
    await settle();
    expect(changes).toEqual([]);

    await writeFile(path.join(dir(), '.env'), 'INSTALL_METHOD=remote\nAPI_KEY=x\n');
    await settle();
    expect(changes).toEqual([{ files: ['.env'] }]);
  });
});
