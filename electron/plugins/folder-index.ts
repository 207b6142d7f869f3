import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Answers "does this relative path exist in the plugin folder, spelled exactly like this?".
 * Windows and macOS file systems ignore case, but the plugin daemon reads the package on Linux,
 * where `Tools/X.yaml` and `tools/x.yaml` are different files — so existence is checked against the
 * real directory listing, not with a case-insensitive `stat`. Listings are cached per folder.
 */
export type Lookup =
  { kind: 'file' } | { kind: 'directory' } | { kind: 'missing' } | { kind: 'case-mismatch'; actual: string };

export class FolderIndex {
  private readonly listings = new Map<string, Promise<Map<string, boolean> | null>>();

  constructor(private readonly root: string) {}

  /** `rel` uses forward slashes and must already be known to stay inside the root. */
  async lookup(rel: string): Promise<Lookup> {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0) return { kind: 'directory' };
    const actual: string[] = [];
    let mismatch = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const listing = await this.list(actual.join('/'));
      if (!listing) return { kind: 'missing' };
      let isDir = listing.get(part);
      let name = part;
      if (isDir === undefined) {
        const lower = part.toLowerCase();
        const found = [...listing.keys()].find((k) => k.toLowerCase() === lower);
        if (found === undefined) return { kind: 'missing' };
        name = found;
        isDir = listing.get(found) as boolean;
        mismatch = true;
      }
      actual.push(name);
      if (i < parts.length - 1 && !isDir) return { kind: 'missing' };
      if (i === parts.length - 1) {
        if (mismatch) return { kind: 'case-mismatch', actual: actual.join('/') };
        return isDir ? { kind: 'directory' } : { kind: 'file' };
      }
    }
    return { kind: 'missing' };
  }

  private list(rel: string): Promise<Map<string, boolean> | null> {
    let cached = this.listings.get(rel);
    if (!cached) {
      cached = readListing(path.join(this.root, ...rel.split('/').filter(Boolean)));
      this.listings.set(rel, cached);
    }
    return cached;
  }
}

async function readListing(abs: string): Promise<Map<string, boolean> | null> {
  try {
    const entries = await fs.readdir(abs, { withFileTypes: true });
    const map = new Map<string, boolean>();
    for (const e of entries) {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        // A link counts as what it points to; a dangling link counts as missing.
        const st = await fs.stat(path.join(abs, e.name)).catch(() => null);
        if (!st) continue;
        isDir = st.isDirectory();
      }
      map.set(e.name, isDir);
    }
    return map;
  } catch {
    return null;
  }
}
