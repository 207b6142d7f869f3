import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { AppError } from '../core/errors';
import type { SkippedEntry } from './package-skips';

export type { SkipReason, SkippedEntry } from './package-skips';

/**
 * Which files of a plugin folder go into its package, chosen the way `dify plugin package` does
 * (dify-plugin-daemon, decoder/fs.go): the root `.difyignore`, else the root `.gitignore`, in gitignore
 * syntax. Like the dify CLI, ignore files in sub-folders are not read: the package must contain what
 * the official tool would put in it. Unlike the CLI, `.venv`, `__pycache__`, `.git` and `.env` are
 * always left out (the CLI would pack a virtualenv and the remote-debug key in `.env`).
 *
 * A symbolic link is packed as the file it points to only when that file's real path is inside the
 * folder: a link to a host file (`~/.ssh/id_rsa`, `/etc/passwd`) would otherwise be uploaded to Dify
 * and installed with the plugin (issue 9). Such links are listed as skipped instead. Hard links
 * cannot be told apart from the file itself and are packed.
 */

export const ALWAYS_EXCLUDED = ['.venv', '__pycache__', '.git', '.env'] as const;
export const IGNORE_FILES = ['.difyignore', '.gitignore'] as const;

export interface PackageFile {
  /** Path inside the package: relative, forward slashes. */
  rel: string;
  abs: string;
  size: number;
}

export interface PackageFileList {
  root: string;
  /** Sorted by `rel` (UTF-16 code unit order: independent of locale). */
  files: PackageFile[];
  ignoreFile: (typeof IGNORE_FILES)[number] | null;
  uncompressedSize: number;
  skipped: SkippedEntry[];
}

export interface ListOptions {
  /** Absolute paths to leave out (e.g. the output file when it is inside the folder). */
  exclude?: string[];
}

/** The files that would go into the package, after ignore rules. */
export async function listPackageFiles(dir: string, options: ListOptions = {}): Promise<PackageFileList> {
  const root = path.resolve(dir);
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat || !rootStat.isDirectory())
    throw new AppError('PLUGIN_DIR_NOT_FOUND', { params: { dir: root } });

  const { rules, ignoreFile } = await loadIgnoreRules(root);
  // The root's own real path: the folder itself may be reached through a link (e.g. /tmp on macOS).
  const realRoot = await fs.realpath(root);
  const inside = (real: string): boolean => {
    const rel = path.relative(realRoot, real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const always = ignore().add([...ALWAYS_EXCLUDED]);
  const exclude = new Set((options.exclude ?? []).map((p) => path.resolve(p)));
  const files: PackageFile[] = [];
  const skipped: SkippedEntry[] = [];

  const isIgnored = (rel: string, isDir: boolean): boolean => {
    const probe = isDir ? `${rel}/` : rel;
    return safeIgnores(always, probe) || (rules !== null && safeIgnores(rules, probe));
  };

  /** One entry: a file to pack, a folder to walk, or nothing (ignored / skipped). */
  const visit = async (entry: Dirent, absDir: string, relDir: string): Promise<void> => {
    const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
    const abs = path.join(absDir, entry.name);
    if (exclude.has(abs)) return;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    let size = -1;
    if (entry.isSymbolicLink()) {
      const [st, real] = await Promise.all([
        fs.stat(abs).catch(() => null),
        fs.realpath(abs).catch(() => null),
      ]);
      if (!st || !real) return void skipped.push({ rel, reason: 'unreadable' });
      if (!inside(real)) {
        if (!isIgnored(rel, st.isDirectory())) skipped.push({ rel, reason: 'symlink-outside-folder' });
        return;
      }
      if (st.isDirectory()) {
        // Not followed (a link can point back up and loop); the dify CLI cannot pack one either.
        if (!isIgnored(rel, true)) skipped.push({ rel, reason: 'symlink-to-directory' });
        return;
      }
      isDir = false;
      isFile = st.isFile();
      size = st.size;
    }
    if (isIgnored(rel, isDir)) return;
    if (isDir) return walk(abs, rel);
    if (!isFile) return void skipped.push({ rel, reason: 'not-a-regular-file' });
    if (size < 0) {
      const st = await fs.stat(abs).catch(() => null);
      if (!st) return void skipped.push({ rel, reason: 'unreadable' });
      size = st.size;
    }
    files.push({ rel, abs, size });
  };
  // Entries of a folder are looked at concurrently (the order is restored by sorting at the end).
  const walk = async (absDir: string, relDir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(absDir, { withFileTypes: true });
    } catch {
      skipped.push({ rel: relDir, reason: 'unreadable' });
      return;
    }
    await Promise.all(entries.map((e) => visit(e, absDir, relDir)));
  };
  await walk(root, '');
  const byRel = (a: { rel: string }, b: { rel: string }): number =>
    a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0;
  files.sort(byRel);
  skipped.sort(byRel);
  const uncompressedSize = files.reduce((n, f) => n + f.size, 0);
  return { root, files, ignoreFile, uncompressedSize, skipped };
}

/** The root's `.difyignore`, else its `.gitignore` (the rules the package and the debug watcher follow). */
export async function loadIgnoreRules(
  root: string,
): Promise<{ rules: Ignore | null; ignoreFile: PackageFileList['ignoreFile'] }> {
  for (const name of IGNORE_FILES) {
    let text: string;
    try {
      text = await fs.readFile(path.join(root, name), 'utf8');
    } catch {
      continue;
    }
    // CRLF files from Windows editors: a trailing \r would become part of every pattern.
    return { rules: ignore().add(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')), ignoreFile: name };
  }
  return { rules: null, ignoreFile: null };
}

/** `ignore` throws on names it cannot treat as relative paths (e.g. "..."); such names are not ignored. */
export function safeIgnores(ig: Ignore, rel: string): boolean {
  try {
    return ig.ignores(rel);
  } catch {
    return false;
  }
}
