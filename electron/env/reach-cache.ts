/**
 * The reach of a project's keys kept on disk (app data), keyed by the contents of every file that
 * decides it: a new CLI process or a restarted app answers `timeouts` without running Compose while
 * nothing changed. Shared by the app and the CLI: written atomically (temp + rename), and a file that
 * does not parse or belongs to other contents is simply ignored — the worst case is one more Compose run.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ErrorInfo } from '../core/errors';
import { writeFileAtomic } from './atomic-write';
import type { Arrival, ServicesJson } from './reach-model';

const CACHE_VERSION = 1;

const ArrivalSchema = z.object({
  service: z.string(),
  name: z.string().nullable(),
  field: z.string().optional(),
});

const CacheSchema = z.object({
  version: z.literal(CACHE_VERSION),
  fingerprint: z.string(),
  baseline: z.record(z.string(), z.unknown()).nullable(),
  composeError: z.unknown().nullable(),
  /** file → key → arrivals (null: Compose failed for that key). */
  runs: z.record(z.string(), z.record(z.string(), z.array(ArrivalSchema).nullable())),
});

export interface CachedReach {
  baseline: ServicesJson | null;
  composeError: ErrorInfo | null;
  runs: Map<string, Map<string, Arrival[] | null>>;
}

/** One file per project folder + compose file. */
export function reachCacheFile(cacheDir: string, projectId: string): string {
  const id = createHash('sha1').update(projectId).digest('hex').slice(0, 16);
  return path.join(cacheDir, `reach-${id}.json`);
}

export async function readReachCache(file: string, fingerprint: string): Promise<CachedReach | null> {
  const text = await fsp.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  let parsed: z.infer<typeof CacheSchema>;
  try {
    parsed = CacheSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
  if (parsed.fingerprint !== fingerprint) return null;
  return {
    baseline: parsed.baseline,
    composeError: parsed.composeError as ErrorInfo | null,
    runs: new Map(
      Object.entries(parsed.runs).map(([rel, keys]) => [rel, new Map(Object.entries(keys))] as const),
    ),
  };
}

export async function writeReachCache(file: string, fingerprint: string, reach: CachedReach): Promise<void> {
  const runs: Record<string, Record<string, Arrival[] | null>> = {};
  for (const [rel, keys] of reach.runs) runs[rel] = Object.fromEntries(keys);
  const data = { version: CACHE_VERSION, fingerprint, ...reach, runs };
  // The baseline is what `docker compose config` prints, the project's secrets included (SECRET_KEY,
  // database passwords): private like the `.env` it comes from. The atomic write keeps the mode of
  // the file it replaces, so the first one is created 0600.
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fsp.writeFile(file, '', { flag: 'wx', mode: 0o600 }).catch(() => undefined);
  await writeFileAtomic(file, Buffer.from(JSON.stringify(data)));
}
