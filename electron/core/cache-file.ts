/**
 * The entries of a small JSON cache file (`{format, entries}`) that the CLI's quick paths keep in app
 * data. A missing, unreadable, older-format or hand-edited file is an empty cache, never an error: the
 * caller then does the full work and writes a new one. Only node:fs, so a quick path stays light.
 */
import { readFile } from 'node:fs/promises';

export async function readCacheEntries<T>(
  file: string,
  format: number,
  isEntry: (e: unknown) => e is T,
): Promise<T[]> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; entries?: unknown } | null;
    if (data?.format !== format || !Array.isArray(data.entries)) return [];
    return data.entries.filter(isEntry);
  } catch {
    return [];
  }
}
