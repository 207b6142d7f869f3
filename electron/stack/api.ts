/**
 * What the rest of the app (IPC handlers, tray, CLI, E2E harness) may ask of the Docker/Dify
 * capability. Implemented by `StackService` in this folder (live status + project jobs).
 */
import type { StatusSnapshot } from '../core/contract';
import type { DetectedProject, DifyDirCheck } from './contract';
import type { JobContext, JobHandle } from '../core/jobs';
import type { ComposeBinary } from '../docker/compose-cli';
import type { ProjectModel } from '../docker/compose-model';
import type { DifyProject } from './project';
import type { ContainerFacts } from './status-model';

export interface OpenProject {
  project: DifyProject;
  bin: ComposeBinary;
  model: ProjectModel;
  containers: ContainerFacts[];
}

export interface ProjectJobTools extends OpenProject {
  /** Runs compose on the project, streaming its output into the job; throws compose's failure. */
  compose(args: string[], options?: { tolerateLeakedEndpoint?: boolean }): Promise<void>;
  /** Until the named services (all when null) run and pass health checks; throws on exit or time-out. */
  waitForReady(services: string[] | null, timeoutMs?: number): Promise<void>;
  /** The current container id of every service of the project ('' when it has none). */
  containerIds(): Promise<Record<string, string>>;
}

export interface StackApi {
  /** The app snapshot the stack writes into (cheap; its part kept live by Docker events while watching). */
  getSnapshot(): StatusSnapshot;
  /** A full re-read of the stack's part from the engine (one round of API calls); the app snapshot after it. */
  refresh(): Promise<StatusSnapshot>;
  /** Every change of the app snapshot, whichever part changed; bursts in one tick are heard once. */
  onSnapshot(listener: (snapshot: StatusSnapshot) => void): () => void;
  /** Begin following Docker events and engine availability (the app does; a one-shot CLI does not). */
  watch(): Promise<void>;

  /** Engine up (starting Docker Desktop on Windows if needed) → `compose up -d` → wait until running. */
  startStack(): JobHandle<void>;
  /** `compose stop`: containers kept, next start is quick. */
  stopStack(): JobHandle<void>;
  /** `compose down`: containers and networks removed (volumes kept). */
  downStack(): JobHandle<void>;
  restartService(service: string): JobHandle<void>;

  /**
   * The same steps inside another job (the whole stack's: engine → Ollama → A1111 → Dify), still
   * holding the project's cross-process lock for the Dify part.
   */
  ensureEngineIn(ctx: JobContext): Promise<void>;
  startDifyIn(ctx: JobContext): Promise<void>;
  stopDifyIn(ctx: JobContext): Promise<void>;
  downDifyIn(ctx: JobContext): Promise<void>;
  /** The resource project jobs are serialized on; a whole-stack job takes the same one. */
  jobResource(): string;

  /**
   * Any other compose work on the Dify project (timeout apply, plugin signature fix), as a job
   * serialized with start/stop/restart: never two compose operations on one project at once.
   */
  runProjectJob<T>(kind: string, body: (ctx: JobContext, tools: ProjectJobTools) => Promise<T>): JobHandle<T>;
  /** The project as it is now (folder, Compose, resolved services, containers); read-only, no job. */
  openProject(): Promise<OpenProject>;

  checkDifyDir(dir: string): Promise<DifyDirCheck>;
  /** Dify projects seen in containers' compose labels (running or stopped). */
  detectDifyDirs(): Promise<DetectedProject[]>;

  dispose(): Promise<void>;
}
