/**
 * Which file decides a key's value, and which services it reaches — computed by Compose itself.
 *
 * Two `config --format json` runs on throw-away copies of the project, at the same time: the project
 * as it is (the baseline: effective values, and what a change would recreate), and one probe run
 * (reach-probe.ts) in which every file setting a key carries its own sentinel and every candidate file
 * carries load and order probes — enough to tell, for every key and every file, where a value written
 * there would arrive, with the precedence Compose applies (env_file order, `.env` last, `environment:`
 * over all, the shell over `.env` interpolation). A key whose sentinel Compose refuses (a typed field)
 * is found by halving the keys and running again, so it never costs the others their answer.
 *
 * The result is kept in memory and on disk (reach-cache.ts, app data) under a fingerprint of the
 * contents of every file involved, the Compose version and the variables that can interpolate: while
 * nothing changed, a new CLI process answers without running Compose at all.
 *
 * Where Compose cannot resolve the project (only Compose v1, or `config` fails), the YAML is read
 * instead (reach-yaml.ts) and results say "approximate". What the arrivals mean — readers, the
 * deciding file, shadowing, where to write — is the pure model's job (reach-model.ts).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppError, toErrorInfo, type ErrorInfo } from '../core/errors';
import type { ComposeBinary } from '../docker/compose-cli';
import { composeEnvironment } from '../docker/compose-environment';
import { configOfCopy, type ConfigResult } from './compose-config-copy';
import { EnvDocument } from './env-file';
import { readReachCache, reachCacheFile, writeReachCache } from './reach-cache';
import { listCandidates, readComposeYaml, readDocumentedKeys } from './reach-files';
import {
  computeKeyReach,
  diffServices,
  toRel,
  transitiveDependencies,
  type Arrival,
  type CandidateFile,
  type KeyReach,
  type PlannedWrite,
  type ProjectReach,
  type ReachProject,
  type ResolvedFiles,
  type ServicesJson,
} from './reach-model';
import { planProbe, readProbe, type ProbeInput, type ProbePlan } from './reach-probe';
import {
  environmentNamesOf,
  environmentVarsOf,
  loadersOf,
  yamlArrivals,
  yamlServiceNames,
  type ComposeYaml,
} from './reach-yaml';

export interface ReachResolverOptions {
  bin: ComposeBinary | null;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where resolved reach is kept between processes (app data); none: memory only. */
  cacheDir?: string;
}

interface Snapshot extends ResolvedFiles {
  fingerprint: string;
  composeError: ErrorInfo | null;
  /** file rel → key → arrivals (absent: not resolved yet; null: Compose failed for that key). */
  runs: Map<string, Map<string, Arrival[] | null>>;
  /** Keys the runs hold for every candidate. */
  resolvedKeys: Set<string>;
  /** Keys a probe run is resolving now → that run. */
  probing: Map<string, Promise<void>>;
  docs: Map<string, EnvDocument | null>;
  yaml: ComposeYaml;
  /** Every text a resolved value can come from: sentinels must not occur in it. */
  sources: string;
  /** Settles when `baseline` / `composeError` are known. */
  ready: Promise<void>;
  /** `ready` has settled. */
  settled: boolean;
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
  async resolve(project: ReachProject, keys: readonly string[]): Promise<ProjectReach> {
    const snap = await this.loadFiles(project);
    await Promise.all([snap.ready, this.probe(project, snap, keys)]);
    return this.compute(project, snap, keys, false);
  }

  /**
   * What is known at once: the full answer when the files are unchanged since Compose last resolved
   * them (memory or disk), else the files' values with readers from the YAML, marked `resolving` —
   * and Compose starts on it, so the `resolve` that follows finds it done or under way.
   */
  async resolveNow(project: ReachProject, keys: readonly string[]): Promise<ProjectReach> {
    const snap = await this.loadFiles(project);
    const known = snap.settled && keys.every((k) => snap.resolvedKeys.has(k) || !this.usesCompose);
    if (known) return this.compute(project, snap, keys, false);
    // Nobody awaits this one now; a failure shows in the `resolve` that follows.
    Promise.all([snap.ready, this.probe(project, snap, keys)]).catch(() => undefined);
    return this.compute(project, snap, keys, true);
  }

  /** Runs (or joins) the probe for the keys not resolved yet, then keeps the result on disk. */
  private probe(project: ReachProject, snap: Snapshot, keys: readonly string[]): Promise<void> {
    if (!this.usesCompose) return Promise.resolve();
    const missing = [...new Set(keys)].filter((k) => !snap.resolvedKeys.has(k) && !snap.probing.has(k));
    if (missing.length > 0) {
      const run = (async () => {
        await this.probeRun(project, snap, missing);
        for (const key of missing) snap.resolvedKeys.add(key);
        await this.saveCache(project, snap);
      })();
      for (const key of missing) snap.probing.set(key, run);
      void run
        .finally(() => {
          for (const key of missing) snap.probing.delete(key);
        })
        .catch(() => undefined);
    }
    const waits = new Set(keys.map((k) => snap.probing.get(k)).filter((p) => p !== undefined));
    return Promise.all(waits).then(() => undefined);
  }

  private compute(
    project: ReachProject,
    snap: Snapshot,
    keys: readonly string[],
    resolving: boolean,
  ): ProjectReach {
    const yaml = snap.yaml;
    const out: KeyReach[] = [];
    for (const key of keys) {
      const perFile = new Map<string, Arrival[] | null>();
      for (const c of snap.candidates) perFile.set(c.rel, snap.runs.get(c.rel)?.get(key) ?? null);
      const failed = !snap.baseline || [...perFile.values()].some((a) => a === null);
      const arrivals = failed ? yamlArrivals(yaml, project, snap, key) : (perFile as Map<string, Arrival[]>);
      out.push(computeKeyReach(key, snap, arrivals, failed));
    }
    return {
      keys: out,
      candidates: snap.candidates,
      services: snap.baseline ? Object.keys(snap.baseline) : yamlServiceNames(yaml),
      approximate: !resolving && !snap.baseline,
      resolving,
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
   * the probe run can start at the same time. Reads the disk cache when the contents match.
   */
  private async loadFiles(project: ReachProject): Promise<Snapshot> {
    const candidates = await listCandidates(project);
    const read = (file: string) => fsp.readFile(file).catch(() => null);
    const composeBytes = await read(project.composeFile);
    const docBytes = await Promise.all(candidates.map((c) => (c.exists ? read(c.abs) : null)));
    const exampleBytes = await Promise.all(candidates.map((c) => read(`${c.abs}.example`)));
    const composeText = composeBytes?.toString('utf8') ?? '';
    const fingerprint = this.fingerprintOf(project, composeText, candidates, docBytes, exampleBytes);
    if (this.snapshot?.fingerprint === fingerprint) return this.snapshot;

    const docs = new Map<string, EnvDocument | null>();
    candidates.forEach((c, i) => {
      const bytes = docBytes[i];
      docs.set(c.rel, bytes ? parseDoc(bytes, c.abs) : null);
    });
    const yaml = await readComposeYaml(project.composeFile);
    const snap: Snapshot = {
      fingerprint,
      candidates,
      baseline: null,
      composeError: null,
      runs: new Map(),
      resolvedKeys: new Set(),
      probing: new Map(),
      docs,
      yaml,
      documented: await readDocumentedKeys(candidates),
      loadedBy: loadersOf(yaml, project),
      environmentVars: environmentVarsOf(yaml),
      // Where a resolved value can come from: the files, the compose file's defaults, the shell.
      sources: [
        composeBytes?.toString('latin1') ?? '',
        ...docBytes.map((b) => b?.toString('latin1') ?? ''),
        ...Object.values(this.env),
      ].join('\n'),
      ready: Promise.resolve(),
      settled: true,
    };
    const cached = this.options.cacheDir ? await readReachCache(this.cacheFile(project), fingerprint) : null;
    if (cached) {
      snap.baseline = cached.baseline;
      snap.composeError = cached.composeError;
      snap.runs = cached.runs;
      const perFile = [...cached.runs.values()];
      for (const key of perFile[0]?.keys() ?? []) {
        if (perFile.every((m) => m.has(key))) snap.resolvedKeys.add(key);
      }
    } else {
      snap.settled = false;
      snap.ready = this.resolveBaseline(project, snap).finally(() => {
        snap.settled = true;
      });
    }
    this.snapshot = snap;
    this.recent.set(fingerprint, snap);
    for (const old of [...this.recent.keys()].slice(0, -4)) this.recent.delete(old);
    return snap;
  }

  private async resolveBaseline(project: ReachProject, snap: Snapshot): Promise<void> {
    if (this.usesCompose) {
      const result = await this.configOfCopy(project, snap.candidates, async () => undefined);
      if (result.ok) snap.baseline = result.services;
      else snap.composeError = toErrorInfo(result.error);
    } else {
      snap.composeError = toErrorInfo(
        this.options.bin
          ? new AppError('COMPOSE_V2_REQUIRED', { params: { version: this.options.bin.version } })
          : new AppError('COMPOSE_MISSING'),
      );
    }
  }

  /**
   * Everything the resolution depends on, by content: the compose file, every candidate and its
   * `*.env.example` (where a key belongs), Compose's version, and the variables of our environment that
   * can change the result (any the files name, and Compose's own `COMPOSE_*` settings).
   */
  private fingerprintOf(
    project: ReachProject,
    composeText: string,
    candidates: readonly CandidateFile[],
    docBytes: ReadonlyArray<Buffer | null>,
    exampleBytes: ReadonlyArray<Buffer | null>,
  ): string {
    const hash = createHash('sha256');
    const part = (label: string, data: string | Buffer | null) => {
      const body = data === null ? '-' : data;
      hash.update(`${label}\0${body.length}\0`);
      hash.update(body);
    };
    part('bin', `${this.options.bin?.flavor ?? 'none'} ${this.options.bin?.version ?? ''}`);
    part('project', `${project.dir}\0${project.composeFile}\0${project.envFile}\0${project.projectName}`);
    part('compose', composeText);
    candidates.forEach((c, i) => {
      part(`file ${c.rel} ${c.referenced}`, docBytes[i] ?? null);
      part(`example ${c.rel}`, exampleBytes[i] ?? null);
    });
    // The variables the env files define can be overridden from our environment as well.
    const defined = docBytes.flatMap((bytes) =>
      [...(bytes?.toString('latin1') ?? '').matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)/gm)].map(
        (m) => m[1] as string,
      ),
    );
    const env = composeEnvironment(this.env, [composeText], defined);
    part('env', JSON.stringify(env));
    return hash.digest('hex');
  }

  private cacheFile(project: ReachProject): string {
    return reachCacheFile(this.options.cacheDir as string, `${project.dir}\0${project.composeFile}`);
  }

  private async saveCache(project: ReachProject, snap: Snapshot): Promise<void> {
    if (!this.options.cacheDir) return;
    await snap.ready;
    // A cache that cannot be written only costs the next process a Compose run.
    await writeReachCache(this.cacheFile(project), snap.fingerprint, {
      baseline: snap.baseline,
      composeError: snap.composeError,
      runs: snap.runs,
    }).catch(() => undefined);
  }

  /**
   * One probe run for `keys` (reach-probe.ts). When Compose refuses it while the project itself
   * resolves, a sentinel landed in a typed field: halve the keys until the one responsible is found,
   * and only that key falls back to the YAML reading.
   */
  private async probeRun(project: ReachProject, snap: Snapshot, keys: readonly string[]): Promise<void> {
    const input = this.probeInput(project, snap, keys);
    const plan = planProbe(input);
    const result = await this.configOfCopy(
      project,
      snap.candidates,
      (copy) => writeProbeFiles(copy, snap, plan),
      plan.env,
    );
    if (result.ok) {
      for (const [rel, perKey] of readProbe(input, plan, result.services)) {
        const known = snap.runs.get(rel) ?? new Map<string, Arrival[] | null>();
        snap.runs.set(rel, known);
        for (const [key, arrivals] of perKey) known.set(key, arrivals);
      }
      return;
    }
    await snap.ready;
    if (snap.baseline && keys.length > 1) {
      const half = Math.ceil(keys.length / 2);
      await Promise.all([
        this.probeRun(project, snap, keys.slice(0, half)),
        this.probeRun(project, snap, keys.slice(half)),
      ]);
      return;
    }
    for (const c of snap.candidates) {
      const known = snap.runs.get(c.rel) ?? new Map<string, Arrival[] | null>();
      snap.runs.set(c.rel, known);
      for (const key of keys) known.set(key, null);
    }
  }

  private probeInput(project: ReachProject, snap: Snapshot, keys: readonly string[]): ProbeInput {
    return {
      candidates: snap.candidates,
      envRel: toRel(project.dir, project.envFile),
      keys,
      sets: (rel, key) => snap.docs.get(rel)?.has(key) ?? false,
      shellEnv: this.env,
      sources: snap.sources,
      environmentNames: environmentNamesOf(snap.yaml),
    };
  }

  private configOfCopy(
    project: ReachProject,
    candidates: readonly CandidateFile[],
    prepare: (copyDir: string) => Promise<void>,
    extraEnv: Record<string, string> = {},
  ): Promise<ConfigResult> {
    return configOfCopy(this.options.bin as ComposeBinary, project, candidates, prepare, {
      env: { ...this.env, ...extraEnv },
      platform: this.platform,
    });
  }
}

function parseDoc(bytes: Buffer, name: string): EnvDocument | null {
  try {
    return EnvDocument.parse(bytes, { name });
  } catch {
    return null;
  }
}

/**
 * The probe plan written into the copy: a key that a file sets gets its sentinel in place (the
 * byte-preserving editor), probes are appended; a candidate that does not exist yet is created with
 * its probes only, as if the user had created it empty.
 */
async function writeProbeFiles(copy: string, snap: Snapshot, plan: ProbePlan): Promise<void> {
  await Promise.all(
    snap.candidates.map(async (c) => {
      const lines = plan.writes.get(c.rel) ?? new Map<string, string>();
      const current = snap.docs.get(c.rel) ?? null;
      // A file we cannot parse stays as copied (Compose reads it its own way); it only lacks probes.
      if (c.exists && !current) return;
      const doc = EnvDocument.parse(current?.toBytes() ?? Buffer.alloc(0));
      const appended: string[] = [];
      for (const [key, value] of lines) {
        if (doc.has(key)) doc.set(key, value);
        else appended.push(`${key}=${value}`);
      }
      let bytes = Buffer.from(doc.toBytes());
      if (appended.length > 0) {
        const needsEol = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
        bytes = Buffer.concat([bytes, Buffer.from(`${needsEol ? '\n' : ''}${appended.join('\n')}\n`)]);
      }
      const target = path.join(copy, c.rel);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, bytes);
    }),
  );
}
