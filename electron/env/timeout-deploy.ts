/**
 * Carrying out a plan (timeout-plan.ts) inside a project job: write each file atomically with a
 * backup → when the project runs, `up -d <readers>` (see readersUpArgs; or a plain `up -d`) → wait
 * until the recreated services run and are healthy. If compose fails, the services do not come back
 * in time, or the job is cancelled, every written file gets its previous bytes back, the same
 * services are brought up again, and the job fails with ENV_APPLY_FAILED_ROLLED_BACK. Never `down`.
 */
import { promises as fsp } from 'node:fs';
import { AppError, isAppError, toErrorInfo, messageOf } from '../core/errors';
import type { JobContext } from '../core/jobs';
import { runCompose } from '../docker/compose-cli';
import type { ProjectJobTools } from '../stack/api';
import type { EnvApplyResult } from './api';
import { writeFileAtomic } from './atomic-write';
import { writeWithBackup, type BackupOptions } from './backups';
import {
  isRunning,
  reachProject,
  type ApplyMode,
  type Plan,
  type PlannedFile,
  type ResolverFor,
} from './timeout-plan';

export const DEFAULT_READY_TIMEOUT_MS = 120_000;

export interface DeployOptions {
  resolverFor: ResolverFor;
  backup: BackupOptions;
  /** How long recreated services may take to run and pass health checks before Apply rolls back. */
  readyTimeoutMs?: number;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /**
   * Called once the recreated services start (the health wait is mostly idle): the caller may
   * resolve the files just written, so the panel's next view and the next Apply find them resolved.
   */
  warm?: () => void;
}

export async function deploy(
  ctx: JobContext,
  tools: ProjectJobTools,
  plan: Plan,
  mode: ApplyMode,
  noRedeploy: boolean,
  options: DeployOptions,
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
        ? await recreateArgs(tools, targets, plainUpSet, options.resolverFor)
        : [];
  ctx.step('timeouts.steps.write', { files: files.map((f) => f.rel).join(', ') });
  const written: Array<{ file: PlannedFile; backupId: string | null }> = [];
  try {
    for (const file of files) {
      ctx.throwIfCancelled();
      const result = await writeWithBackup(file.abs, file.after, {
        ...options.backup,
        expected: file.before,
      });
      written.push({ file, backupId: result.backup?.id ?? null });
      ctx.log(`wrote ${file.rel}${result.backup ? ` (backup ${result.backup.id})` : ''}`);
    }
  } catch (e) {
    await putBack(
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
    options.warm?.();
    await tools.waitForReady(targets, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  } catch (e) {
    await rollBack(
      ctx,
      tools,
      written.map((w) => w.file),
      args,
      targets,
      e,
      options,
    );
  }
  result.recreated = recreatedServices(before, await tools.containerIds());
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
export function readersUpArgs(targets: readonly string[], changedDeps: readonly string[]): string[] {
  return changedDeps.length === 0 ? ['up', '-d', ...targets] : ['up', '-d', '--no-deps', ...targets];
}

/** Services whose container id differs between two `containerIds()` readings (new ones included). */
export function recreatedServices(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(after)
    .filter((s) => after[s] !== before[s])
    .sort();
}

/**
 * The error a rolled-back job fails with: ROLLBACK_FAILED when a file could not be put back or the
 * services could not be brought up again (the user must act), else why the apply was undone.
 */
export function rollbackError(
  cause: unknown,
  outcome: {
    cancelled: boolean;
    files: readonly string[];
    targets: readonly string[];
    fileFailures: readonly string[];
    compose: { code: number; stderr: string };
    readyProblem: string | null;
  },
): AppError {
  const causeInfo = toErrorInfo(cause);
  const causeText = [causeInfo.message, causeInfo.detail].filter(Boolean).join('\n');
  const params = { files: outcome.files.join(', '), services: outcome.targets.join(', ') };
  if (outcome.fileFailures.length > 0 || outcome.compose.code !== 0) {
    return new AppError('ENV_APPLY_ROLLBACK_FAILED', {
      params,
      detail: [causeText, ...outcome.fileFailures, outcome.compose.stderr.trim()]
        .filter(Boolean)
        .join('\n\n'),
      cause,
    });
  }
  return new AppError(
    outcome.cancelled ? 'ENV_APPLY_CANCELLED_ROLLED_BACK' : 'ENV_APPLY_FAILED_ROLLED_BACK',
    {
      params,
      detail: [causeText, outcome.readyProblem].filter(Boolean).join('\n\n'),
      cause,
    },
  );
}

async function recreateArgs(
  tools: ProjectJobTools,
  targets: string[],
  plainUpSet: () => Promise<string[]>,
  resolverFor: ResolverFor,
): Promise<string[]> {
  const deps = await resolverFor(tools).dependenciesOf(reachProject(tools), targets);
  const upSet = deps.length > 0 ? await plainUpSet() : [];
  return readersUpArgs(
    targets,
    deps.filter((d) => upSet.includes(d)),
  );
}

/** Every written file back to its previous bytes (a created file is removed). Best effort, all of them. */
async function putBack(ctx: JobContext, files: readonly PlannedFile[]): Promise<string[]> {
  const failures: string[] = [];
  for (const f of files) {
    try {
      if (f.before) await writeFileAtomic(f.abs, f.before);
      else await fsp.unlink(f.abs);
      ctx.log(`restored ${f.rel}`);
    } catch (e) {
      failures.push(`${f.rel}: ${messageOf(e)}`);
    }
  }
  return failures;
}

async function rollBack(
  ctx: JobContext,
  tools: ProjectJobTools,
  files: readonly PlannedFile[],
  args: string[],
  targets: string[],
  cause: unknown,
  options: DeployOptions,
): Promise<never> {
  const cancelled = ctx.signal.aborted || (isAppError(cause) && cause.code === 'CANCELLED');
  ctx.step('timeouts.steps.rollback');
  const fileFailures = await putBack(ctx, files);
  // Not tools.compose: a cancelled job's signal would stop the rollback too.
  const again = await runCompose(tools.bin, tools.project, args, {
    env: options.env,
    platform: options.platform,
    onLine: (line) => ctx.log(line),
  }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }));
  let readyProblem: string | null = null;
  if (again.code === 0 && !cancelled) {
    await tools
      .waitForReady(targets, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
      .catch((e: unknown) => {
        readyProblem = toErrorInfo(e).message;
      });
  }
  throw rollbackError(cause, {
    cancelled,
    files: files.map((f) => f.rel),
    targets,
    fileFailures,
    compose: again,
    readyProblem,
  });
}
