/**
 * The stack's live status: the engine and the Dify project's services, read in one round of API
 * calls and written into the app snapshot's stack part. While watching, Docker events trigger a
 * re-read (folded by a short debounce) and, with the engine down, a look every few seconds.
 */
import type Docker from 'dockerode';
import type { AppSnapshotStore, SnapshotSlices } from '../core/app-snapshot';
import type { ComponentStatus, StatusSnapshot } from '../core/contract';
import { toErrorInfo } from '../core/errors';
import type { EngineState } from '../docker/engine';
import { COMPOSE_CONTAINER_EVENTS, DockerEventStream } from '../docker/events';
import type { ProjectResolver, ResolvedProject } from './project-resolver';
import { difyComponent, dockerComponent } from './status-model';

type StackPart = SnapshotSlices['stack'];

/** What the status reads the engine and the project through (the ProjectResolver; a fake in tests). */
export type StatusSource = Pick<
  ProjectResolver,
  'listComposeContainers' | 'probe' | 'resolve' | 'statusModel'
>;

/** Events say what changed; a short debounce folds a burst (compose up emits dozens) into one read. */
const EVENT_DEBOUNCE_MS = 60;

/** What the stack shows before its first look at the engine. */
export const UNCHECKED_STACK: StackPart = {
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
};

export class LiveStatus {
  /** The engine as last seen running (null: unknown or down). */
  private engine: Extract<EngineState, { state: 'running' }> | null = null;
  private readonly events: DockerEventStream;
  private watching = false;
  private disposed = false;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<StatusSnapshot> | null = null;
  private refreshAgain = false;

  constructor(
    private readonly resolver: StatusSource,
    private readonly store: AppSnapshotStore,
    docker: Pick<Docker, 'getEvents'>,
  ) {
    store.update('stack', UNCHECKED_STACK);
    this.events = new DockerEventStream(docker, {
      filters: COMPOSE_CONTAINER_EVENTS,
      onEvent: () => this.scheduleRefresh(),
      onLost: () => this.scheduleRefresh(),
      engineUp: async () => {
        const snap = await this.refresh();
        return snap.components.find((c) => c.id === 'docker')?.state === 'running';
      },
    });
  }

  /** Coalesces concurrent refreshes: one in flight, at most one more queued behind it. */
  refresh(): Promise<StatusSnapshot> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        let part: StackPart;
        do {
          this.refreshAgain = false;
          part = await this.read();
        } while (this.refreshAgain && !this.disposed);
        // After dispose the store may live on (it is the app's): leave it as the stack last saw it.
        return this.disposed ? this.store.get() : this.store.update('stack', part);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Begin following Docker events and engine availability. */
  async watch(): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    await this.refresh();
    await this.events.start();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.events.stop();
    await this.refreshing?.catch(() => undefined);
  }

  private scheduleRefresh(): void {
    if (this.disposed || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh().catch(() => undefined);
    }, EVENT_DEBOUNCE_MS);
  }

  private async read(): Promise<StackPart> {
    // The container list doubles as the liveness check: one engine round trip per snapshot. The
    // engine version is asked only when it is not known yet (first look, or after the engine was down).
    let all: Docker.ContainerInfo[] | null = null;
    try {
      all = await this.resolver.listComposeContainers();
    } catch {
      this.engine = null;
    }
    const engine: EngineState = all && this.engine ? this.engine : await this.resolver.probe();
    this.engine = engine.state === 'running' ? engine : null;
    const docker = dockerComponent(engine);
    if (engine.state !== 'running' || !all) {
      const reason =
        engine.state === 'not-installed' ? 'stack.reason.dockerNotInstalled' : 'stack.reason.dockerDown';
      const dify: ComponentStatus = {
        id: 'dify',
        state: 'unavailable',
        detail: 'Docker is not running',
        reason: { key: reason },
        error: null,
        services: [],
      };
      return { components: [docker, dify], project: null };
    }
    let resolved: ResolvedProject;
    try {
      resolved = await this.resolver.resolve(all);
    } catch (e) {
      const error = toErrorInfo(e);
      const unset = error.code === 'DIFY_DIR_NOT_SET' || error.code === 'DIFY_DIR_AMBIGUOUS';
      const state = unset ? 'unavailable' : 'error';
      const dify: ComponentStatus = {
        id: 'dify',
        state,
        detail: error.message,
        reason: null,
        error,
        services: [],
      };
      return { components: [docker, dify], project: null };
    }
    const { bin, model } = await this.resolver.statusModel(resolved);
    return {
      components: [docker, difyComponent(model, resolved.containers)],
      project: {
        dir: resolved.project.dir,
        name: resolved.project.projectName,
        composeVersion: bin ? `${bin.flavor} ${bin.version}` : null,
      },
    };
  }
}
