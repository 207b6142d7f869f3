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
 * Where Compose cannot resolve the project (only Compose v1, or `config` fails), the YAML is read
 * instead (reach-yaml.ts) and results say "approximate". What the arrivals mean — readers, the
 * deciding file, shadowing, where to write — is the pure model's job (reach-model.ts).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppError, toErrorInfo, type ErrorInfo } from '../core/errors';
import type { ComposeBinary } from '../docker/compose-cli';
import { configOfCopy, type ConfigResult } from './compose-config-copy';
import { EnvDocument } from './env-file';
import {
  fingerprintFiles,
  listCandidates,
  readComposeYaml,
  readDoc,
  readDocumentedKeys,
} from './reach-files';
import {
  computeKeyReach,
  diffServices,
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
import { SENTINELS_PER_RUN, findSentinels, sentinelBase, sentinelsFor } from './reach-sentinels';
import { environmentVarsOf, loadersOf, yamlArrivals, yamlServiceNames } from './reach-yaml';

export interface ReachResolverOptions {
  bin: ComposeBinary | null;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Compose runs at once (each takes ~0.15 s of mostly CPU). */
  concurrency?: number;
}

interface Snapshot extends ResolvedFiles {
  fingerprint: string;
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
      // The examples say where a key belongs (suggestPlacement).
      ...candidates.map((c) => `${c.abs}.example`),
    ])}`;
    if (this.snapshot?.fingerprint === fingerprint) return this.snapshot;
    const docs = new Map<string, EnvDocument | null>();
    for (const c of candidates) docs.set(c.rel, c.exists ? await readDoc(c.abs) : null);
    const yaml = await readComposeYaml(project.composeFile);
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
      documented: await readDocumentedKeys(candidates),
      loadedBy: loadersOf(yaml, project),
      environmentVars: environmentVarsOf(yaml),
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
    const base = sentinelBase(snap.sources);
    const sentinels = sentinelsFor(keys, base);
    const result = await this.configOfCopy(project, snap.candidates, async (copy) => {
      const doc = snap.docs.get(file.rel) ?? EnvDocument.parse('');
      const edited = EnvDocument.parse(doc.toBytes());
      for (const [sentinel, key] of sentinels) edited.set(key, sentinel);
      const target = path.join(copy, file.rel);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, edited.toBytes());
    });
    if (!result.ok) return null;
    return findSentinels(result.services, base, sentinels);
  }

  private configOfCopy(
    project: ReachProject,
    candidates: readonly CandidateFile[],
    prepare: (copyDir: string) => Promise<void>,
  ): Promise<ConfigResult> {
    return configOfCopy(this.options.bin as ComposeBinary, project, candidates, prepare, {
      env: this.env,
      platform: this.platform,
    });
  }
}

/** Runs `tasks` at most `limit` at a time (`concurrency`: parallel Compose runs only compete for CPU). */
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
