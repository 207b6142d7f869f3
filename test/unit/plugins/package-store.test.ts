/**
 * The kept-package store: a file name built from what Dify answered must never leave the plugin's own
 * folder (issue 9, finding 5: the part after `@` of the identifier comes from the server).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackageStore } from '../../../electron/plugins/package-store';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';

let tmp: string;
beforeEach(async () => {
  tmp = await createTempDir('package-store-');
});
afterEach(() => removeTempDir(tmp));

async function source(): Promise<string> {
  const file = path.join(tmp, 'in.difypkg');
  await fs.writeFile(file, 'zip bytes');
  return file;
}

describe('PackageStore', () => {
  it('names the kept file after the hex checksum of the identifier', async () => {
    const store = new PackageStore(path.join(tmp, 'kept'));
    const id = 'local_dev/sd_tool:1.2.0@0123456789abcdef0123456789abcdef';
    const kept = await store.keep('local_dev/sd_tool', id, '1.2.0', await source());
    expect(path.basename(kept.file)).toBe('1.2.0-0123456789ab.difypkg');
    expect(await store.get('local_dev/sd_tool')).toMatchObject({ identifier: id, file: kept.file });
  });

  it.each([
    'local_dev/sd_tool:1.2.0@/../../../../escaped',
    'local_dev/sd_tool:1.2.0@..\\..\\..\\..\\x',
    'local_dev/sd_tool:1.2.0@',
    'local_dev/sd_tool:1.2.0@ABCDEF0123456789', // upper case is not what the daemon writes: hashed too
  ])('an identifier whose part after @ is not hex (%s) stays inside the plugin folder', async (id) => {
    const dir = path.join(tmp, 'kept');
    const store = new PackageStore(dir);
    const kept = await store.keep('local_dev/sd_tool', id, '1.2.0', await source());
    const folder = path.join(dir, 'local_dev', 'sd_tool');
    expect(path.dirname(kept.file)).toBe(folder);
    expect(path.basename(kept.file)).toMatch(/^1\.2\.0-[0-9a-f]{12}\.difypkg$/);
    expect((await fs.readdir(folder)).sort()).toEqual(['kept.json', path.basename(kept.file)].sort());
    expect(await fs.readdir(tmp)).toEqual(expect.arrayContaining(['in.difypkg', 'kept']));
    expect((await fs.readdir(tmp)).length).toBe(2);
    expect(await fs.readdir(path.join(dir, 'local_dev'))).toEqual(['sd_tool']);
  });

  it('a version that is not a plain version string cannot steer the path either', async () => {
    const dir = path.join(tmp, 'kept');
    const store = new PackageStore(dir);
    const kept = await store.keep(
      'local_dev/sd_tool',
      'local_dev/sd_tool:x@0123456789abcdef',
      '../../../x',
      await source(),
    );
    expect(path.dirname(kept.file)).toBe(path.join(dir, 'local_dev', 'sd_tool'));
  });
});
