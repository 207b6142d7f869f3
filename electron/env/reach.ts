/**
 * Which file decides a key's value, and which services it reaches — computed by Compose itself.
 *
 * For every candidate file (the project `.env`, every existing `envs/**\/*.env`, and every `env_file:`
 * entry of the compose file, whether it exists yet or not) we copy the project to a temp folder,
 * set the keys to unique sentinels in that one file (with the byte-preserving editor), run
 * `config --format json` on the copy and look for the sentinels in each service's resolved config.
 * The other files keep their real values, so a sentinel that arrives somewhere also WINS there: that
 * is exactly the precedence Compose applies (env_file order, `.env` last, `environment:` over all,
 * the shell's variables over `.env` interpolation). Many keys share one config run (one sentinel
 * each), so the whole catalog costs one run per candidate file plus one baseline run.
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
 *
 * Where Compose cannot resolve the project (only Compose v1, or `config` fails), the YAML is read
 * instead (anchors, merge keys, `${KEY}` references, `env_file:` lists) and results say "approximate".
 */
import { createHash, randomInt } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { AppError, toErrorInfo, type ErrorInfo } from '../core/errors';
import { composeFailure, runCompose, type ComposeBinary } from '../docker/compose-cli';
import { EnvDocument } from './env-file';
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
}

export type NoEffectReason = 'notReferenced' | 'noReader' | 'shadowed';

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
  noEffect: { reason: NoEffectReason; files: string[]; by: string | null } | null;
  /** Where the panel writes a change: the deciding file, else the one changing the fewest services. */
  suggestedFile: string | null;
  approximate: boolean;
}

export interface ProjectReach {
  keys: KeyReach[];
  candidates: CandidateFile[];
  /** Services of the resolved project (active profiles). */
  services: string[];
  approximate: boolean;
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

export interface ReachResolverOptions {
  bin: ComposeBinary | null;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Compose runs at once (each takes ~0.15 s of mostly CPU). */
  concurrency?: number;
}

/**
 * Sentinels are 7-digit numbers (`1` + 4 random digits + a 2-digit index): they pass Compose's typed
 * fields (`cpus`, `mem_limit`, timeouts…) and survive its float32 fields exactly (< 2^24), where a
 * text sentinel would make `config` fail and a longer number would come back rounded.
 */
const SENTINELS_PER_RUN = 100;

/** Non-timeout keys the app changes itself, with their documented readers (facts.md). */
const EXTRA_CONSUMERS: Record<string, ReadonlyArray<{ service: string; as?: string }>> = {
  FORCE_VERIFYING_SIGNATURE: [{ service: 'plugin_daemon' }],
  PLUGIN_MAX_PACKAGE_SIZE: [{ service: 'plugin_daemon' }],
};

export function documentedConsumers(key: string): ReadonlyArray<{ service: string; as?: string }> | null {
  return getTimeoutKey(key)?.consumers ?? EXTRA_CONSUMERS[key] ?? null;
}

type ServicesJson = Record<string, unknown>;

interface Snapshot {
  fingerprint: string;
  candidates: CandidateFile[];
  baseline: ServicesJson | null;
  composeError: ErrorInfo | null;
  /** file rel → key → arrivals (absent: not resolved yet; null: Compose failed for that key). */
  runs: Map<string, Map<string, Arrival[] | null>>;
  docs: Map<string, EnvDocument | null>;
  /** Every text a resolved value can come from: sentinels must not occur in it. */
  sources: string;
  /** Settles when `baseline` / `composeError` are known. */
  ready: Promise<void>;
}

export class ReachResolver {
  private snapshot: Snapshot | null = null;
  /** Recent snapshots by fingerprint: a prediction made for a plan uses the files as planned. */
  private readonly recent = new Map<string, Snapshot>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: ReachResolverOptions) {
    this.env = options.env ?? process.env;
    this.platform = options.platform ?? process.platform;
  }

  get usesCompose(): boolean {
    return this.options.bin?.flavor === 'v2';
  }

  /** The reach of each key; cached until any candidate file or the compose file changes. */
  async resolve(
    project: ReachProject,
    keys: readonly string[],
    options: { lazy?: boolean } = {},
  ): Promise<ProjectReach> {
    const snap = await this.loadFiles(project);
    if (this.usesCompose && options.lazy) {
      // Writing needs only the file that decides each key now: resolve the files that set the keys
      // first, and the other candidates only when one of them does not decide (shadowed or unset).
      const setting = snap.candidates.filter((c) => keys.some((k) => snap.docs.get(c.rel)?.has(k)));
      await Promise.all([snap.ready, this.fillRuns(project, snap, keys, setting)]);
      const partial = await this.compute(project, snap, keys, setting);
      if (snap.baseline && partial.keys.every((k) => k.decidingFile !== null)) return partial;
    }
    if (this.usesCompose)
      await Promise.all([snap.ready, this.fillRuns(project, snap, keys, snap.candidates)]);
    await snap.ready;
    return this.compute(project, snap, keys, snap.candidates);
  }

  private async compute(
    project: ReachProject,
    snap: Snapshot,
    keys: readonly string[],
    resolved: readonly CandidateFile[],
  ): Promise<ProjectReach> {
    const yaml = snap.baseline ? null : await readComposeYaml(project.composeFile);
    const out: KeyReach[] = [];
    for (const key of keys) {
      const perFile = new Map<string, Arrival[] | null>();
      // Files left out (lazy) count as reaching nothing.
      for (const c of snap.candidates) {
        perFile.set(c.rel, resolved.includes(c) ? (snap.runs.get(c.rel)?.get(key) ?? null) : []);
      }
      const failed = !snap.baseline || [...perFile.values()].some((a) => a === null);
      const arrivals = failed
        ? yamlArrivals(yaml ?? (await readComposeYaml(project.composeFile)), project, snap, key)
        : (perFile as Map<string, Arrival[]>);
      out.push(computeKeyReach(key, snap, arrivals, failed));
    }
    return {
      keys: out,
      candidates: snap.candidates,
      services: snap.baseline ? Object.keys(snap.baseline) : yamlServiceNames(yaml),
      approximate: !snap.baseline,
      composeError: snap.composeError,
      fingerprint: snap.fingerprint,
    };
  }

  /**
   * Services whose resolved config differs once `writes` are in place: what a plain `up -d` would
   * recreate. Approximate (from `fallback`) when Compose cannot resolve the project.
   */
  async predictChanged(
    project: ReachProject,
    writes: readonly PlannedWrite[],
    fallback: () => string[],
    /** The `fingerprint` of the resolution the writes were planned on (the files may change meanwhile). */
    fingerprint?: string,
  ): Promise<{ services: string[]; approximate: boolean }> {
    const snap = (fingerprint ? this.recent.get(fingerprint) : undefined) ?? (await this.loadFiles(project));
    await snap.ready;
    if (!snap.baseline || !this.options.bin) return { services: fallback(), approximate: true };
    const after = await this.configOfCopy(project, snap.candidates, (copy) =>
      Promise.all(
        writes.map(async (w) => {
          const target = path.join(copy, path.relative(project.dir, w.file));
          await fsp.mkdir(path.dirname(target), { recursive: true });
          await fsp.writeFile(target, w.bytes);
        }),
      ).then(() => undefined),
    );
    if (!after.ok) throw after.error;
    return { services: diffServices(snap.baseline, after.services), approximate: false };
  }

  /** Every service `services` depend on (`depends_on`, transitively), from the resolved project. */
  async dependenciesOf(project: ReachProject, services: readonly string[]): Promise<string[]> {
    const snap = await this.load(project);
    const all = snap.baseline ?? (await readComposeYaml(project.composeFile))?.services ?? {};
    return transitiveDependencies(all, services);
  }

  /** The resolved project as it is (for effective values). */
  async baseline(project: ReachProject): Promise<ServicesJson | null> {
    return (await this.load(project)).baseline;
  }

  invalidate(): void {
    this.snapshot = null;
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The snapshot with its baseline resolved. */
  private async load(project: ReachProject): Promise<Snapshot> {
    const snap = await this.loadFiles(project);
    await snap.ready;
    return snap;
  }

  /**
   * The project's files now; the baseline `config` run goes on in the background (`ready`), so
   * sentinel runs can start at the same time.
   */
  private async loadFiles(project: ReachProject): Promise<Snapshot> {
    const candidates = await listCandidates(project);
    const fingerprint = `${this.options.bin?.flavor ?? 'none'}|${await fingerprintFiles([
      project.composeFile,
      ...candidates.map((c) => c.abs),
    ])}`;
    if (this.snapshot?.fingerprint === fingerprint) return this.snapshot;
    const docs = new Map<string, EnvDocument | null>();
    for (const c of candidates) docs.set(c.rel, c.exists ? await readDoc(c.abs) : null);
    // Where a resolved value can come from: the files, the compose file's defaults, the shell.
    const sources = [
      await fsp.readFile(project.composeFile, 'latin1').catch(() => ''),
      ...[...docs.values()].map((d) => d?.toBytes().toString('latin1') ?? ''),
      ...Object.values(this.env),
    ].join('\n');
    const snap: Snapshot = {
      fingerprint,
      candidates,
      baseline: null,
      composeError: null,
      runs: new Map(),
      docs,
      sources,
      ready: Promise.resolve(),
    };
    snap.ready = (async () => {
      if (this.usesCompose) {
        const result = await this.configOfCopy(project, candidates, async () => undefined);
        if (result.ok) snap.baseline = result.services;
        else snap.composeError = toErrorInfo(result.error);
      } else {
        snap.composeError = toErrorInfo(
          this.options.bin
            ? new AppError('COMPOSE_V2_REQUIRED', { params: { version: this.options.bin.version } })
            : new AppError('COMPOSE_MISSING'),
        );
      }
    })();
    this.snapshot = snap;
    this.recent.set(fingerprint, snap);
    for (const old of [...this.recent.keys()].slice(0, -4)) this.recent.delete(old);
    return snap;
  }

  private async fillRuns(
    project: ReachProject,
    snap: Snapshot,
    keys: readonly string[],
    files: readonly CandidateFile[],
  ): Promise<void> {
    const tasks: Array<() => Promise<void>> = [];
    for (const c of files) {
      const known = snap.runs.get(c.rel) ?? new Map<string, Arrival[] | null>();
      snap.runs.set(c.rel, known);
      const missing = keys.filter((k) => !known.has(k));
      if (missing.length === 0) continue;
      for (let i = 0; i < missing.length; i += SENTINELS_PER_RUN) {
        const chunk = missing.slice(i, i + SENTINELS_PER_RUN);
        tasks.push(async () => {
          const batch = await this.sentinelRun(project, snap, c, chunk);
          if (batch) {
            for (const key of chunk) known.set(key, batch.get(key) ?? []);
            return;
          }
          // One bad key (say, used where Compose wants a port) must not cost the others their answer.
          for (const key of chunk) {
            const single = chunk.length > 1 ? await this.sentinelRun(project, snap, c, [key]) : null;
            known.set(key, single ? (single.get(key) ?? []) : null);
          }
        });
      }
    }
    await runLimited(tasks, this.options.concurrency ?? 3);
  }

  /** One config run with `keys` set to sentinels in `file`; null when Compose fails. */
  private async sentinelRun(
    project: ReachProject,
    snap: Snapshot,
    file: CandidateFile,
    keys: readonly string[],
  ): Promise<Map<string, Arrival[]> | null> {
    let base: string;
    do base = `1${randomInt(1000, 10_000)}`;
    while (snap.sources.includes(base));
    const sentinels = new Map(keys.map((key, i) => [`${base}${String(i).padStart(2, '0')}`, key]));
    const result = await this.configOfCopy(project, snap.candidates, async (copy) => {
      const doc = snap.docs.get(file.rel) ?? EnvDocument.parse('');
      const edited = EnvDocument.parse(doc.toBytes());
      for (const [sentinel, key] of sentinels) edited.set(key, sentinel);
      const target = path.join(copy, file.rel);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, edited.toBytes());
    });
    if (!result.ok) return null;
    const found = new Map<string, Arrival[]>(keys.map((k) => [k, []]));
    const pattern = new RegExp(`${base}\\d{2}`, 'g');
    for (const [service, config] of Object.entries(result.services)) {
      walkLeaves(config, [], (leafPath, text) => {
        for (const m of text.matchAll(pattern)) {
          const key = sentinels.get(m[0]);
          if (!key) continue;
          const list = found.get(key) as Arrival[];
          const isEnv = leafPath[0] === 'environment' && leafPath.length === 2;
          const arrival: Arrival = isEnv
            ? { service, name: String(leafPath[1]) }
            : { service, name: null, field: leafPath.join('.') };
          if (!list.some((a) => sameArrival(a, arrival))) list.push(arrival);
        }
      });
    }
    return found;
  }

  /** Copies the project's compose file and env files to a temp folder, lets `prepare` edit it, resolves it. */
  private async configOfCopy(
    project: ReachProject,
    candidates: readonly CandidateFile[],
    prepare: (copyDir: string) => Promise<void>,
  ): Promise<{ ok: true; services: ServicesJson } | { ok: false; error: AppError }> {
    const bin = this.options.bin as ComposeBinary;
    const parent = await fsp.mkdtemp(path.join(tmpdir(), 'dst-reach-'));
    // The folder keeps the project's own name: some compose files use it (e.g. in default names).
    const copy = path.join(parent, path.basename(project.dir));
    try {
      await fsp.mkdir(copy);
      const composeRel = path.relative(project.dir, project.composeFile);
      await copyInto(project.composeFile, path.join(copy, composeRel));
      for (const c of candidates) if (c.exists) await copyInto(c.abs, path.join(copy, c.rel));
      await prepare(copy);
      const result = await runCompose(
        bin,
        { dir: copy, composeFile: path.join(copy, composeRel), projectName: project.projectName },
        ['config', '--format', 'json'],
        { env: this.env, platform: this.platform },
      );
      if (result.code !== 0) return { ok: false, error: composeFailure(bin, 'config', result) };
      // Paths resolved inside the copy are the project's own paths.
      const text = replaceAll(
        replaceAll(
          result.stdout,
          JSON.stringify(copy).slice(1, -1),
          JSON.stringify(project.dir).slice(1, -1),
        ),
        copy,
        project.dir,
      );
      const doc = JSON.parse(text) as { services?: ServicesJson };
      return { ok: true, services: doc.services ?? {} };
    } catch (e) {
      return {
        ok: false,
        error: new AppError('COMPOSE_FAILED', {
          params: { command: 'config', exitCode: -1 },
          detail: e instanceof Error ? e.message : String(e),
        }),
      };
    } finally {
      await fsp.rm(parent, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pure parts

function sameArrival(a: Arrival, b: Arrival): boolean {
  return a.service === b.service && a.name === b.name && a.field === b.field;
}

function walkLeaves(
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
  snap: Pick<Snapshot, 'candidates' | 'baseline' | 'docs'>,
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
    return {
      file: c.rel,
      exists: c.exists,
      sets: entry !== undefined,
      value: entry?.value ?? null,
      line: entry?.line ?? null,
      arrivals,
      readers,
      services: unique(arrivals.map((a) => a.service)),
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

  const deciding = files
    .filter((f) => f.sets && f.readers.length > 0)
    .sort((a, b) => b.readers.length - a.readers.length)[0];
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
      const by = deciding?.file ?? bestFile(files, readers)?.file ?? null;
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
    suggestedFile: deciding?.file ?? bestFile(files, readers)?.file ?? null,
    approximate,
  };
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

function replaceAll(text: string, from: string, to: string): string {
  return from ? text.split(from).join(to) : text;
}

async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Files

async function copyInto(from: string, to: string): Promise<void> {
  await fsp.mkdir(path.dirname(to), { recursive: true });
  await fsp.copyFile(from, to);
}

async function readDoc(file: string): Promise<EnvDocument | null> {
  try {
    return EnvDocument.parse(await fsp.readFile(file), { name: file });
  } catch {
    return null;
  }
}

async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => {
      const s = await fsp.stat(f).catch(() => null);
      return s ? `${f}:${s.mtimeMs}:${s.size}:${s.ino}` : `${f}:-`;
    }),
  );
  return createHash('sha1').update(parts.join('|')).digest('hex');
}

function toRel(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}

function inside(dir: string, abs: string): boolean {
  const rel = path.relative(dir, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** `env_file:` entries of every service, as written (string, list of strings, or `{path, required}`). */
function envFilesOf(service: unknown): string[] {
  const raw = (service as { env_file?: unknown } | null)?.env_file;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list
    .map((e) => (typeof e === 'string' ? e : (e as { path?: unknown } | null)?.path))
    .filter((p): p is string => typeof p === 'string' && p !== '' && !p.includes('$'));
}

type ComposeYaml = { services?: Record<string, unknown> } | null;

async function readComposeYaml(file: string): Promise<ComposeYaml> {
  try {
    const doc = parseDocument(await fsp.readFile(file, 'utf8'), { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) return null;
    return doc.toJS({ maxAliasCount: -1 }) as ComposeYaml;
  } catch {
    return null;
  }
}

function yamlServiceNames(yaml: ComposeYaml): string[] {
  return Object.keys(yaml?.services ?? {});
}

async function walkEnvFiles(dir: string, out: string[]): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) await walkEnvFiles(abs, out);
    else if (e.isFile() && e.name.endsWith('.env')) out.push(abs);
  }
}

/** `.env`, existing `envs/**\/*.env`, and every `env_file:` entry inside the project folder. */
export async function listCandidates(project: ReachProject): Promise<CandidateFile[]> {
  const found = new Map<string, CandidateFile>();
  const add = async (abs: string, referenced: boolean) => {
    const rel = toRel(project.dir, abs);
    const existing = found.get(rel);
    if (existing) {
      existing.referenced ||= referenced;
      return;
    }
    const exists = (await fsp.stat(abs).catch(() => null))?.isFile() ?? false;
    found.set(rel, { rel, abs, exists, referenced });
  };
  await add(project.envFile, false);
  const envFiles: string[] = [];
  await walkEnvFiles(path.join(project.dir, 'envs'), envFiles);
  for (const f of envFiles) await add(f, false);
  const yaml = await readComposeYaml(project.composeFile);
  for (const svc of Object.values(yaml?.services ?? {})) {
    for (const p of envFilesOf(svc)) {
      const abs = path.resolve(project.dir, p);
      if (inside(project.dir, abs)) await add(abs, true);
    }
  }
  const envRel = toRel(project.dir, project.envFile);
  return [...found.values()].sort(
    (a, b) => Number(b.rel === envRel) - Number(a.rel === envRel) || a.rel.localeCompare(b.rel),
  );
}

// ---------------------------------------------------------------------------------------------
// The approximate fallback: reading the YAML.

function refersTo(text: string, key: string): boolean {
  const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<!\\$)\\$(?:\\{${k}(?:[:?+-][^}]*)?\\}|${k}(?![A-Za-z0-9_]))`).test(text);
}

/**
 * Where a value written in each candidate file would arrive, read from the YAML: `.env` feeds
 * `${KEY}` interpolation everywhere; any file listed under a service's `env_file:` reaches it under
 * its own name unless a later listed file sets the key too or the service's `environment:` names it.
 */
export function yamlArrivals(
  yaml: ComposeYaml,
  project: ReachProject,
  snap: Pick<Snapshot, 'candidates' | 'docs'>,
  key: string,
): Map<string, Arrival[]> {
  const out = new Map<string, Arrival[]>(snap.candidates.map((c) => [c.rel, []]));
  const envRel = toRel(project.dir, project.envFile);
  for (const [service, raw] of Object.entries(yaml?.services ?? {})) {
    const svc = raw as { environment?: unknown } | null;
    const env = svc?.environment;
    const envNames = new Set<string>();
    if (Array.isArray(env)) {
      for (const item of env) envNames.add(String(item).split('=')[0] ?? '');
    } else if (env && typeof env === 'object') {
      for (const name of Object.keys(env)) envNames.add(name);
    }
    // Interpolation from .env.
    walkLeaves(svc, [], (at, text) => {
      if (at[0] === 'env_file' || !refersTo(text, key)) return;
      const isEnv = at[0] === 'environment' && at.length === 2;
      const name = isEnv ? (typeof at[1] === 'number' ? (text.split('=')[0] ?? null) : String(at[1])) : null;
      (out.get(envRel) as Arrival[]).push(
        name !== null ? { service, name } : { service, name: null, field: at.join('.') },
      );
    });
    if (envNames.has(key)) continue;
    const listed = envFilesOf(svc).map((p) => toRel(project.dir, path.resolve(project.dir, p)));
    listed.forEach((rel, i) => {
      const later = listed.slice(i + 1).some((r) => snap.docs.get(r)?.has(key));
      if (!later) out.get(rel)?.push({ service, name: key });
    });
  }
  return out;
}
