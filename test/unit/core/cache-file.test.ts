import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCacheEntries } from '../../../electron/core/cache-file';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('cache-file-');
const isEntry = (e: unknown): e is { key: string } =>
  typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string';

describe('readCacheEntries', () => {
  it('keeps the well-formed entries of a file in this format', async () => {
    const file = path.join(tempDir(), 'cache.json');
    await writeFile(
      file,
      JSON.stringify({ format: 2, entries: [{ key: 'a' }, { key: 3 }, null, { key: 'b' }] }),
    );
    expect(await readCacheEntries(file, 2, isEntry)).toEqual([{ key: 'a' }, { key: 'b' }]);
  });

  it.each([
    ['another format', JSON.stringify({ format: 1, entries: [{ key: 'a' }] })],
    ['no entries list', JSON.stringify({ format: 2, entries: { key: 'a' } })],
    ['not JSON', '{"format": 2, "entries": ['],
    ['JSON null', 'null'],
  ])('is an empty cache for %s, never an error', async (_name, contents) => {
    const file = path.join(tempDir(), 'cache.json');
    await writeFile(file, contents);
    expect(await readCacheEntries(file, 2, isEntry)).toEqual([]);
  });

  it('is an empty cache when the file does not exist', async () => {
    expect(await readCacheEntries(path.join(tempDir(), 'missing.json'), 2, isEntry)).toEqual([]);
  });
});
