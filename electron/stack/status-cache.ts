/**
 * The project model a full status resolved with Compose, kept on disk for the next `dify-stack
 * status`. Resolving it means `compose version` and `compose config` as processes (~0.5 s on the
 * machine of issue 8), and a one-shot CLI has no memory between runs. Reading the YAML ourselves
 * instead would not give the same answer: Compose sorts the services, applies profiles, include,
 * extends and interpolation, and says when the file is wrong.
 *
 * An entry is found by a key over everything the model is computed from that can change between two
 * runs: the folder and its files' names, the project name, which Compose the containers ask for, the
 * bytes of the compose file and of `.env`, and the process environment that Compose reads (every
 * COMPOSE_* variable and each variable the two files name). Files pulled in by `include:`,
 * `extends:` or `env_file:` are not in it, as they are not in the app's own model cache
 * (docker/compose-model.ts). Only models Compose resolved without complaint are kept: the status of
 * a project whose Compose fails is always read in full.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { composePreference, type ComposeFlavor } from '../docker/compose-cli';
import { readCacheEntries } from '../core/cache-file';
import { composeEnvironment } from '../docker/compose-environment';
import type { ServiceSpec } from '../docker/compose-model';
import type { OpenProject, StackApi } from './api';
import type { DifyProject } from './project';
import type { ContainerFacts } from './status-model';

/** Raised when the entry's shape or the key's ingredients change, so an older file is not misread. */
const FORMAT = 1;
/** One entry per project state seen lately; a few projects side by side stay remembered. */
const MAX_ENTRIES = 16;

export interface RememberedModel {
  bin: { flavor: ComposeFlavor; version: string };
  services: ServiceSpec[];
}

interface CacheFile {
  format: number;
  entries: Array<RememberedModel & { key: string }>;
}

/** The Compose version that created the project's containers, as the full status asks it. */
export function createdByOf(containers: ContainerFacts[]): string | null {
  return containers.find((c) => c.composeVersion)?.composeVersion ?? null;
}

/** The key of the project's model as it would be resolved now; null when a file cannot be read. */
export async function statusModelKey(
  project: DifyProject,
  createdBy: string | null,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  let compose: Buffer;
  let dotenv: Buffer;
  try {
    [compose, dotenv] = await Promise.all([readFile(project.composeFile), readFile(project.envFile)]);
  } catch {
    return null;
  }
  const environment = composeEnvironment(env, [compose.toString('utf8'), dotenv.toString('utf8')]);
  return createHash('sha256')
    .update(
      JSON.stringify([
        FORMAT,
        project.dir,
        project.composeFile,
        project.envFile,
        project.projectName,
        composePreference(createdBy),
        environment,
        sha256(compose),
        sha256(dotenv),
      ]),
    )
    .digest('hex');
}

/** The remembered model under `key`; null when there is none or the file is not ours to trust. */
export async function readStatusModel(file: string, key: string | null): Promise<RememberedModel | null> {
  if (key === null) return null;
  const entry = (await readCacheEntries(file, FORMAT, isEntry)).find((e) => e.key === key);
  return entry ? { bin: entry.bin, services: entry.services } : null;
}

/**
 * After a full status: remembers the model it used. The project is opened twice and the model kept
 * only when both keys agree, so a file saved meanwhile cannot leave a model under a key it does not
 * belong to (the second open returns the model of the files as they were between the two keys).
 */
export async function rememberStatusModel(
  stack: Pick<StackApi, 'openProject'>,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const keyOf = (open: OpenProject) => statusModelKey(open.project, createdByOf(open.containers), env);
  const before = await keyOf(await stack.openProject());
  const open = await stack.openProject();
  if (before === null || open.model.source !== 'compose' || open.model.composeError) return;
  if ((await keyOf(open)) !== before) return;
  await rememberModel(file, before, open.bin, open.model.services);
}

/** Keeps `services` (resolved by Compose `bin`) under `key`, newest first; written atomically. */
export async function rememberModel(
  file: string,
  key: string,
  bin: { flavor: ComposeFlavor; version: string },
  services: readonly ServiceSpec[],
): Promise<void> {
  const entry = {
    key,
    bin: { flavor: bin.flavor, version: bin.version },
    services: services.map((s) => ({ name: s.name, hasHealthcheck: s.hasHealthcheck, oneShot: s.oneShot })),
  };
  const entries = [
    entry,
    ...(await readCacheEntries(file, FORMAT, isEntry)).filter((e) => e.key !== key),
  ].slice(0, MAX_ENTRIES);
  const data: CacheFile = { format: FORMAT, entries };
  await mkdir(dirname(file), { recursive: true });
  // Another CLI run may read the file at any moment: it sees the old file or the new one, never half
  // (temp + rename, as the settings store writes). Loaded here, not at the top: the quick status only reads.
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(file, JSON.stringify(data));
}

function isEntry(e: unknown): e is CacheFile['entries'][number] {
  const o = e as Partial<CacheFile['entries'][number]> | null;
  return (
    typeof o?.key === 'string' &&
    (o.bin?.flavor === 'v2' || o.bin?.flavor === 'v1') &&
    typeof o.bin.version === 'string' &&
    Array.isArray(o.services) &&
    o.services.every(
      (s: Partial<ServiceSpec> | null) =>
        typeof s?.name === 'string' &&
        typeof s.hasHealthcheck === 'boolean' &&
        typeof s.oneShot === 'boolean',
    )
  );
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
