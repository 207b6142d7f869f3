/**
 * Compose work on the Dify project, as jobs serialized per project: start, stop, down, restart of a
 * service, and any other caller's compose work (timeout apply, plugin signature fix) through
 * `runProjectJob`. Compose output streams into the job; `up`/`restart` end with the health wait.
 */
import type { StatusSnapshot } from '../core/contract';
import { AppError } from '../core/errors';
import type { JobContext, JobHandle, JobManager } from '../core/jobs';
import type { LockHolder, ProjectLocks } from '../core/project-lock';
import { composeFailure, composeMismatch, runCompose, type ComposeBinary } from '../docker/compose-cli';
import { LABEL_PROJECT } from '../docker/compose-labels';
import type { ProjectModel } from '../docker/compose-model';
import { ensureEngine, launchDockerDesktopWindows } from '../docker/ensure-engine';
import type { ProjectJobTools } from './api';
import type { DifyProject } from './project';
import type { ProjectResolver } from './project-resolver';
import { waitForReady } from './ready-wait';
import { serviceStatuses } from './status-model';

export interface ProjectJobsOptions {
  jobs: JobManager;
  resolver: ProjectResolver;
  /** The live status's refresh: the health wait reads through it, and every job ends with one. */
  refresh: () => Promise<StatusSnapshot>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Windows: starts Docker Desktop; returns false when it is not installed. */
  launchDockerDesktop?: () => boolean;
  /** How long `up` waits for every service to be running/healthy. */
  readyTimeoutMs?: number;
  /**
   * The lock shared with every other program on this machine (the app, CLI runs): held for the whole
   * job, so two programs never interleave `.env` writes and compose runs on one project.
   */
  locks?: ProjectLocks;
  /** How long a job waits for another program's lock before it fails with PROJECT_BUSY. */
  lockWaitMs?: number;
}

const READY_TIMEOUT_MS = 300_000;

type ComposeOptions = { tolerateLeakedEndpoint?: boolean };

export class ProjectJobs {
  constructor(private readonly options: ProjectJobsOptions) {}

  startStack(): JobHandle<void> {
    return this.runProjectJob('stack.start', (ctx, tools) => this.startBody(ctx, tools));
  }

  stopStack(): JobHandle<void> {
    return this.runProjectJob('stack.stop', (ctx, tools) => this.stopBody(ctx, tools));
  }

  downStack(): JobHandle<void> {
    return this.runProjectJob('stack.down', (ctx, tools) => this.downBody(ctx, tools));
  }

  /** Dify's part of a whole-stack start, inside another job (the processes capability's). */
  startDifyIn(ctx: JobContext): Promise<void> {
    return this.runInJob(ctx, 'stack.start', (c, tools) => this.startBody(c, tools));
  }

  stopDifyIn(ctx: JobContext): Promise<void> {
    return this.runInJob(ctx, 'stack.stop', (c, tools) => this.stopBody(c, tools));
  }

  downDifyIn(ctx: JobContext): Promise<void> {
    return this.runInJob(ctx, 'stack.down', (c, tools) => this.downBody(c, tools));
  }

  /** The engine up (Docker Desktop started on Windows when needed), inside another job. */
  async ensureEngineIn(ctx: JobContext): Promise<void> {
    const { resolver, platform, env } = this.options;
    await ensureEngine(ctx, {
      platform,
      probe: () => resolver.probe(),
      launchDockerDesktop: this.options.launchDockerDesktop ?? (() => launchDockerDesktopWindows(env)),
    });
  }

  /** What project jobs serialize on: the configured folder (or detection); the project is resolved inside. */
  jobResource(): string {
    return `compose:${this.options.resolver.configuredDir() || 'detected'}`;
  }

  private async startBody(ctx: JobContext, tools: ProjectJobTools): Promise<void> {
    const createdBy = await this.options.resolver.createdBy(tools.project);
    if (composeMismatch(tools.bin, createdBy))
      ctx.log(
        `Note: the project was created by Compose ${createdBy}; Compose ${tools.bin.version} will recreate its containers.`,
      );
    ctx.step('stack.steps.composeUp');
    await tools.compose(['up', '-d']);
    await tools.waitForReady(null);
  }

  private async downBody(ctx: JobContext, tools: ProjectJobTools): Promise<void> {
    ctx.step('stack.steps.composeDown');
    await tools.compose(['down'], { tolerateLeakedEndpoint: true });
  }

  private async stopBody(ctx: JobContext, tools: ProjectJobTools): Promise<void> {
    ctx.step('stack.steps.composeStop');
    await tools.compose(['stop']);
  }

  restartService(service: string): JobHandle<void> {
    return this.projectJob('stack.restartService', async (ctx, project, bin, model) => {
      if (!model.services.some((s) => s.name === service))
        throw new AppError('SERVICE_UNKNOWN', { params: { service } });
      ctx.step('stack.steps.restartingService', { service });
      await this.compose(ctx, bin, project, ['restart', service]);
      await this.waitForReady(ctx, [service]);
    });
  }

  /**
   * Runs `body` as a job serialized with every other compose operation on the Dify project: engine
   * up, project resolved, Compose chosen, then `body` with tools that stream compose output into the job.
   */
  runProjectJob<T>(
    kind: string,
    body: (ctx: JobContext, tools: ProjectJobTools) => Promise<T>,
  ): JobHandle<T> {
    return this.options.jobs.start({ kind, resource: this.jobResource() }, (ctx) =>
      this.runInJob(ctx, kind, body),
    );
  }

  /** The body of a project job, run inside `ctx` (a job of its own, or a step of a whole-stack job). */
  async runInJob<T>(
    ctx: JobContext,
    kind: string,
    body: (ctx: JobContext, tools: ProjectJobTools) => Promise<T>,
  ): Promise<T> {
    const { resolver } = this.options;
    let release: (() => Promise<void>) | null = null;
    try {
      await this.ensureEngineIn(ctx);
      const open = await resolver.open();
      if (open.model.composeError) throw open.model.composeError;
      // A cancel that came while we were looking must not reach compose.
      ctx.throwIfCancelled();
      release = await this.acquireLock(ctx, kind, open.project.dir);
      const tools: ProjectJobTools = {
        ...open,
        compose: (args, options) => this.compose(ctx, open.bin, open.project, args, options),
        waitForReady: (services, timeoutMs) => this.waitForReady(ctx, services, timeoutMs),
        containerIds: async () => {
          const { containers } = await resolver.resolve();
          return Object.fromEntries(
            open.model.services.map((s) => [s.name, serviceStatuses([s], containers)[0]?.containerId ?? '']),
          );
        },
      };
      const result = await body(ctx, tools);
      ctx.step('stack.steps.done');
      return result;
    } finally {
      await release?.();
      void this.options.refresh().catch(() => undefined);
    }
  }

  /** Waits for the project's cross-process lock, saying who holds it while it waits. */
  private async acquireLock(
    ctx: JobContext,
    kind: string,
    dir: string,
  ): Promise<(() => Promise<void>) | null> {
    const { locks } = this.options;
    if (!locks) return null;
    const release = await locks.acquire(dir, kind, {
      signal: ctx.signal,
      timeoutMs: this.options.lockWaitMs,
      onWait: (holder, alive) => {
        const [key, params] = lockWaitStep(holder, alive);
        ctx.step(key, params);
        ctx.log(lockWaitLine(holder, alive));
      },
    });
    return release;
  }

  private projectJob(
    kind: string,
    body: (ctx: JobContext, project: DifyProject, bin: ComposeBinary, model: ProjectModel) => Promise<void>,
  ): JobHandle<void> {
    return this.runProjectJob(kind, (ctx, tools) => body(ctx, tools.project, tools.bin, tools.model));
  }

  private waitForReady(ctx: JobContext, only: string[] | null, timeoutMs?: number): Promise<void> {
    return waitForReady(
      ctx,
      { refresh: this.options.refresh, docker: this.options.resolver.docker },
      only,
      timeoutMs ?? this.options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    );
  }

  private async compose(
    ctx: JobContext,
    bin: ComposeBinary,
    project: DifyProject,
    args: string[],
    options: ComposeOptions = {},
  ): Promise<void> {
    ctx.log(
      `$ ${bin.flavor === 'v2' ? 'docker compose' : 'docker-compose'} -p ${project.projectName} ${args.join(' ')}`,
    );
    const result = await runCompose(bin, project, args, {
      onLine: (line) => ctx.log(line),
      signal: ctx.signal,
      platform: this.options.platform,
      env: this.options.env,
    });
    if (result.code === 0) return;
    // dockerd 20.10 may keep a leaked endpoint: `down` removed every container but exits 1 (facts.md).
    if (options.tolerateLeakedEndpoint && /has active endpoints/.test(result.stderr)) {
      const left = await this.options.resolver.listContainers({
        label: [`${LABEL_PROJECT}=${project.projectName}`],
      });
      if (left.length === 0) {
        ctx.log(
          'Warning: every container was removed, but the engine kept the project network busy; it goes away when Docker restarts.',
        );
        return;
      }
    }
    throw composeFailure(bin, args[0] ?? '', result);
  }
}

function lockWaitStep(holder: LockHolder | null, alive: boolean): [string, Record<string, string | number>?] {
  if (!holder) return ['stack.steps.waitingForLockUnknown'];
  const params = { program: holder.program, action: holder.action, pid: holder.pid };
  return [alive ? 'stack.steps.waitingForLock' : 'stack.steps.takingOverLock', params];
}

/** The same in the job's output (English, like compose's own lines), for the CLI and the log. */
function lockWaitLine(holder: LockHolder | null, alive: boolean): string {
  if (!holder) return 'Waiting for another program to finish with this Dify project…';
  return alive
    ? `Waiting for ${holder.program} (${holder.action}, pid ${holder.pid}) to finish with this Dify project…`
    : `${holder.program} (pid ${holder.pid}) ended without releasing this Dify project; taking over its lock…`;
}
