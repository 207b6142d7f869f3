import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError, messageOf } from '../core/errors';
import { AUTHOR_PATTERN, NAME_PATTERN, VERSION_PATTERN } from './declaration-rules';
import { GoYamlDecoder, T } from './go-yaml-decode';
import { MANIFEST_FILE } from './manifest';
import { loadYaml } from './yaml-load';

/**
 * Reads the identity (author/name/version) of an existing `.difypkg` without extracting it, so a
 * package file can go through the same reinstall workflow as a folder. Anything that is not a zip
 * with a usable `manifest.yaml` at its root is PLUGIN_NOT_A_PACKAGE, with the reason.
 */
export interface PackageIdentity {
  author: string;
  name: string;
  version: string;
  pluginId: string;
}

/** A manifest is a few KB; anything this large is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export async function readPackageIdentity(pkgPath: string): Promise<PackageIdentity> {
  const fail = (reason: string, cause?: unknown): AppError =>
    new AppError('PLUGIN_NOT_A_PACKAGE', { params: { path: pkgPath, reason }, cause });
  let zip: ZipFile;
  try {
    zip = await openZip(pkgPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'the file does not exist' : `not a zip file (${messageOf(e)})`, e);
  }
  try {
    let text: string | null;
    try {
      text = await readEntry(zip, MANIFEST_FILE);
    } catch (e) {
      throw fail(`manifest.yaml cannot be read (${messageOf(e)})`, e);
    }
    if (text === null) throw fail('there is no manifest.yaml at the root of the zip');
    // Read as the daemon reads it (yaml-load.ts): what Dify accepts must be readable here too.
    const loaded = loadYaml(text);
    if (!loaded.ok) {
      const { line, column, reason } = loaded.error;
      throw fail(`manifest.yaml is not valid YAML (line ${line}, column ${column}: ${reason})`);
    }
    const decoder = new GoYamlDecoder(loaded.yaml);
    const doc = decoder.decodeRoot(T.struct({ author: T.string, name: T.string, version: T.string }));
    const issue = decoder.issues[0];
    if (issue && issue.code !== 'YAML_NOT_MAPPING')
      throw fail(
        `manifest.yaml cannot be read by Dify (${issue.code} at ${issue.params.field || 'the top'})`,
      );
    if (typeof doc !== 'object' || doc === null) throw fail('manifest.yaml is not a mapping');
    const m = doc as Record<string, unknown>;
    const author = typeof m.author === 'string' ? m.author : '';
    const name = typeof m.name === 'string' ? m.name : '';
    const version = typeof m.version === 'string' ? m.version : '';
    if (!AUTHOR_PATTERN.test(author)) throw fail(`manifest author "${author}" is missing or invalid`);
    if (!NAME_PATTERN.test(name)) throw fail(`manifest name "${name}" is missing or invalid`);
    if (!VERSION_PATTERN.test(version)) throw fail(`manifest version "${version}" is missing or invalid`);
    return { author, name, version, pluginId: `${author}/${name}` };
  } finally {
    zip.close();
  }
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('cannot open'));
      else resolve(zip);
    });
  });
}

/** The text of one entry (by exact name), or null when the zip has no such entry. */
function readEntry(zip: ZipFile, name: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      if (entry.fileName !== name) {
        zip.readEntry();
        return;
      }
      cleanup();
      if (entry.uncompressedSize > MAX_MANIFEST_BYTES) {
        reject(new Error(`${name} is implausibly large (${entry.uncompressedSize} bytes)`));
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) {
          reject(err ?? new Error('cannot read entry'));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: unknown): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
