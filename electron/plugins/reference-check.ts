import { FolderIndex } from './folder-index';
import type { ManifestProblemCode } from './manifest-problems';

/**
 * Checks a path that a plugin's YAML names (a provider file, a tool file, an icon…) the way the daemon
 * will open it inside the package. The daemon opens package files with Go's zip.Reader.Open
 * (decoder/zip.go, ReadFile), which takes only clean slash-separated paths (fs.ValidPath: no `./`,
 * `..`, empty parts or leading `/`), compares names byte for byte (Linux: letter case matters), and
 * finds icons by their exact name under `_assets/` (decoder/helper.go Assets, CheckAssetsValid;
 * media_transport/assets.go RemapAssets).
 */

export const ASSETS_DIR = '_assets';

export type ReferenceResult =
  { ok: true; rel: string } | { ok: false; code: ManifestProblemCode; params: Record<string, string> };

export class ReferenceChecker {
  /** Every file referenced so far (forward slashes). */
  readonly references = new Set<string>();

  constructor(
    private readonly index: FolderIndex,
    /** The files that will be in the package; a reference left out by the ignore rules is an error. */
    private readonly packaged: ReadonlySet<string> | null,
    private readonly ignoreFile: string,
  ) {}

  async file(target: string, field: string): Promise<ReferenceResult> {
    const params = { field, target };
    if (target === '') return { ok: false, code: 'REFERENCE_MISSING', params };
    if (target.includes('\\')) return { ok: false, code: 'REFERENCE_BACKSLASH', params };
    const rel = normalizeRef(target);
    if (rel === null) return { ok: false, code: 'REFERENCE_OUTSIDE', params };
    if (rel !== target) return { ok: false, code: 'REFERENCE_NOT_CLEAN', params: { ...params, clean: rel } };
    return this.exists(rel, params);
  }

  /** An icon: a file name inside `_assets/` (sub-folders allowed), written exactly. */
  async asset(icon: string, field: string): Promise<ReferenceResult> {
    const target = `${ASSETS_DIR}/${icon}`;
    const params = { field, target };
    if (icon.includes('\\')) return { ok: false, code: 'REFERENCE_BACKSLASH', params };
    const clean = normalizeRef(icon);
    if (clean === null) return { ok: false, code: 'REFERENCE_OUTSIDE', params };
    if (clean !== icon) return { ok: false, code: 'REFERENCE_NOT_CLEAN', params: { ...params, clean } };
    return this.exists(target, params);
  }

  private async exists(rel: string, params: Record<string, string>): Promise<ReferenceResult> {
    this.references.add(rel);
    const found = await this.index.lookup(rel);
    if (found.kind === 'missing' || found.kind === 'directory')
      return { ok: false, code: 'REFERENCE_MISSING', params };
    if (found.kind === 'case-mismatch')
      return { ok: false, code: 'REFERENCE_CASE_MISMATCH', params: { ...params, actual: found.actual } };
    if (this.packaged && !this.packaged.has(rel))
      return { ok: false, code: 'REFERENCE_IGNORED', params: { ...params, ignoreFile: this.ignoreFile } };
    return { ok: true, rel };
  }
}

/** A manifest-relative reference → a clean relative path, or null when it leaves the plugin folder. */
export function normalizeRef(ref: string): string | null {
  if (ref === '' || ref.startsWith('/') || /^[A-Za-z]:/.test(ref)) return null;
  const out: string[] = [];
  for (const part of ref.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.length > 0 ? out.join('/') : null;
}
