import { EventEmitter } from 'node:events';
import type { DetectedProject, DifyDirCheck, StatusSnapshot } from '../../electron/contract';
import { AppError } from '../../electron/core/errors';
import type { JobContext, JobHandle, JobManager } from '../../electron/core/jobs';
import type { StackApi } from '../../electron/stack/api';

export type JobScript = (ctx: JobContext) => Promise<void>;

export function snapshotOf(partial: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    components: [
      { id: 'docker', state: 'running', detail: 'Docker 20.10 is running', reason: null, error: null },
      {
        id: 'dify',
        state: 'stopped',
        detail: 'All services are stopped',
        reason: null,
        error: null,
        services: [],
      },
    ],
    project: null,
    plugins: { folders: [] },
    gpu: null,
    logs: null,
    updatedAt: 1,
    ...partial,
  };
}

/**
 * A StackApi for unit tests: real jobs (the real JobManager) running scripted steps, a settable
 * snapshot, and a record of what was called.
 */
export class FakeStack implements StackApi {
  readonly calls: string[] = [];
  snapshot: StatusSnapshot = snapshotOf();
  /** What each operation's job does; by default a step and one output line. */
  scripts: Record<'start' | 'stop' | 'down' | 'restart', JobScript> = {
    start: async (ctx) => {
      ctx.step('stack.steps.composeUp');
      ctx.log('Container docker-api-1  Started');
    },
    stop: async (ctx) => ctx.log('Container docker-api-1  Stopped'),
    down: async (ctx) => ctx.log('Container docker-api-1  Removed'),
    restart: async (ctx) => ctx.log('Container docker-api-1  Restarted'),
  };
  knownServices = ['api', 'worker', 'plugin_daemon'];
  disposed = false;
  private readonly events = new EventEmitter();

  constructor(private readonly jobs: JobManager) {}

  getSnapshot(): StatusSnapshot {
    return this.snapshot;
  }
  async refresh(): Promise<StatusSnapshot> {
    this.calls.push('refresh');
    this.emitSnapshot(this.snapshot);
    return this.snapshot;
  }
  onSnapshot(listener: (snapshot: StatusSnapshot) => void): () => void {
    this.events.on('snapshot', listener);
    return () => this.events.off('snapshot', listener);
  }
  emitSnapshot(snapshot: StatusSnapshot): void {
    this.snapshot = snapshot;
    this.events.emit('snapshot', snapshot);
  }
  async watch(): Promise<void> {
    this.calls.push('watch');
  }
  startStack(): JobHandle<void> {
    return this.job('start');
  }
  /** Not scripted in these tests: the job fails the way an unconfigured project would. */
  runProjectJob<T>(kind: string): JobHandle<T> {
    this.calls.push(`runProjectJob:${kind}`);
    return this.jobs.start({ kind, resource: 'compose:fake' }, async () => {
      throw new AppError('DIFY_DIR_NOT_SET');
    });
  }
  async openProject(): Promise<never> {
    this.calls.push('openProject');
    throw new AppError('DIFY_DIR_NOT_SET');
  }
  stopStack(): JobHandle<void> {
    return this.job('stop');
  }
  downStack(): JobHandle<void> {
    return this.job('down');
  }
  restartService(service: string): JobHandle<void> {
    this.calls.push(`restartService:${service}`);
    return this.jobs.start({ kind: 'stack.restartService', resource: 'compose:test' }, async (ctx) => {
      if (!this.knownServices.includes(service))
        throw new AppError('SERVICE_UNKNOWN', { params: { service } });
      await this.scripts.restart(ctx);
    });
  }
  async ensureEngineIn(ctx: JobContext): Promise<void> {
    this.calls.push('ensureEngineIn');
    ctx.step('stack.steps.checkingEngine');
  }
  /** The same scripts as the stack's own jobs, run inside the caller's (whole-stack) job. */
  async startDifyIn(ctx: JobContext): Promise<void> {
    this.calls.push('startDifyIn');
    await this.scripts.start(ctx);
  }
  async stopDifyIn(ctx: JobContext): Promise<void> {
    this.calls.push('stopDifyIn');
    await this.scripts.stop(ctx);
  }
  async downDifyIn(ctx: JobContext): Promise<void> {
    this.calls.push('downDifyIn');
    await this.scripts.down(ctx);
  }
  jobResource(): string {
    return 'compose:test';
  }
  async checkDifyDir(dir: string): Promise<DifyDirCheck> {
    this.calls.push(`checkDifyDir:${dir}`);
    return {
      dir,
      ok: false,
      error: new AppError('DIFY_DIR_NOT_FOUND', { params: { dir } }).toInfo(),
      composeFile: null,
    };
  }
  async detectDifyDirs(): Promise<DetectedProject[]> {
    this.calls.push('detectDifyDirs');
    return [{ dir: '/srv/dify/docker', project: 'docker', services: ['api', 'worker'] }];
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
    this.disposed = true;
  }

  private job(op: 'start' | 'stop' | 'down'): JobHandle<void> {
    this.calls.push(op);
    return this.jobs.start({ kind: `stack.${op}`, resource: 'compose:test' }, (ctx) => this.scripts[op](ctx));
  }
}
