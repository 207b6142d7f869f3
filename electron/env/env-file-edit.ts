/**
 * Setting a few keys of a `.env` file in place, for callers outside the timeout panel (a plugin
 * folder's remote-debug settings): read, edit with the byte-preserving editor (env-file.ts: every
 * other line, comment, quote and line ending stays), write atomically after a backup — and only when
 * the file did not change between the read and the write (someone's editor saving meanwhile).
 */
import { promises as fsp } from 'node:fs';
import { isAppError } from '../core/errors';
import { writeFailed } from './atomic-write';
import { writeWithBackup, type BackupOptions } from './backups';
import { EnvDocument } from './env-file';

export interface EnvFileEditResult {
  /** False when every key already had its value (nothing written, no backup). */
  changed: boolean;
  backupId: string | null;
  /** The bytes the file holds now (what a watcher of the file will see). */
  bytes: Buffer;
}

/** How often a write that met a concurrent change reads the file again and retries. */
const ATTEMPTS = 3;

/**
 * Sets each `values` key (appending the ones the file lacks) and writes the file with a backup. A
 * missing file is created. Lines Compose's rules reject are kept as they are, never rewritten.
 */
export async function setEnvFileValues(
  file: string,
  values: Record<string, string>,
  options: BackupOptions = {},
): Promise<EnvFileEditResult> {
  for (let attempt = 1; ; attempt++) {
    const before = await fsp.readFile(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw writeFailed(file, e);
    });
    const doc = EnvDocument.parse(before ?? Buffer.alloc(0), { name: file });
    for (const [key, value] of Object.entries(values)) doc.set(key, value);
    const after = doc.toBytes();
    try {
      const written = await writeWithBackup(file, after, { ...options, expected: before });
      return { changed: written.changed, backupId: written.backup?.id ?? null, bytes: after };
    } catch (e) {
      // Another writer got in between: edit what it wrote instead of overwriting it.
      if (isAppError(e) && e.code === 'ENV_FILE_CHANGED' && attempt < ATTEMPTS) continue;
      throw isAppError(e) ? e : writeFailed(file, e);
    }
  }
}
