/**
 * The reach model: given where each candidate file's value arrives in the resolved services, which
 * file decides a key, who reads it, what is shadowed or has no effect, where a change should be
 * written, and which services a plain `up -d` would recreate. No I/O: the resolver (reach-resolver.ts)
 * gathers the arrivals with Compose, or from the YAML (reach-yaml.ts), and hands them here.
 *
 * Reader rule (who "reads" a key). A service reads key K when the value arrives in its resolved
 * config
 *  (a) under the name its program reads, for the catalog's documented consumers (e.g. sandbox reads
 *      SANDBOX_WORKER_TIMEOUT as WORKER_TIMEOUT), or
 *  (b) under any other name than K, or in a field other than `environment` (a `X: ${K}` mapping or a
 *      `command:` the user wrote on purpose is an explicit decision to pass the value to that service).
 * A value that only arrives under its own name in a service that is not a documented consumer got
 * there wholesale (an `env_file:` or a shared anchor): that service ignores it, and recreating it
 * is "pending, harmless". For keys without documented consumers every service reached is a reader.
 */
import * as path from 'node:path';
import type { ErrorInfo } from '../core/errors';
import type { EnvDocument } from './env-file';
import { getTimeoutKey } from './timeout-catalog';

export interface ReachProject {
  dir: string;
  composeFile: string;
  envFile: string;
  projectName: string;
}

/** Where a sentinel showed up: an environment variable (`name`) or another field (`field`). */
export interface Arrival {
  service: string;
  /** The variable's name when it arrived in `environment`; null for other fields. */
  name: string | null;
  /** Dotted path of a non-environment field (e.g. `command.2`). */
  field?: string;
}

export interface CandidateFile {
  /** Relative to the project folder, with forward slashes (`.env`, `envs/core-services/shared.env`). */
  rel: string;
  abs: string;
  exists: boolean;
  /** Some service lists it under `env_file:`. */
  referenced: boolean;
}

export interface FileReach {
  file: string;
  exists: boolean;
  /** The file defines the key now. */
  sets: boolean;
  value: string | null;
  line: number | null;
  /** Where a value written here ends up (given the other files as they are). */
  arrivals: Arrival[];
  /** The readers among them. */
  readers: string[];
  /** Services whose resolved config a value written here changes. */
  services: string[];
  /** Services that list the file under `env_file:` (whether or not the key arrives from it). */
  loadedBy: string[];
  /**
   * A reader that loads the file but whose own `environment:` maps the key (from `.env`): a value
   * written here never reaches it (Dify 1.16's plugin_daemon and FORCE_VERIFYING_SIGNATURE).
   */
  environmentWins: string | null;
}

/** `environment`: the reader's own `environment:` entry maps the key and wins over the file. */
export type NoEffectReason = 'notReferenced' | 'noReader' | 'shadowed' | 'environment';

/**
 * Why a change goes to the suggested file: it decides the value now; the `*.env.example` beside it
 * documents the key (Dify's own placement); it is a reader's own file (`envs/core-services/<service>.env`
 * or `shared.env`); `.env`; or (a file outside `envs/`) it changes the fewest services.
 */
export type PlacementReason = 'decides' | 'documented' | 'ownFile' | 'envFile' | 'fewestServices';

export interface KeyReach {
  key: string;
  files: FileReach[];
  readers: string[];
  /** Service → the name it reads the value under. */
  readerNames: Record<string, string>;
  /** Readers come from the catalog (true) or are every service reached (unknown key). */
  readersDocumented: boolean;
  /** The file whose value the readers get now (null: none sets it, a default applies). */
  decidingFile: string | null;
  /** What the readers get now, as Compose resolves it (null: not passed, the program's default). */
  effective: { value: string | null; source: 'file' | 'composeDefault' | 'notSet' };
  /** Per reader: the value it gets (null: not passed). */
  perReader: Record<string, string | null>;
  /** Set when the key, or a file's setting of it, changes nothing any reader sees. */
  noEffect: { reason: NoEffectReason; files: string[]; by: string | null; instead?: string | null } | null;
  /** Where the panel writes a change (rule at `suggestPlacement`); null: no file reaches a reader. */
  suggestedFile: string | null;
  suggestedReason: PlacementReason | null;
  approximate: boolean;
}

export interface ProjectReach {
  keys: KeyReach[];
  candidates: CandidateFile[];
  /** Services of the resolved project (active profiles). */
  services: string[];
  approximate: boolean;
  /** Answered before Compose finished (`resolveNow`): readers read from the YAML for now. */
  resolving: boolean;
  /** Why Compose could not resolve the project, when `approximate`. */
  composeError: ErrorInfo | null;
  /** Identifies the files as resolved (for `predictChanged`). */
  fingerprint: string;
}

export interface PlannedWrite {
  /** Absolute path inside the project. */
  file: string;
  /** The complete new bytes of the file. */
  bytes: Uint8Array;
}

/** The resolved project: service name → its config as `docker compose config --format json` prints it. */
export type ServicesJson = Record<string, unknown>;

/** What the model needs of a resolution: the candidate files, their contents, the resolved project. */
export interface ResolvedFiles {
  candidates: CandidateFile[];
  /** Null when Compose could not resolve the project (the YAML fallback applies). */
  baseline: ServicesJson | null;
  docs: ReadonlyMap<string, EnvDocument | null>;
  /** Candidate → keys its `*.env.example` sibling documents (absent: no example). */
  documented?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Candidate → services listing it under `env_file:` (from the compose YAML). */
  loadedBy?: ReadonlyMap<string, readonly string[]>;
  /** Service → variables its own `environment:` names or interpolates (from the compose YAML). */
  environmentVars?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Non-timeout keys the app changes itself, with their documented readers (facts.md). */
const EXTRA_CONSUMERS: Record<string, ReadonlyArray<{ service: string; as?: string }>> = {
  FORCE_VERIFYING_SIGNATURE: [{ service: 'plugin_daemon' }],
  PLUGIN_MAX_PACKAGE_SIZE: [{ service: 'plugin_daemon' }],
};

export function documentedConsumers(key: string): ReadonlyArray<{ service: string; as?: string }> | null {
  return getTimeoutKey(key)?.consumers ?? EXTRA_CONSUMERS[key] ?? null;
}

export function sameArrival(a: Arrival, b: Arrival): boolean {
  return a.service === b.service && a.name === b.name && a.field === b.field;
}

/** Calls `visit` with the path and text of every string or number leaf of a config. */
export function walkLeaves(
  value: unknown,
  at: Array<string | number>,
  visit: (p: Array<string | number>, text: string) => void,
): void {
  if (typeof value === 'string' || typeof value === 'number') visit(at, String(value));
  else if (Array.isArray(value)) value.forEach((v, i) => walkLeaves(v, [...at, i], visit));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkLeaves(v, [...at, k], visit);
  }
}

/** Is `a` the way `service` reads `key` (rule at the top of this file)? */
export function isReaderArrival(key: string, a: Arrival): boolean {
  if (a.name === null || a.name !== key) return true;
  const consumers = documentedConsumers(key);
  if (!consumers) return true;
  return consumers.some((c) => c.service === a.service && (c.as ?? key) === a.name);
}

function envValue(baseline: ServicesJson | null, service: string, name: string): string | null {
  const svc = baseline?.[service] as { environment?: Record<string, unknown> } | undefined;
  const v = svc?.environment?.[name];
  return v === undefined || v === null ? null : String(v);
}

export function computeKeyReach(
  key: string,
  snap: ResolvedFiles,
  arrivalsByFile: ReadonlyMap<string, Arrival[]>,
  approximate: boolean,
): KeyReach {
  const consumers = documentedConsumers(key);
  const files: FileReach[] = snap.candidates.map((c) => {
    const doc = snap.docs.get(c.rel) ?? null;
    const entry = doc
      ?.entries()
      .filter((e) => e.key === key && !e.inherited)
      .at(-1);
    const arrivals = arrivalsByFile.get(c.rel) ?? [];
    const readers = unique(arrivals.filter((a) => isReaderArrival(key, a)).map((a) => a.service));
    const loadedBy = [...(snap.loadedBy?.get(c.rel) ?? [])].sort();
    return {
      file: c.rel,
      exists: c.exists,
      sets: entry !== undefined,
      value: entry?.value ?? null,
      line: entry?.line ?? null,
      arrivals,
      readers,
      services: unique(arrivals.map((a) => a.service)),
      loadedBy,
      environmentWins: null as string | null,
    };
  });
  const readerNames: Record<string, string> = {};
  for (const f of files) {
    for (const a of f.arrivals) {
      if (!isReaderArrival(key, a) || readerNames[a.service] !== undefined) continue;
      readerNames[a.service] = a.name ?? key;
    }
  }
  const readers = Object.keys(readerNames).sort();
  for (const f of files) {
    if (f.readers.length > 0) continue;
    f.environmentWins =
      f.loadedBy.find((s) => readers.includes(s) && snap.environmentVars?.get(s)?.has(key)) ?? null;
  }

  const deciding = files
    .filter((f) => f.sets && f.readers.length > 0)
    .sort((a, b) => b.readers.length - a.readers.length)[0];
  const placement = suggestPlacement(key, files, readers, deciding, snap.documented);
  const perReader: Record<string, string | null> = {};
  for (const r of readers) {
    const name = readerNames[r] as string;
    perReader[r] = snap.baseline ? envValue(snap.baseline, r, name) : (deciding?.value ?? null);
  }
  const firstReader = readers[0];
  const current = firstReader !== undefined ? (perReader[firstReader] ?? null) : (deciding?.value ?? null);
  const effective: KeyReach['effective'] = deciding
    ? { value: current ?? deciding.value, source: 'file' }
    : current !== null
      ? { value: current, source: 'composeDefault' }
      : { value: null, source: 'notSet' };

  let noEffect: KeyReach['noEffect'] = null;
  const setting = files.filter((f) => f.sets).map((f) => f.file);
  if (readers.length === 0) {
    const anyArrival = files.some((f) => f.arrivals.length > 0);
    noEffect = { reason: anyArrival ? 'noReader' : 'notReferenced', files: setting, by: null };
  } else {
    const shadowed = files.filter((f) => f.sets && f.readers.length === 0).map((f) => f.file);
    if (shadowed.length > 0) {
      const by = deciding?.file ?? placement?.file ?? null;
      noEffect = { reason: 'shadowed', files: shadowed, by };
    }
  }

  return {
    key,
    files,
    readers,
    readerNames,
    readersDocumented: consumers !== null,
    decidingFile: deciding?.file ?? null,
    effective,
    perReader,
    noEffect,
    suggestedFile: placement?.file ?? null,
    suggestedReason: placement?.reason ?? null,
    approximate,
  };
}

/**
 * Where a change goes, first match wins: the file deciding the value now; the file whose
 * `*.env.example` documents the key (Dify's own placement); a reader's own file
 * (`envs/core-services/<service>.env`, `envs/core-services/shared.env`); `.env`; a file outside `envs/`.
 * Reach alone is no guide in Layout B: the api/worker anchor of Dify 1.14.1…1.16 loads ~30 optional
 * files (every database, vector store and infrastructure file), so "fewest services" once picked
 * certbot.env for WORKFLOW_MAX_EXECUTION_TIME. Another service's file is never chosen.
 */
export function suggestPlacement(
  key: string,
  files: readonly FileReach[],
  readers: readonly string[],
  deciding: FileReach | undefined,
  documented: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): { file: string; reason: PlacementReason } | null {
  if (deciding) return { file: deciding.file, reason: 'decides' };
  const reaching = files.filter((f) => f.readers.length > 0);
  const own = new Set(['envs/core-services/shared.env']);
  for (const r of readers) {
    own.add(`envs/core-services/${r}.env`);
    own.add(`envs/core-services/${r.replace(/_/g, '-')}.env`);
  }
  const tiers: Array<[PlacementReason, (f: FileReach) => boolean]> = [
    ['documented', (f) => documented?.get(f.file)?.has(key) === true],
    ['ownFile', (f) => own.has(f.file)],
    ['envFile', (f) => f.file === '.env'],
    ['fewestServices', (f) => !f.file.startsWith('envs/')],
  ];
  for (const [reason, fits] of tiers) {
    const best = bestFile(reaching.filter(fits), readers);
    if (best) return { file: best.file, reason };
  }
  return null;
}

/** The file reaching the most readers, then changing the fewest services; existing files and `.env` first on ties. */
function bestFile(files: readonly FileReach[], readers: readonly string[]): FileReach | undefined {
  if (readers.length === 0) return undefined;
  return [...files]
    .filter((f) => f.readers.length > 0)
    .sort(
      (a, b) =>
        b.readers.length - a.readers.length ||
        a.services.length - b.services.length ||
        Number(b.exists) - Number(a.exists) ||
        Number(b.file === '.env') - Number(a.file === '.env') ||
        a.file.localeCompare(b.file),
    )[0];
}

function unique(list: string[]): string[] {
  return [...new Set(list)].sort();
}

export function transitiveDependencies(all: ServicesJson, services: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...services];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const deps = (all[name] as { depends_on?: unknown } | undefined)?.depends_on;
    const names = Array.isArray(deps)
      ? deps.map(String)
      : deps && typeof deps === 'object'
        ? Object.keys(deps)
        : [];
    for (const d of names) {
      if (seen.has(d)) continue;
      seen.add(d);
      queue.push(d);
    }
  }
  for (const s of services) seen.delete(s);
  return [...seen].sort();
}

/** Stable JSON (sorted keys) of each service; names of those that differ or exist on one side only. */
export function diffServices(before: ServicesJson, after: ServicesJson): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => stableJson(before[n]) !== stableJson(after[n])).sort();
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** A file's path relative to the project folder, with forward slashes (how candidates are named). */
export function toRel(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}
