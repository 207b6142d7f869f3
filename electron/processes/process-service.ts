/**
 * The processes capability as one `ProcessesApi`: Ollama and A1111 supervised beside Dify, written into
 * the app snapshot's `processes` part; the whole stack started and stopped in order as one job with a
 * step per component; the connectivity doctor.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import type { SnapshotPart } from '../core/app-snapshot';
import type { ComponentId, ComponentStatus } from '../core/contract';
import { AppError, toErrorInfo } from '../core/errors';
import type { JobContext, JobHandle, JobManager } from '../core/jobs';
import type { TopicSource } from '../core/subscriptions';
import { execInContainer } from '../docker/container-exec';
import type { SettingsView } from '../settings/contract';

type Settings = SettingsView['settings'];
import type { StackApi } from '../stack/api';
import { A1111Component } from './a1111-component';
import type { A1111VramClient, OllamaVramClient, ProcessesApi } from './api';
import type { DoctorReport, FieldCheck, SupervisedId } from './contract';
import { runDoctor } from './doctor';
import { answered, httpProbe } from './http-probe';
import { OllamaComponent } from './ollama-component';
import { findOllama, ollamaServerLog } from './ollama-install';
import { ProcessRegistry } from './registry';
import { planSteps, type PlannedStep } from './stack-plan';
import type { ComponentDeps, SupervisedComponent } from './supervised-component';

export interface ProcessServiceOptions {
  jobs: JobManager;
  stack: StackApi;
  settings: () => Settings;
  snapshot: SnapshotPart<'processes'>;
  /** The per-user, per-machine data folder (settings/paths.ts localDataDir): the registry and the logs. */
  dataDir: string;
  program: 'app' | 'cli';
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** The engine client, for the doctor's exec in Dify's containers. */
  docker: () => Docker;
  /** How often the app looks at Ollama and A1111 while nothing is starting (ms). */
  pollMs?: number;
}

const IDLE_POLL_MS = 5000;
const BUSY_POLL_MS = 1000;

export class ProcessService implements ProcessesApi {
  readonly ollama: OllamaComponent;
  readonly a1111: A1111Component;
  private readonly components: Record<SupervisedId, SupervisedComponent>;
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private doctorReport: DoctorReport | null = null;
  private lastLook: ComponentStatus[] = [];
  private disposed = false;

  constructor(private readonly options: ProcessServiceOptions) {
    this.platform = options.platform ?? process.platform;
    this.env = options.env ?? process.env;
    const deps: ComponentDeps = {
      settings: options.settings,
      registry: new ProcessRegistry({
        file: path.join(options.dataDir, 'processes.json'),
        platform: this.platform,
        env: this.env,
      }),
      program: options.program,
      platform: this.platform,
      env: this.env,
      logDir: path.join(options.dataDir, 'logs'),
      onChange: () => void this.refresh().catch(() => undefined),
    };
    this.ollama = new OllamaComponent(deps);
    this.a1111 = new A1111Component(deps);
    this.components = { ollama: this.ollama, a1111: this.a1111 };
  }

  startComponents(ids?: readonly ComponentId[]): JobHandle<void> {
    return this.sequence('start', ids);
  }

  stopComponents(ids?: readonly ComponentId[], options: { remove?: boolean } = {}): JobHandle<void> {
    return this.sequence('stop', ids, options.remove ?? false);
  }

  /** One job for the whole plan: a failed step does not keep the others from running; the first failure ends it. */
  private sequence(
    action: 'start' | 'stop',
    ids: readonly ComponentId[] | undefined,
    remove = false,
  ): JobHandle<void> {
    const { jobs, stack, settings } = this.options;
    const verb = remove ? 'down' : action;
    // The whole stack has the stack's job titles ("Start stack"); named components their own.
    const kind = ids && ids.length > 0 ? `components.${verb}` : `stack.${verb}`;
    return jobs.start({ kind, resource: stack.jobResource() }, async (ctx) => {
      await this.attachAll();
      const steps = planSteps(action, ids, settings(), (id) => this.configured(id));
      const failures: { step: PlannedStep; error: unknown }[] = [];
      for (const [i, step] of steps.entries()) {
        ctx.throwIfCancelled();
        ctx.progress(i / Math.max(steps.length, 1));
        try {
          await (action === 'start' ? this.startOne(ctx, step) : this.stopOne(ctx, step, remove));
        } catch (e) {
          if (e instanceof AppError && e.code === 'CANCELLED') throw e;
          failures.push({ step, error: e });
          // Said now when later steps still run; the job's own error says it at the end.
          if (i < steps.length - 1) ctx.log(`${step.id}: ${toErrorInfo(e).message}`);
          // Dify without its engine cannot start; everything else is worth trying on its own.
          if (action === 'start' && step.id === 'docker') break;
        } finally {
          await this.refresh().catch(() => undefined);
        }
      }
      ctx.progress(1);
      if (
        action === 'start' &&
        failures.length === 0 &&
        steps.some((s) => s.id !== 'docker' && s.id !== 'dify')
      )
        await this.doctorStep(ctx, steps);
      if (failures.length > 0) throw failures[0]?.error;
      ctx.step('stack.steps.done');
    });
  }

  private async startOne(ctx: JobContext, step: PlannedStep): Promise<void> {
    if (step.id === 'docker') return this.options.stack.ensureEngineIn(ctx);
    if (step.id === 'dify') return this.options.stack.startDifyIn(ctx);
    const component = this.components[step.id];
    if (!component.configured() && step.id === 'ollama' && !step.explicit) return;
    return component.start(ctx, step.explicit);
  }

  private async stopOne(ctx: JobContext, step: PlannedStep, remove: boolean): Promise<void> {
    if (step.id === 'docker') throw new AppError('DOCKER_STOP_UNSUPPORTED');
    if (step.id === 'dify')
      return remove ? this.options.stack.downDifyIn(ctx) : this.options.stack.stopDifyIn(ctx);
    return this.components[step.id].stop(ctx, step.explicit);
  }

  /** After a Start that included Ollama or A1111: can Dify's containers reach them? A warning, not a failure. */
  private async doctorStep(ctx: JobContext, steps: PlannedStep[]): Promise<void> {
    if (!steps.some((s) => s.id === 'dify')) return;
    ctx.step('processes.steps.doctor');
    const report = await this.runDoctor().catch(() => null);
    if (!report) return;
    for (const check of report.checks.filter((c) => c.outcome === 'failed'))
      ctx.log(`Warning: ${check.from} → ${check.url}: ${check.detail}`);
    if (report.ok) ctx.log('Dify can reach Ollama and AUTOMATIC1111.');
  }

  configured(id: ComponentId): boolean {
    if (id === 'docker' || id === 'dify') return true;
    return this.components[id].configured();
  }

  refresh(): Promise<void> {
    // One look at a time; a change during a look asks for one more after it.
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          // What another program of ours started since the last look is ours to show (and stop).
          await this.attachAll();
          const components: ComponentStatus[] = await Promise.all([
            this.ollama.status(),
            this.a1111.status(),
          ]);
          this.lastLook = components;
          if (!this.disposed) this.options.snapshot.set({ components });
        } while (this.refreshAgain && !this.disposed);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  watch(options: { supervise?: boolean } = {}): void {
    if (this.timer || this.disposed) return;
    void this.attachAll().then(() => {
      if (options.supervise === false || this.disposed) return;
      for (const c of Object.values(this.components)) c.supervisor.watch();
    });
    const tick = async (): Promise<void> => {
      await this.refresh().catch(() => undefined);
      if (this.disposed) return;
      const busy = Object.values(this.components).some((c) => c.supervisor.state().starting);
      this.timer = setTimeout(() => void tick(), busy ? BUSY_POLL_MS : (this.options.pollMs ?? IDLE_POLL_MS));
      this.timer.unref?.();
    };
    void tick();
  }

  /** What another program of ours (a CLI run, the app) started is followed like our own. */
  private async attachAll(): Promise<void> {
    await Promise.all(Object.values(this.components).map((c) => c.supervisor.attach().catch(() => false)));
  }

  async checkSettings(input: { ollamaPath: string; a1111Dir: string; a1111Port: number }): Promise<{
    ollamaPath: FieldCheck;
    a1111Dir: FieldCheck;
    a1111Port: FieldCheck;
  }> {
    const install = findOllama({ setting: input.ollamaPath, platform: this.platform, env: this.env });
    const found = install.desktopApp ?? install.serve;
    const ollamaPath: FieldCheck = found
      ? { ok: true, found, error: null }
      : {
          ok: false,
          found: null,
          error: new AppError('OLLAMA_NOT_FOUND', { params: { looked: install.looked.join(', ') } }).toInfo(),
        };
    let a1111Dir: FieldCheck = { ok: true, found: null, error: null };
    if (input.a1111Dir.trim()) {
      try {
        a1111Dir = { ok: true, found: this.a1111.checkDir(input.a1111Dir), error: null };
      } catch (e) {
        a1111Dir = { ok: false, found: null, error: toErrorInfo(e) };
      }
    }
    return { ollamaPath, a1111Dir, a1111Port: await this.checkPort(input.a1111Port) };
  }

  /** A port is fine when it is free or A1111 answers there; anything else is another program's. */
  private async checkPort(port: number): Promise<FieldCheck> {
    const probe = await httpProbe(`http://127.0.0.1:${port}/internal/ping`, 1500);
    if (!answered(probe)) {
      if (probe.error === 'ECONNREFUSED') return { ok: true, found: null, error: null };
      // Something accepted the connection but spoke no HTTP in time: a program that is not A1111.
      if (probe.error !== 'TimeoutError' && probe.error !== 'UND_ERR_SOCKET')
        return { ok: true, found: null, error: null };
    } else if (probe.status === 200 && probe.body.trim() === '{}') {
      return { ok: true, found: 'AUTOMATIC1111', error: null };
    }
    return {
      ok: false,
      found: null,
      error: new AppError('PORT_TAKEN', { params: { port, component: 'AUTOMATIC1111' } }).toInfo(),
    };
  }

  async runDoctor(): Promise<DoctorReport> {
    const settings = this.options.settings();
    const components = (['ollama', 'a1111'] as const).filter((id) => this.configured(id) || id === 'ollama');
    let containers: { id: string; service: string; state: string }[] = [];
    try {
      containers = (await this.options.stack.openProject()).containers;
    } catch (e) {
      const report: DoctorReport = {
        ok: false,
        container: null,
        checks: [],
        error: toErrorInfo(e),
        finishedAt: Date.now(),
      };
      this.doctorReport = report;
      return report;
    }
    const docker = this.options.docker;
    const report = await runDoctor({
      containers,
      components,
      targets: {
        ollamaUrl: settings.ollamaUrlFromDify || 'http://host.docker.internal:11434',
        a1111Url: settings.a1111UrlFromDify || `http://host.docker.internal:${settings.a1111Port}`,
      },
      local: {
        ollamaUrl: this.ollama.endpoint().endpoint.url,
        a1111Url: this.configured('a1111') ? this.a1111.url() : null,
      },
      exec: (id, cmd, timeoutMs) => execInContainer(docker(), id, cmd, { timeoutMs }),
      platform: this.platform,
    });
    this.doctorReport = report;
    return report;
  }

  lastDoctor(): DoctorReport | null {
    return this.doctorReport;
  }

  vramClients(): { ollama: OllamaVramClient | null; a1111: A1111VramClient | null } {
    const seen = (id: SupervisedId) => this.lastLook.find((c) => c.id === id);
    const a1111 = seen('a1111');
    return {
      ollama: seen('ollama')?.state === 'running' ? this.ollama.client() : null,
      // 'starting' with the API up: the checkpoint is loading, and its memory already counts.
      a1111:
        (a1111?.state === 'running' || a1111?.state === 'starting') && a1111.a1111?.api
          ? this.a1111.client()
          : null,
    };
  }

  logFileOf(component: SupervisedId): { file: string | null; running: boolean } {
    const state = this.components[component].supervisor.state();
    // Ours (started by the app or a CLI run, found through the registry): its output file. The desktop
    // app we may have launched prints nothing there; its serve writes server.log.
    if (state.running && state.kind !== 'desktop-app') return { file: state.logFile, running: true };
    if (component === 'ollama') {
      const serverLog = ollamaServerLog(this.platform, this.env);
      if (serverLog) {
        const seen = this.lastLook.find((c) => c.id === 'ollama');
        return { file: serverLog, running: seen?.state === 'running' };
      }
    }
    return { file: state.logFile, running: false };
  }

  outputSource(): TopicSource<{ component: SupervisedId }, string> {
    return ({ component }, sink) => {
      const c = this.components[component];
      sink.pushMany(c.lines());
      return c.onLine((line) => sink.push(line));
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of Object.values(this.components)) c.dispose();
    await this.refreshing?.catch(() => undefined);
  }
}
