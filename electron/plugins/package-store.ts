import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AUTHOR_PATTERN, NAME_PATTERN } from './manifest';

/**
 * Keeps the package of the last successful install of each plugin in an app-data folder, so a
 * reinstall that fails after the old version was removed can put that version back. Dify has no API to
 * download an installed package, so this copy is the only way back.
 *
 * Layout: `<dir>/<author>/<name>/kept.json` + the package file it names. author and name match the
 * manifest patterns ([a-z0-9_-]), so they are safe as folder names on every OS. The package's file name
 * is built from the version and the identifier's checksum, which come from Dify's answer and the
 * package: only a plain version and lowercase hex are used as they are, anything else is hashed, so no
 * answer can steer the path out of the plugin's folder (`…@../../..`, issue 9).
 */
const KeptSchema = z.object({
  pluginId: z.string(),
  identifier: z.string(),
  version: z.string(),
  file: z.string(),
  savedAt: z.number(),
});
export type KeptPackage = z.infer<typeof KeptSchema>;

const META = 'kept.json';

export class PackageStore {
  constructor(readonly dir: string) {}

  /** The kept package for a plugin, or null (none kept, or the record/file is gone or unreadable). */
  async get(pluginId: string): Promise<KeptPackage | null> {
    const folder = this.folder(pluginId);
    if (!folder) return null;
    try {
      const parsed = KeptSchema.safeParse(JSON.parse(await fs.readFile(path.join(folder, META), 'utf8')));
      if (!parsed.success) return null;
      const file = path.join(folder, path.basename(parsed.data.file));
      await fs.access(file);
      return { ...parsed.data, file };
    } catch {
      return null;
    }
  }

  /**
   * Copies `source` in as the plugin's kept package. The copy and the record are each written to a
   * temp name and renamed, and the previously kept file is deleted only after the new record is in
   * place, so a crash at any point leaves one complete, valid pair.
   */
  async keep(pluginId: string, identifier: string, version: string, source: string): Promise<KeptPackage> {
    const folder = this.folder(pluginId);
    if (!folder) throw new Error(`not a valid plugin id: ${pluginId}`);
    await fs.mkdir(folder, { recursive: true });
    const previous = await this.get(pluginId);
    const name = keptFileName(identifier, version);
    const target = path.join(folder, name);
    if (!(previous && path.basename(previous.file) === name)) {
      const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.copyFile(source, tmp);
      await fs.rename(tmp, target);
    }
    const record: KeptPackage = { pluginId, identifier, version, file: name, savedAt: Date.now() };
    const metaTmp = path.join(folder, `${META}.${randomBytes(4).toString('hex')}.tmp`);
    await fs.writeFile(metaTmp, JSON.stringify(record, null, 2) + '\n', 'utf8');
    await fs.rename(metaTmp, path.join(folder, META));
    if (previous && path.basename(previous.file) !== name) await fs.rm(previous.file, { force: true });
    return { ...record, file: target };
  }

  private folder(pluginId: string): string | null {
    const [author, name, ...rest] = pluginId.split('/');
    if (rest.length > 0 || !author || !name || !AUTHOR_PATTERN.test(author) || !NAME_PATTERN.test(name))
      return null;
    return path.join(this.dir, author, name);
  }
}

/** The daemon's identifier ends in `@<sha256 hex>` (lowercase): its first 12 digits name the file. */
const HEX_CHECKSUM = /^[0-9a-f]{12,}$/;
/** Semantic versions as manifests write them; no separators, no dot-only names. */
const PLAIN_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;

export function keptFileName(identifier: string, version: string): string {
  const at = identifier.lastIndexOf('@');
  const tail = at >= 0 ? identifier.slice(at + 1) : '';
  const checksum = HEX_CHECKSUM.test(tail) ? tail.slice(0, 12) : sha256Hex(identifier).slice(0, 12);
  const safeVersion = PLAIN_VERSION.test(version) ? version : sha256Hex(version).slice(0, 12);
  return `${safeVersion}-${checksum}.difypkg`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
