import Docker from 'dockerode';
import { EventEmitter } from 'node:events';
import type { ComponentStatus, StatusSnapshot } from '../core/contract';
import type { DetectedProject, DifyDirCheck } from './contract';
import { AppError, toErrorInfo } from '../core/errors';
import type { JobContext, JobHandle, JobManager } from '../core/jobs';
import type { Settings } from '../settings/schema';
import type { OpenProject, ProjectJobTools, StackApi } from './api';
import {
  composeFailure,
  composeMismatch,
  ComposeLocator,
  runCompose,
  type ComposeAvailability,
  type ComposeBinary,
} from '../docker/compose-cli';
import { ProjectModelCache, type ProjectModel } from '../docker/compose-model';
import { dockerConnectionOptions } from '../docker/connection';
import { demuxLogBuffer } from '../docker/container-logs';
import { engineError, isDockerInstalled, probeEngine, type EngineState } from '../docker/engine';
import { ensureEngine, launchDockerDesktopWindows, sleep } from '../docker/ensure-engine';
import {
  checkDifyDir,
  discoverDifyProjects,
  LABEL_PROJECT,
  openDifyProject,
  type DifyProject,
} from './project';
import { aggregateDify, containerFacts, serviceStatuses, type ContainerFacts } from './status-model';

export interface StackServiceOptions {
  jobs: JobManager;
  /** Read on every operation, so a changed setting applies without a restart. */
  getSettings: () => Settings;
  /** CLI `--dify-dir`: wins over settings and detection. */
  difyDirOverride?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Windows: starts Docker Desktop; returns false when it is not installed. */
  launchDockerDesktop?: () => boolean;
  /** How long `up` waits for every service to be running/healthy. */
  readyTimeoutMs?: number;
  /** Which Compose the machine has; detected when absent (tests pass v1-only or none). */
  composeAvailability?: ComposeAvailability;
}

interface ResolvedProject {
  project: DifyProject;
  containers: ContainerFacts[];
}

/** The Docker + Dify capability: a live status snapshot and the compose operations, as jobs. */
export class StackService implements StackApi {
  private readonly docker: Docker;
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;
  private readonly events = new EventEmitter();
  private readonly models = new ProjectModelCache();
  private readonly composeLocator: ComposeLocator;
  private snapshot: StatusSnapshot;
  /** The engine as last seen running (null: unknown or down). */
  private engine: Extract<EngineState, { state: 'running' }> | null = null;
  private watching = false;
  private disposed = false;
  private eventStream: NodeJS.ReadableStream | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<StatusSnapshot> | null = null;
  private refreshAgain = false;

  constructor(private readonly options: StackServiceOptions) {
    this.platform = options.platform ?? process.platform;
    this.env = options.env ?? process.env;
    this.docker = new Docker(dockerConnectionOptions(this.platform, this.env));
    this.composeLocator = new ComposeLocator(this.platform, options.composeAvailability);
    this.snapshot = {
      components: [
        {
          id: 'docker',
          state: 'unavailable',
          detail: 'Not checked yet',
          reason: { key: 'stack.reason.checking' },
          error: null,
        },
        {
          id: 'dify',
          state: 'unavailable',
          detail: 'Not checked yet',
          reason: { key: 'stack.reason.checking' },
          error: null,
          services: [],
        },
      ],
      project: null,
      updatedAt: Date.now(),
    };
  }

  getSnapshot(): StatusSnapshot {
    return this.snapshot;
  }

  onSnapshot(listener: (snapshot: StatusSnapshot) => void): () => void {
    this.events.on('snapshot', listener);
    return () => this.events.off('snapshot', listener);
  }

  /** Coalesces concurrent refreshes: one in flight, at most one more queued behind it. */
  refresh(): Promise<StatusSnapshot> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        let snap: StatusSnapshot;
        do {
          this.refreshAgain = false;
          snap = await this.computeSnapshot();
        } while (this.refreshAgain && !this.disposed);
        this.publish(snap);
        return snap;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async watch(): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    await this.refresh();
    await this.openEventStream();
  }

  startStack(): JobHandle<void> {
    return this.projectJob('stack.start', async (ctx, project, bin) => {
      const createdBy = await this.createdBy(project);
      if (composeMismatch(bin, createdBy))
        ctx.log(
          `Note: the project was created by Compose ${createdBy}; Compose ${bin.version} will recreate its containers.`,
        );
      ctx.step('stack.steps.composeUp');
      await this.compose(ctx, bin, project, ['up', '-d']);
      await this.waitForReady(ctx, project, null);
    });
  }

  stopStack(): JobHandle<void> {
    return this.projectJob('stack.stop', async (ctx, project, bin) => {
      ctx.step('stack.steps.composeStop');
      await this.compose(ctx, bin, project, ['stop']);
    });
  }

  downStack(): JobHandle<void> {
    return this.projectJob('stack.down', async (ctx, project, bin) => {
      ctx.step('stack.steps.composeDown');
      await this.compose(ctx, bin, project, ['down'], { tolerateLeakedEndpoint: true });
    });
  }

  restartService(service: string): JobHandle<void> {
    return this.projectJob('stack.restartService', async (ctx, project, bin, model) => {
      if (!model.services.some((s) => s.name === service))
        throw new AppError('SERVICE_UNKNOWN', { params: { service } });
      ctx.step('stack.steps.restartingService', { service });
      await this.compose(ctx, bin, project, ['restart', service]);
      await this.waitForReady(ctx, project, [service]);
    });
  }

  checkDifyDir(dir: string): Promise<DifyDirCheck> {
    return checkDifyDir(dir);
  }

  async detectDifyDirs(): Promise<DetectedProject[]> {
    const list = await this.listContainers({ label: [LABEL_PROJECT] }).catch(async (e: unknown) => {
      // Say why in the user's terms: most often the engine is simply not running.
      throw engineError(await this.probe()) ?? e;
    });
    return discoverDifyProjects(list.map((c) => ({ labels: c.Labels ?? {}, state: c.State })));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.closeEventStream();
    this.events.removeAllListeners();
    await this.refreshing?.catch(() => undefined);
  }

  // ---- snapshot -------------------------------------------------------------------------------

  private async computeSnapshot(): Promise<StatusSnapshot> {
    // The container list doubles as the liveness check: one engine round trip per snapshot. The
    // engine version is asked only when it is not known yet (first look, or after the engine was down).
    let all: Docker.ContainerInfo[] | null = null;
    try {
      all = await this.listContainers({ label: [LABEL_PROJECT] });
    } catch {
      this.engine = null;
    }
    const engine: EngineState = all && this.engine ? this.engine : await this.probe();
    this.engine = engine.state === 'running' ? engine : null;
    const docker = dockerComponent(engine);
    if (engine.state !== 'running' || !all) {
      const reason =
        engine.state === 'not-installed' ? 'stack.reason.dockerNotInstalled' : 'stack.reason.dockerDown';
      return this.snap(
        docker,
        {
          id: 'dify',
          state: 'unavailable',
          detail: 'Docker is not running',
          reason: { key: reason },
          error: null,
          services: [],
        },
        null,
      );
    }
    let resolved: ResolvedProject;
    try {
      resolved = await this.resolveProject(all);
    } catch (e) {
      const error = toErrorInfo(e);
      const state = error.code === 'DIFY_DIR_NOT_SET' ? 'unavailable' : 'error';
      return this.snap(
        docker,
        { id: 'dify', state, detail: error.message, reason: null, error, services: [] },
        null,
      );
    }
    const { project, containers } = resolved;
    const createdBy = containers.find((c) => c.composeVersion)?.composeVersion ?? null;
    const bin = await this.composeLocator.choose(createdBy).catch(() => null);
    const model = await this.models.load(bin, project, this.env);
    const services = serviceStatuses(model.services, containers);
    // A compose file that does not parse decides the state by itself: nothing can be started from it.
    const broken = model.composeError?.code === 'COMPOSE_FILE_INVALID' && model.services.length === 0;
    const agg = broken
      ? { state: 'error' as const, detail: model.composeError?.message ?? '', reason: null }
      : aggregateDify(services);
    const dify: ComponentStatus = {
      id: 'dify',
      ...agg,
      error: model.composeError?.toInfo() ?? null,
      services,
    };
    return this.snap(docker, dify, {
      dir: project.dir,
      name: project.projectName,
      composeVersion: bin ? `${bin.flavor} ${bin.version}` : null,
    });
  }

  private snap(
    docker: ComponentStatus,
    dify: ComponentStatus,
    project: StatusSnapshot['project'],
  ): StatusSnapshot {
    return { components: [docker, dify], project, updatedAt: Date.now() };
  }

  /** Listeners hear only real changes: a burst of Docker events often leaves the picture the same. */
  private publish(snapshot: StatusSnapshot): void {
    const changed = sameContent(this.snapshot, snapshot) === false;
    this.snapshot = snapshot;
    if (changed && !this.disposed) this.events.emit('snapshot', snapshot);
  }

  private probe(): Promise<EngineState> {
    return probeEngine(this.docker, { dockerInstalled: () => isDockerInstalled(this.platform, this.env) });
  }

  /** Override → settings → the running Dify found by its compose labels. */
  private async resolveProject(listed?: Docker.ContainerInfo[]): Promise<ResolvedProject> {
    const configured = this.options.difyDirOverride || this.options.getSettings().difyDir;
    const all = listed ?? (await this.listContainers({ label: [LABEL_PROJECT] }));
    let dir = configured;
    let knownName: string | undefined;
    if (!dir) {
      const found = discoverDifyProjects(all.map((c) => ({ labels: c.Labels ?? {}, state: c.State })))[0];
      if (!found) throw new AppError('DIFY_DIR_NOT_SET');
      dir = found.dir;
      knownName = found.project;
    } else {
      // Containers created from this folder tell the name the user's own `compose up` used.
      knownName = all.find((c) =>
        samePath(c.Labels?.['com.docker.compose.project.working_dir'], dir, this.platform),
      )?.Labels?.[LABEL_PROJECT];
    }
    const project = await openDifyProject(dir, this.env, knownName);
    const containers = all
      .filter((c) => c.Labels?.[LABEL_PROJECT] === project.projectName)
      .map(containerFacts)
      .filter((c): c is ContainerFacts => c !== null);
    return { project, containers };
  }

  private async listContainers(filters: Record<string, string[]>): Promise<Docker.ContainerInfo[]> {
    try {
      return await this.docker.listContainers({ all: true, filters });
    } catch (e) {
      throw new AppError('DOCKER_API_ERROR', {
        params: { reason: e instanceof Error ? e.message : String(e) },
        cause: e,
      });
    }
  }

  private async createdBy(project: DifyProject): Promise<string | null> {
    const list = await this.listContainers({ label: [`${LABEL_PROJECT}=${project.projectName}`] });
    return list.map(containerFacts).find((c) => c?.composeVersion)?.composeVersion ?? null;
  }

  // ---- docker events --------------------------------------------------------------------------

  private async openEventStream(): Promise<void> {
    if (this.disposed || this.eventStream) return;
    try {
      const stream = (await this.docker.getEvents({
        filters: { type: ['container'], label: [LABEL_PROJECT] },
      })) as NodeJS.ReadableStream;
      this.eventStream = stream;
      stream.on('data', () => this.scheduleRefresh());
      const lost = () => {
        if (this.eventStream !== stream) return;
        this.eventStream = null;
        this.scheduleRefresh();
        this.pollForEngine();
      };
      stream.on('end', lost);
      stream.on('close', lost);
      stream.on('error', lost);
    } catch {
      this.pollForEngine();
    }
  }

  private closeEventStream(): void {
    const stream = this.eventStream as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
    this.eventStream = null;
    stream?.removeAllListeners();
    stream?.destroy?.();
  }

  /** Events say what changed; a short debounce folds a burst (compose up emits dozens) into one read. */
  private scheduleRefresh(): void {
    if (this.disposed || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh().catch(() => undefined);
    }, 60);
  }

  /** Without an engine there are no events: look again every few seconds until it answers. */
  private pollForEngine(): void {
    if (this.disposed || this.pollTimer) return;
    this.pollTimer = setTimeout(async () => {
      this.pollTimer = null;
      const snap = await this.refresh().catch(() => null);
      if (snap?.components.find((c) => c.id === 'docker')?.state === 'running') await this.openEventStream();
      else this.pollForEngine();
    }, 3000);
  }

  // ---- jobs -----------------------------------------------------------------------------------

  /**
   * Runs `body` as a job serialized with every other compose operation on the Dify project (the
   * timeout panel's apply and the plugin signature fix use this too): engine up, project resolved,
   * Compose chosen, then `body` with tools that stream compose output into the job.
   */
  runProjectJob<T>(
    kind: string,
    body: (ctx: JobContext, tools: ProjectJobTools) => Promise<T>,
  ): JobHandle<T> {
    // Serialize on the configured folder (or on detection); the actual project is resolved inside.
    const resource = `compose:${this.options.difyDirOverride || this.options.getSettings().difyDir || 'detected'}`;
    return this.options.jobs.start({ kind, resource }, async (ctx) => {
      try {
        await ensureEngine(ctx, {
          platform: this.platform,
          probe: () => this.probe(),
          launchDockerDesktop:
            this.options.launchDockerDesktop ?? (() => launchDockerDesktopWindows(this.env)),
        });
        const open = await this.openProject();
        if (open.model.composeError) throw open.model.composeError;
        // A cancel that came while we were looking must not reach compose.
        ctx.throwIfCancelled();
        const tools: ProjectJobTools = {
          ...open,
          compose: (args, options) => this.compose(ctx, open.bin, open.project, args, options),
          waitForReady: (services, timeoutMs) => this.waitForReady(ctx, open.project, services, timeoutMs),
          containerIds: async () => {
            const { containers } = await this.resolveProject();
            return Object.fromEntries(
              open.model.services.map((s) => [
                s.name,
                serviceStatuses([s], containers)[0]?.containerId ?? '',
              ]),
            );
          },
        };
        const result = await body(ctx, tools);
        ctx.step('stack.steps.done');
        return result;
      } finally {
        void this.refresh().catch(() => undefined);
      }
    });
  }

  /** The Dify project as it is now: folder, chosen Compose, resolved model, containers. Read-only. */
  async openProject(): Promise<OpenProject> {
    const { project, containers } = await this.resolveProject();
    const bin = await this.composeLocator.choose(containers.find((c) => c.composeVersion)?.composeVersion);
    const model = await this.models.load(bin, project, this.env);
    return { project, bin, model, containers };
  }

  private projectJob(
    kind: string,
    body: (ctx: JobContext, project: DifyProject, bin: ComposeBinary, model: ProjectModel) => Promise<void>,
  ): JobHandle<void> {
    return this.runProjectJob(kind, (ctx, tools) => body(ctx, tools.project, tools.bin, tools.model));
  }

  private async compose(
    ctx: JobContext,
    bin: ComposeBinary,
    project: DifyProject,
    args: string[],
    options: { tolerateLeakedEndpoint?: boolean } = {},
  ): Promise<void> {
    ctx.log(
      `$ ${bin.flavor === 'v2' ? 'docker compose' : 'docker-compose'} -p ${project.projectName} ${args.join(' ')}`,
    );
    const result = await runCompose(bin, project, args, {
      onLine: (line) => ctx.log(line),
      signal: ctx.signal,
      platform: this.platform,
      env: this.env,
    });
    if (result.code === 0) return;
    // dockerd 20.10 may keep a leaked endpoint: `down` removed every container but exits 1 (facts.md).
    if (options.tolerateLeakedEndpoint && /has active endpoints/.test(result.stderr)) {
      const left = await this.listContainers({ label: [`${LABEL_PROJECT}=${project.projectName}`] });
      if (left.length === 0) {
        ctx.log(
          'Warning: every container was removed, but the engine kept the project network busy; it goes away when Docker restarts.',
        );
        return;
      }
    }
    throw composeFailure(bin, args[0] ?? '', result);
  }

  /**
   * After `up`/`restart`: wait until the services (all, or the named ones) run and pass their
   * health checks. A service that exits or crash-loops fails the job at once, with its last log lines.
   */
  private async waitForReady(
    ctx: JobContext,
    project: DifyProject,
    only: string[] | null,
    timeoutMs = this.options.readyTimeoutMs ?? 300_000,
  ): Promise<void> {
    ctx.step('stack.steps.waitingForServices');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      ctx.throwIfCancelled();
      const snap = await this.refresh();
      const dify = snap.components.find((c) => c.id === 'dify');
      const services = (dify?.services ?? []).filter((s) => !only || only.includes(s.name));
      const longRunning = services.filter((s) => !s.oneShot);
      const ready = longRunning.filter(
        (s) => s.state === 'running' && (s.health === null || s.health === 'healthy'),
      );
      ctx.progress(longRunning.length ? ready.length / longRunning.length : 1);
      const failedOneShot = services.find(
        (s) => s.oneShot && s.state === 'exited' && s.exitCode !== 0 && s.exitCode !== null,
      );
      const dead =
        failedOneShot ??
        longRunning.find((s) => s.state === 'exited' || s.state === 'dead' || s.state === 'restarting');
      if (dead) {
        const exitCode = (await this.lastExitCode(dead.containerId)) ?? dead.exitCode ?? -1;
        throw new AppError('SERVICE_EXITED', {
          params: { service: dead.name, exitCode },
          detail: await this.lastLogLines(dead.containerId, 30),
        });
      }
      if (ready.length === longRunning.length) return;
      if (Date.now() > deadline) {
        const stuck = longRunning.filter((s) => !ready.includes(s));
        const unhealthy = stuck.find((s) => s.health === 'unhealthy');
        if (unhealthy) {
          throw new AppError('SERVICE_UNHEALTHY', {
            params: { service: unhealthy.name },
            detail: await this.lastLogLines(unhealthy.containerId, 30),
          });
        }
        const seconds = Math.round(timeoutMs / 1000);
        throw new AppError('SERVICES_NOT_READY', {
          params: { seconds, services: stuck.map((s) => s.name).join(', ') },
        });
      }
      await sleep(500, ctx.signal);
    }
  }

  /**
   * A crash-looping container is caught between runs ('restarting'/'exited', the last exit code) or
   * just restarted ('running', exit code reset to 0): look a few times for the former.
   */
  private async lastExitCode(containerId: string): Promise<number | null> {
    if (!containerId) return null;
    for (let attempt = 0; attempt < 15; attempt++) {
      const state = await this.docker
        .getContainer(containerId)
        .inspect()
        .then((i) => i.State)
        .catch(() => null);
      if (!state) return null;
      if (!state.Running || state.Restarting) return state.ExitCode;
      await sleep(200);
    }
    return null;
  }

  private async lastLogLines(containerId: string, lines: number): Promise<string> {
    if (!containerId) return '';
    try {
      const container = this.docker.getContainer(containerId);
      const info = await container.inspect();
      const buf = (await container.logs({
        stdout: true,
        stderr: true,
        tail: lines,
        follow: false,
      })) as unknown as Buffer;
      return demuxLogBuffer(
        Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)),
        Boolean(info.Config?.Tty),
      ).trimEnd();
    } catch {
      return '';
    }
  }
}

function dockerComponent(engine: EngineState): ComponentStatus {
  if (engine.state === 'running') {
    return {
      id: 'docker',
      state: 'running',
      detail: `Docker Engine ${engine.version} (API ${engine.apiVersion})`,
      reason: { key: 'stack.reason.dockerRunning', params: { version: engine.version } },
      error: null,
    };
  }
  const error =
    engine.state === 'not-installed'
      ? new AppError('DOCKER_NOT_INSTALLED')
      : new AppError('DOCKER_NOT_RUNNING', { detail: engine.reason });
  return { id: 'docker', state: 'unavailable', detail: error.message, reason: null, error: error.toInfo() };
}

function sameContent(a: StatusSnapshot, b: StatusSnapshot): boolean {
  return JSON.stringify({ ...a, updatedAt: 0 }) === JSON.stringify({ ...b, updatedAt: 0 });
}

function samePath(a: string | undefined, b: string, platform: NodeJS.Platform): boolean {
  if (!a) return false;
  const norm = (p: string) => p.replace(/[\\/]+$/, '');
  return platform === 'win32' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}
