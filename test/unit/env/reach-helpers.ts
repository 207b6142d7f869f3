/** Resolutions built by hand for the reach model's tests: candidate files and their contents. */
import { EnvDocument } from '../../../electron/env/env-file';
import type { CandidateFile } from '../../../electron/env/reach-model';

export const cand = (rel: string, exists = true): CandidateFile => ({
  rel,
  abs: `/p/${rel}`,
  exists,
  referenced: rel !== '.env',
});

export function snapOf(files: Record<string, string | null>, baseline: Record<string, unknown> | null) {
  const candidates = Object.keys(files).map((rel) => cand(rel, files[rel] !== null));
  const docs = new Map(
    Object.entries(files).map(([rel, text]) => [rel, text === null ? null : EnvDocument.parse(text)]),
  );
  return { candidates, docs, baseline };
}
