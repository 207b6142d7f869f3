/**
 * The Docker + Dify capability as one `StackApi`: the live status (written into the app snapshot)
 * and the project jobs, over one engine connection and one view of which project is meant.
 */
import { lazyDocker, listContainersHttp } from '../docker/lazy-docker';
import { AppSnapshotStore } from '../core/app-snapshot';
import type { StatusSnapshot } from '../core/contract';
import type { JobContext, JobHandle, JobManager } from '../core/jobs';
import type { SettingsView } from '../settings/contract';
import type { OpenProject, ProjectJobTools, StackApi } from './api';
import type { DetectedProject, DifyDirCheck } from './contract';
import { ComposeLocator, type ComposeAvailability } from '../docker/compose-cli';
import { ProjectModelCache } from '../docker/compose-model';
import { dockerConnectionOptions } from '../docker/connection';
import type { ProjectLocks } from '../core/project-lock';
import { LiveStatus } from './live-status';
import { checkDifyDir } from './project';
import { ProjectJobs } from './project-jobs';
import { ProjectResolver } from './project-resolver';

export interface StackServiceOptions {
  jobs: JobManager;
  /** Read on every operation, so a changed setting applies without a restart. */
  getSettings: () => SettingsView['settings'];
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
  /** The app snapshot the status is written into; a store of its own when used alone (tests, benches). */
  snapshot?: AppSnapshotStore;
  /** One writer per project across the app and CLI runs (core/project-lock); none in unit tests. */
  locks?: ProjectLocks;
  lockWaitMs?: number;
  /** Where resolved project models are remembered between processes (app data). */
  modelsFile?: string;
}

export class StackService implements StackApi {
  private readonly store: AppSnapshotStore;
  private readonly resolver: ProjectResolver;
  private readonly status: LiveStatus;
  private readonly projectJobs: ProjectJobs;
  /** Listeners added through onSnapshot; the store may outlive the stack, so dispose drops them. */
  private readonly subscriptions = new Set<() => void>();

  constructor(options: StackServiceOptions) {
    const platform = options.platform ?? process.platform;
    const env = options.env ?? process.env;
    const connection = dockerConnectionOptions(platform, env);
    const docker = lazyDocker(connection);
    this.store = options.snapshot ?? new AppSnapshotStore();
    this.resolver = new ProjectResolver({
      docker,
      platform,
      env,
      getSettings: options.getSettings,
      difyDirOverride: options.difyDirOverride,
      composeLocator: new ComposeLocator(platform, options.composeAvailability),
      models: new ProjectModelCache(),
      modelsFile: options.modelsFile,
      listContainers: (filters) => listContainersHttp(connection, filters),
    });
    this.status = new LiveStatus(this.resolver, this.store, docker);
    this.projectJobs = new ProjectJobs({
      jobs: options.jobs,
      resolver: this.resolver,
      refresh: () => this.status.refresh(),
      platform,
      env,
      launchDockerDesktop: options.launchDockerDesktop,
      readyTimeoutMs: options.readyTimeoutMs,
      locks: options.locks,
      lockWaitMs: options.lockWaitMs,
    });
  }

  getSnapshot(): StatusSnapshot {
    return this.store.get();
  }

  onSnapshot(listener: (snapshot: StatusSnapshot) => void): () => void {
    const off = this.store.onChange(listener);
    const unsubscribe = () => {
      off();
      this.subscriptions.delete(unsubscribe);
    };
    this.subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  refresh(): Promise<StatusSnapshot> {
    return this.status.refresh();
  }

  watch(): Promise<void> {
    return this.status.watch();
  }

  startStack(): JobHandle<void> {
    return this.projectJobs.startStack();
  }

  stopStack(): JobHandle<void> {
    return this.projectJobs.stopStack();
  }

  downStack(): JobHandle<void> {
    return this.projectJobs.downStack();
  }

  restartService(service: string): JobHandle<void> {
    return this.projectJobs.restartService(service);
  }

  ensureEngineIn(ctx: JobContext): Promise<void> {
    return this.projectJobs.ensureEngineIn(ctx);
  }

  startDifyIn(ctx: JobContext): Promise<void> {
    return this.projectJobs.startDifyIn(ctx);
  }

  stopDifyIn(ctx: JobContext): Promise<void> {
    return this.projectJobs.stopDifyIn(ctx);
  }

  downDifyIn(ctx: JobContext): Promise<void> {
    return this.projectJobs.downDifyIn(ctx);
  }

  jobResource(): string {
    return this.projectJobs.jobResource();
  }

  runProjectJob<T>(
    kind: string,
    body: (ctx: JobContext, tools: ProjectJobTools) => Promise<T>,
  ): JobHandle<T> {
    return this.projectJobs.runProjectJob(kind, body);
  }

  openProject(): Promise<OpenProject> {
    return this.resolver.open();
  }

  checkDifyDir(dir: string): Promise<DifyDirCheck> {
    return checkDifyDir(dir);
  }

  detectDifyDirs(): Promise<DetectedProject[]> {
    return this.resolver.detect();
  }

  async dispose(): Promise<void> {
    for (const off of [...this.subscriptions]) off();
    await this.status.dispose();
  }
}
