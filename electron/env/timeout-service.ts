/**
 * The timeout panel's engine (also behind the CLI's `timeouts` / `env` commands and the plugin
 * signature fix): the catalog with what Compose says about each key, a preview of a change, and
 * Apply / Restore as jobs serialized with every other compose operation on the project.
 *
 * Apply: validate everything (nothing is written when one value is invalid) → write each file
 * atomically with a backup → when the project runs, `up -d <readers>` (see recreateArgs; or a plain `up -d`)
 * → wait until the recreated services run and are healthy. If compose fails, the services do not
 * come back in time, or the job is cancelled, every written file gets its previous bytes back, the
 * same services are brought up again, and the job fails with ENV_APPLY_FAILED_ROLLED_BACK. Never `down`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppError, isAppError, toErrorInfo } from '../core/errors';
import type { JobContext, JobHandle } from '../core/jobs';
import type { StackApi } from '../stack/api';
import { runCompose } from '../docker/compose-cli';
import type { OpenProject, ProjectJobTools } from '../stack/api';
import type { EnvApi, EnvApplyResult, EnvChangeRequest } from './api';
import { writeFileAtomic } from './atomic-write';
import { listBackups, writeWithBackup, type WriteWithBackupOptions } from './backups';
import { EnvDocument, isValidEnvKey } from './env-file';
import type { KeyReach, ProjectReach, ReachProject } from './reach-model';
import { ReachResolver } from './reach-resolver';
import { TIMEOUT_CATALOG, getTimeoutKey } from './timeout-catalog';
import { TIMEOUT_PRESETS } from './timeout-presets';
import { validateTimeoutValue, type TranslatedError } from './timeout-validation';
import { CHAIN_SCENARIOS, computeTimeoutChain, type ChainInput, type ChainResult } from './timeout-chain';
import type { BackupEntry, ChangePreview, CheckResult, TimeoutKeyView, TimeoutsView } from './contract';

export interface TimeoutServiceOptions {
  stack: StackApi;
  /** Backups go under `<backupRoot>/env-backups/…` (the app's data folder), not into the Dify folder. */
  backupRoot?: string;
  /** How long recreated services may take to run and pass health checks before Apply rolls back. */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export type ApplyMode = 'readers' | 'full';

interface PlannedFile {
  abs: string;
  rel: string;
  /** Bytes now (null: the file does not exist yet). */
  before: Buffer | null;
  after: Buffer;
}

interface Predicted {
  services: string[];
  approximate: boolean;
}

interface Plan {
  preview: ChangePreview;
  files: PlannedFile[];
  /**
   * Apply does not wait for the plain-`up -d` prediction (one more `config` run) before it starts:
   * it is needed only for a full apply, for readers with dependencies, and for the final report.
   */
  predicted?: Promise<Predicted>;
}

export const DEFAULT_READY_TIMEOUT_MS = 120_000;

export class TimeoutService implements EnvApi {
  private readonly resolvers = new Map<string, ReachResolver>();
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: TimeoutServiceOptions) {
    this.env = options.env ?? process.env;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Every catalog key with its effective value, source file, readers and no-effect flags. */
  async getView(): Promise<TimeoutsView> {
    const open = await this.options.stack.openProject();
    const reach = await this.resolve(
      open,
      TIMEOUT_CATALOG.map((k) => k.key),
    );
    const keys = reach.keys.map((r) => keyView(r));
    const values = Object.fromEntries(keys.map((k) => [k.key, k.value ?? undefined]));
    const invalidLines: TimeoutsView['invalidLines'] = [];
    for (const c of reach.candidates) {
      if (!c.exists) continue;
      const bytes = await fsp.readFile(c.abs).catch(() => null);
      if (!bytes) continue;
      for (const l of EnvDocument.parse(bytes).invalidLines()) {
        invalidLines.push({ file: c.rel, line: l.line, text: l.text, messageKey: l.messageKey });
      }
    }
    return {
      project: {
        dir: open.project.dir,
        name: open.project.projectName,
        running: isRunning(open),
        composeVersion: `${open.bin.flavor} ${open.bin.version}`,
      },
      approximate: reach.approximate,
      composeError: reach.composeError,
      files: reach.candidates.map((c) => ({ file: c.rel, exists: c.exists })),
      keys,
      presets: TIMEOUT_PRESETS.map((p) => ({ id: p.id, values: { ...p.values } })),
      chains: chains(values),
      invalidLines,
    };
  }

  /** Reach of any keys (catalog or not): `env get`. */
  async getKeys(keys: readonly string[]): Promise<KeyReach[]> {
    for (const key of keys)
      if (!isValidEnvKey(key)) throw new AppError('ENV_KEY_INVALID', { params: { key } });
    const open = await this.options.stack.openProject();
    return (await this.resolve(open, keys)).keys;
  }

  /** Validation of draft values and the chains they give (pure, for typing). */
  check(values: Record<string, string>, plugin?: ChainInput['plugin']): CheckResult {
    const errors: CheckResult['errors'] = {};
    for (const [key, value] of Object.entries(values)) {
      const error = validateChange(key, value);
      if (error) errors[key] = error;
    }
    return { errors, chains: chains(values, plugin) };
  }

  async previewChanges(
    changes: Record<string, string>,
    options: { file?: string; mode?: ApplyMode } = {},
  ): Promise<ChangePreview> {
    const open = await this.options.stack.openProject();
    return (await this.plan(open, changes, options)).preview;
  }

  async listBackups(): Promise<BackupEntry[]> {
    const open = await this.options.stack.openProject();
    const reach = await this.resolve(open, []);
    const out: BackupEntry[] = [];
    for (const c of reach.candidates) {
      for (const b of await listBackups(c.abs, this.backupOptions())) {
        out.push({ id: b.id, file: c.rel, createdAt: b.createdAt.getTime(), size: b.size });
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  // ---- changing ----------------------------------------------------------------------------------

  applyEnvChanges(request: EnvChangeRequest): JobHandle<EnvApplyResult> {
    return this.options.stack.runProjectJob('timeouts.apply', async (ctx, tools) => {
      ctx.step('timeouts.steps.plan');
      const plan = await this.plan(tools, request.changes, { file: request.file, mode: request.mode }, true);
      if (plan.preview.errors.length > 0) throw invalidChanges(plan.preview.errors);
      return this.deploy(ctx, tools, plan, request.mode ?? 'readers', request.noRedeploy ?? false);
    });
  }

  /** Puts a backup back and redeploys the services that read what it changes, as Apply does. */
  restoreBackup(
    file: string,
    backupId: string,
    options: { mode?: ApplyMode; noRedeploy?: boolean } = {},
  ): JobHandle<EnvApplyResult> {
    return this.options.stack.runProjectJob('timeouts.restore', async (ctx, tools) => {
      ctx.step('timeouts.steps.plan');
      const abs = this.projectFile(tools.project, file);
      const backup = (await listBackups(abs, this.backupOptions())).find((b) => b.id === backupId);
      if (!backup) throw new AppError('ENV_BACKUP_NOT_FOUND', { params: { backup: backupId } });
      const before = await fsp.readFile(abs).catch(() => null);
      const after = await fsp.readFile(backup.path);
      const oldDoc = EnvDocument.parse(before ?? '');
      const newDoc = EnvDocument.parse(after);
      const keys = [...new Set([...oldDoc.entries(), ...newDoc.entries()].map((e) => e.key))].filter(
        (k) => oldDoc.get(k) !== newDoc.get(k),
      );
      const rel = toRel(tools.project.dir, abs);
      const reach = await this.resolve(tools, keys);
      const readers = unique(reach.keys.flatMap((k) => k.files.find((f) => f.file === rel)?.readers ?? []));
      const planned: PlannedFile = { abs, rel, before, after };
      const predicted = await this.resolverFor(tools).predictChanged(
        reachProject(tools),
        [{ file: abs, bytes: after }],
        () => unique(reach.keys.flatMap((k) => k.files.find((f) => f.file === rel)?.services ?? [])),
      );
      const mode = options.mode ?? 'readers';
      const preview: ChangePreview = {
        entries: [],
        errors: [],
        readers,
        upSet: predicted.services,
        pending: predicted.services.filter((s) => !readers.includes(s)),
        recreate: mode === 'full' ? predicted.services : readers,
        mode,
        running: isRunning(tools),
        approximate: predicted.approximate || reach.approximate,
      };
      return this.deploy(ctx, tools, { preview, files: [planned] }, mode, options.noRedeploy ?? false);
    });
  }

  // ---- internals ---------------------------------------------------------------------------------

  private backupOptions(): WriteWithBackupOptions {
    return this.options.backupRoot ? { appDataRoot: this.options.backupRoot } : {};
  }

  private resolverFor(open: OpenProject): ReachResolver {
    const id = `${open.bin.flavor}:${open.project.dir}:${open.project.composeFile}`;
    let resolver = this.resolvers.get(id);
    if (!resolver) {
      resolver = new ReachResolver({ bin: open.bin, env: this.env, platform: this.options.platform });
      this.resolvers.set(id, resolver);
    }
    return resolver;
  }

  private resolve(open: OpenProject, keys: readonly string[], lazy = false): Promise<ProjectReach> {
    return this.resolverFor(open).resolve(reachProject(open), keys, { lazy });
  }

  private projectFile(project: ReachProject, file: string): string {
    const abs = path.resolve(project.dir, file);
    const rel = path.relative(project.dir, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new AppError('ENV_FILE_OUTSIDE_PROJECT', { params: { file, dir: project.dir } });
    }
    return abs;
  }

  private async plan(
    open: OpenProject,
    changes: Record<string, string>,
    options: { file?: string; mode?: ApplyMode },
    deferPrediction = false,
  ): Promise<Plan> {
    const mode = options.mode ?? 'readers';
    const keys = Object.keys(changes);
    if (keys.length === 0) throw new AppError('ENV_NO_CHANGES');
    const errors: ChangePreview['errors'] = [];
    const values: Record<string, string> = {};
    for (const key of keys) {
      const raw = changes[key] as string;
      const error = validateChange(key, raw);
      if (error) errors.push({ key, value: raw, error });
      else values[key] = getTimeoutKey(key) ? raw.trim() : raw;
    }
    const forced = options.file !== undefined ? this.projectFile(open.project, options.file) : null;
    // With a forced file its readers are needed whatever decides now; otherwise the deciding file is enough.
    const reach = await this.resolve(open, keys, forced === null);
    const envDoc = EnvDocument.parse((await fsp.readFile(open.project.envFile).catch(() => null)) ?? '');

    const byFile = new Map<string, { rel: string; keys: KeyReach[] }>();
    for (const r of reach.keys) {
      if (values[r.key] === undefined) continue;
      const abs =
        forced ?? (r.suggestedFile ? path.resolve(open.project.dir, r.suggestedFile) : open.project.envFile);
      const entry = byFile.get(abs) ?? { rel: toRel(open.project.dir, abs), keys: [] };
      entry.keys.push(r);
      byFile.set(abs, entry);
    }

    const files: PlannedFile[] = [];
    const entries: ChangePreview['entries'] = [];
    for (const [abs, { rel, keys: fileKeys }] of byFile) {
      const before = await readExisting(abs);
      // A new optional file holds only the keys set here, in the line-ending style of `.env`.
      const doc = EnvDocument.parse(before ?? '', { name: rel, defaultLineEnding: envDoc.lineEnding });
      if (before) doc.assertNoInvalidLines();
      for (const r of fileKeys) {
        const fileReach = r.files.find((f) => f.file === rel);
        entries.push({
          key: r.key,
          old: r.effective.value,
          fileOld: doc.get(r.key) ?? null,
          new: values[r.key] as string,
          file: rel,
          createsFile: before === null,
          readers: fileReach?.readers ?? [],
          noEffect:
            (fileReach?.readers.length ?? 0) > 0
              ? null
              : (r.noEffect ?? { reason: 'notReferenced', files: [rel], by: null }),
        });
        doc.set(r.key, values[r.key] as string);
      }
      files.push({ abs, rel, before, after: doc.toBytes() });
    }

    const readers = unique(entries.flatMap((e) => e.readers));
    const changed = files.filter((f) => !f.before || !f.before.equals(f.after));
    const prediction: Promise<Predicted> =
      changed.length === 0
        ? Promise.resolve({ services: [], approximate: reach.approximate })
        : this.resolverFor(open).predictChanged(
            reachProject(open),
            changed.map((f) => ({ file: f.abs, bytes: f.after })),
            () =>
              unique(
                entries.flatMap(
                  (e) =>
                    reach.keys.find((k) => k.key === e.key)?.files.find((f) => f.file === e.file)?.services ??
                    [],
                ),
              ),
            reach.fingerprint,
          );
    if (deferPrediction) {
      // Observed here so a failure (Compose refusing the new values) is not an unhandled rejection;
      // the same failure shows again, in compose's own words, when `up` runs.
      const predicted = prediction.catch(() => ({ services: [], approximate: true }));
      const deferred: ChangePreview = {
        entries,
        errors,
        readers,
        upSet: [],
        pending: [],
        recreate: readers,
        mode,
        running: isRunning(open),
        approximate: reach.approximate,
      };
      return { preview: deferred, files: changed, predicted };
    }
    const predicted = await prediction;
    const preview: ChangePreview = {
      entries,
      errors,
      readers,
      upSet: predicted.services,
      pending: predicted.services.filter((s) => !readers.includes(s)),
      recreate: mode === 'full' ? predicted.services : readers,
      mode,
      running: isRunning(open),
      approximate: reach.approximate || predicted.approximate,
    };
    return { preview, files: changed };
  }

  private async deploy(
    ctx: JobContext,
    tools: ProjectJobTools,
    plan: Plan,
    mode: ApplyMode,
    noRedeploy: boolean,
  ): Promise<EnvApplyResult> {
    const { preview, files } = plan;
    let upSet: string[] | null = plan.predicted ? null : preview.upSet;
    const plainUpSet = async (): Promise<string[]> => (upSet ??= (await plan.predicted)?.services ?? []);
    // Decided on the files as they are now (resolving them again after the write would cost a run).
    const known = new Set(tools.model.services.map((s) => s.name));
    const targets = (mode === 'full' ? await plainUpSet() : preview.readers).filter((s) => known.has(s));
    const args =
      mode === 'full'
        ? ['up', '-d']
        : targets.length > 0
          ? await this.recreateArgs(tools, targets, plainUpSet)
          : [];
    ctx.step('timeouts.steps.write', { files: files.map((f) => f.rel).join(', ') });
    const written: Array<{ file: PlannedFile; backupId: string | null }> = [];
    try {
      for (const file of files) {
        ctx.throwIfCancelled();
        const result = await writeWithBackup(file.abs, file.after, {
          ...this.backupOptions(),
          expected: file.before,
        });
        written.push({ file, backupId: result.backup?.id ?? null });
        ctx.log(`wrote ${file.rel}${result.backup ? ` (backup ${result.backup.id})` : ''}`);
      }
    } catch (e) {
      await this.putBack(
        ctx,
        written.map((w) => w.file),
      );
      throw e;
    }
    const result: EnvApplyResult = {
      written: written.map((w) => ({ file: w.file.abs, backupId: w.backupId })),
      recreated: [],
      pending: [],
      notRunning: !isRunning(tools),
    };
    if (noRedeploy || result.notRunning) {
      result.pending = await plainUpSet();
      ctx.step(result.notRunning ? 'timeouts.steps.notRunning' : 'timeouts.steps.written');
      return result;
    }
    if (targets.length === 0) {
      ctx.step('timeouts.steps.nothingToRecreate');
      result.pending = await plainUpSet();
      return result;
    }
    const before = await tools.containerIds();
    try {
      ctx.step('timeouts.steps.recreate', { services: targets.join(', ') });
      await tools.compose(args);
      await tools.waitForReady(targets, this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    } catch (e) {
      await this.rollBack(
        ctx,
        tools,
        written.map((w) => w.file),
        args,
        targets,
        e,
      );
    }
    const after = await tools.containerIds();
    result.recreated = Object.keys(after)
      .filter((s) => after[s] !== before[s])
      .sort();
    const plain = await plainUpSet();
    result.pending = plain.filter((s) => !result.recreated.includes(s));
    ctx.log(
      `recreated: ${result.recreated.join(', ') || '-'}; left for the next full start (do not read the change): ${result.pending.join(', ') || '-'}`,
    );
    return result;
  }

  /**
   * `up -d <readers>` when none of their dependencies' configs changed: it recreates only the readers
   * (unchanged dependencies are left alone), and Compose records the same config hash a plain `up -d`
   * would, so the next plain `up -d` recreates only the pending services. Otherwise `--no-deps`, so
   * no changed dependency is recreated now — but Compose hashes a service's config without its
   * `depends_on` then, so the next plain `up -d` recreates those readers (and their dependents) once
   * more (seen with Compose 2.26).
   */
  private async recreateArgs(
    tools: ProjectJobTools,
    targets: string[],
    plainUpSet: () => Promise<string[]>,
  ): Promise<string[]> {
    const deps = await this.resolverFor(tools).dependenciesOf(reachProject(tools), targets);
    const upSet = deps.length > 0 ? await plainUpSet() : [];
    const changedDeps = deps.filter((d) => upSet.includes(d));
    return changedDeps.length === 0 ? ['up', '-d', ...targets] : ['up', '-d', '--no-deps', ...targets];
  }

  /** Every written file back to its previous bytes (a created file is removed). Best effort, all of them. */
  private async putBack(ctx: JobContext, files: readonly PlannedFile[]): Promise<string[]> {
    const failures: string[] = [];
    for (const f of files) {
      try {
        if (f.before) await writeFileAtomic(f.abs, f.before);
        else await fsp.unlink(f.abs);
        ctx.log(`restored ${f.rel}`);
      } catch (e) {
        failures.push(`${f.rel}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return failures;
  }

  private async rollBack(
    ctx: JobContext,
    tools: ProjectJobTools,
    files: readonly PlannedFile[],
    args: string[],
    targets: string[],
    cause: unknown,
  ): Promise<never> {
    const cancelled = ctx.signal.aborted || (isAppError(cause) && cause.code === 'CANCELLED');
    ctx.step('timeouts.steps.rollback');
    const causeInfo = toErrorInfo(cause);
    const causeText = [causeInfo.message, causeInfo.detail].filter(Boolean).join('\n');
    const fileFailures = await this.putBack(ctx, files);
    // Not tools.compose: a cancelled job's signal would stop the rollback too.
    const again = await runCompose(tools.bin, tools.project, args, {
      env: this.env,
      platform: this.options.platform,
      onLine: (line) => ctx.log(line),
    }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }));
    let readyProblem: string | null = null;
    if (again.code === 0 && !cancelled) {
      await tools
        .waitForReady(targets, this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
        .catch((e: unknown) => {
          readyProblem = toErrorInfo(e).message;
        });
    }
    const params = { files: files.map((f) => f.rel).join(', '), services: targets.join(', ') };
    if (fileFailures.length > 0 || again.code !== 0) {
      throw new AppError('ENV_APPLY_ROLLBACK_FAILED', {
        params,
        detail: [causeText, ...fileFailures, again.stderr.trim()].filter(Boolean).join('\n\n'),
        cause,
      });
    }
    throw new AppError(cancelled ? 'ENV_APPLY_CANCELLED_ROLLED_BACK' : 'ENV_APPLY_FAILED_ROLLED_BACK', {
      params,
      detail: [causeText, readyProblem].filter(Boolean).join('\n\n'),
      cause,
    });
  }
}

// ---------------------------------------------------------------------------------------------

function reachProject(open: OpenProject): ReachProject {
  const { dir, composeFile, envFile, projectName } = open.project;
  return { dir, composeFile, envFile, projectName };
}

function isRunning(open: Pick<OpenProject, 'containers'>): boolean {
  return open.containers.some((c) => c.state === 'running');
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

function toRel(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}

async function readExisting(file: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((e as NodeJS.ErrnoException).code === 'EBUSY')
      throw new AppError('ENV_FILE_LOCKED', { params: { path: file } });
    throw new AppError('ENV_WRITE_FAILED', {
      params: { path: file, reason: String((e as NodeJS.ErrnoException).code) },
    });
  }
}

/** Catalog keys by the catalog's rules; any other key by the editor's (a name Compose accepts, one line). */
export function validateChange(key: string, value: string): TranslatedError | null {
  if (getTimeoutKey(key)) {
    const result = validateTimeoutValue(key, value);
    return result.ok ? null : result.error;
  }
  if (!isValidEnvKey(key)) return { key: 'timeouts.validation.badKey', params: { key } };
  if (/[\0]/.test(value)) return { key: 'timeouts.validation.badCharacter', params: {} };
  return null;
}

function invalidChanges(errors: ChangePreview['errors']): AppError {
  const first = errors[0] as ChangePreview['errors'][number];
  return new AppError('ENV_VALUE_INVALID', {
    params: { key: first.key, value: first.value },
    detail: errors
      .map((e) => `${e.key}=${e.value}: ${e.error.key} ${JSON.stringify(e.error.params)}`)
      .join('\n'),
  });
}

function chains(values: Record<string, string | undefined>, plugin?: ChainInput['plugin']): ChainResult[] {
  return CHAIN_SCENARIOS.map((scenario) =>
    computeTimeoutChain(scenario, { values, ...(plugin ? { plugin } : {}) }),
  );
}

function keyView(r: KeyReach): TimeoutKeyView {
  const info = getTimeoutKey(r.key);
  if (!info) throw new AppError('INTERNAL', { detail: `${r.key} is not in the catalog` });
  const shadowed = new Set(r.noEffect?.reason === 'shadowed' ? r.noEffect.files : []);
  const settings = r.files
    .filter((f) => f.sets)
    .map((f) => ({
      file: f.file,
      value: f.value,
      line: f.line,
      effect:
        f.file === r.decidingFile
          ? ('decides' as const)
          : shadowed.has(f.file)
            ? ('shadowed' as const)
            : ('unused' as const),
    }));
  const invalid = r.effective.value !== null ? validateTimeoutValue(r.key, r.effective.value) : null;
  return {
    key: r.key,
    group: info.group,
    unit: info.unit,
    defaultValue: info.defaultValue,
    min: info.min,
    max: info.max,
    location: info.location,
    consumers: info.consumers.map((c) => c.service),
    value: r.effective.value,
    source: r.effective.source,
    file: r.decidingFile,
    suggestedFile: r.suggestedFile,
    readers: r.readers,
    readerNames: r.readerNames,
    settings,
    noEffect: r.noEffect,
    invalid: invalid && !invalid.ok ? invalid.error : null,
    approximate: r.approximate,
  };
}
