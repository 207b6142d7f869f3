/**
 * Writes the diagnostics zip: every entry given as text (they are small — a few MB of logs at most,
 * bounded by the log's rotation), into a temporary file beside the target, renamed over it once
 * complete. A cancelled or failed export therefore leaves no half-written zip and keeps an older one.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  name: string;
  text: string;
}

export async function writeZip(
  file: string,
  entries: readonly ZipEntry[],
  signal?: AbortSignal,
): Promise<void> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`,
  );
  const zip = new ZipFile();
  // One time for every entry: the zip says when it was made, and two exports of the same state are alike.
  const mtime = new Date();
  const failed = new Promise<never>((_, reject) => zip.on('error', reject));
  for (const entry of entries)
    zip.addBuffer(Buffer.from(entry.text, 'utf8'), entry.name, { mtime, mode: 0o100600 });
  zip.end();
  try {
    await Promise.race([
      pipeline(zip.outputStream, createWriteStream(tmp, { mode: 0o600 }), { signal }),
      failed,
    ]);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
