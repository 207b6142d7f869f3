/**
 * AUTOMATIC1111 as a part of the stack. "Usable from Dify" means its API answers (it was started with
 * `--api`) AND a checkpoint is loaded — `Running on local URL` is printed before the API exists and the
 * model loads on a background thread after it (facts.md). A first run installs for many minutes: its
 * phase and last line are shown, and the start waits as long as it keeps printing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { AppError } from '../core/errors';
import type { A1111Info, ComponentStatus } from '../core/contract';
import type { JobContext } from '../core/jobs';
import { A1111Client } from './a1111-client';
import { a1111Launcher, a1111LaunchSpec } from './a1111-launch';
import { INITIAL_A1111_PROGRESS, foldA1111Line, type A1111Progress } from './a1111-output';
import { answered, httpProbe } from './http-probe';
import { SupervisedComponent, type ComponentDeps } from './supervised-component';

export class A1111Component extends SupervisedComponent {
  /** What its output said so far in the run we follow (ours, or one another program of ours started). */
  private progress: A1111Progress = INITIAL_A1111_PROGRESS;

  constructor(deps: ComponentDeps) {
    super('a1111', deps, {
      port: deps.settings().a1111Port,
      ready: () => this.usable(),
      // Silent stretches: a large checkpoint loading from a slow disk, pip resolving. Output resets it.
      quietTimeoutMs: 10 * 60_000,
      // Accepted only when it runs with --api-server-stop; otherwise the tree kill follows at once.
      gracefulStop: () => this.client().serverStop(),
    });
  }

  url(): string {
    return `http://127.0.0.1:${this.deps.settings().a1111Port}`;
  }

  client(): A1111Client {
    return new A1111Client(this.url(), { timeoutMs: 2000 });
  }

  configured(): boolean {
    return this.deps.settings().a1111Dir.trim() !== '';
  }

  /** The folder holds A1111's launcher; throws what to fix otherwise. */
  checkDir(dir = this.deps.settings().a1111Dir): string {
    const launcher = a1111Launcher(dir, this.deps.platform);
    if (!dir.trim() || !isDir(dir)) throw new AppError('A1111_DIR_NOT_FOUND', { params: { dir } });
    if (!existsSync(launcher.launcher))
      throw new AppError('A1111_LAUNCHER_MISSING', {
        params: { dir, launcher: this.deps.platform === 'win32' ? 'webui.bat' : 'webui.sh' },
      });
    return launcher.launcher;
  }

  protected override line(line: string): void {
    this.progress = foldA1111Line(this.progress, line);
    super.line(line);
  }

  async status(): Promise<ComponentStatus> {
    const url = this.url();
    const startable = this.configured();
    const sup = this.supervisor.state();
    const client = this.client();
    const models = await client.sdModels();
    const base = { id: 'a1111' as const };
    if (models.state === 'ok' || models.state === 'unauthorized') {
      const [checkpoint, progress] = await Promise.all([
        client.checkpoint().catch(() => null),
        client.progress().catch(() => null),
      ]);
      const loaded = this.progress.checkpointLoaded || checkpoint !== null;
      const a1111: A1111Info = {
        url,
        phase: loaded ? 'ready' : 'loading-model',
        phaseLine: loaded ? null : this.progress.line,
        api: true,
        checkpoint,
        progress: progress?.active ? { fraction: progress.fraction, etaSeconds: progress.etaSeconds } : null,
      };
      return {
        ...base,
        state: loaded ? 'running' : 'starting',
        detail: loaded
          ? `AUTOMATIC1111 at ${url}, checkpoint ${checkpoint ?? '(loaded)'}`
          : `AUTOMATIC1111 at ${url} is loading its checkpoint`,
        reason: loaded
          ? { key: 'processes.reason.a1111Ready', params: { checkpoint: checkpoint ?? '—' } }
          : { key: 'processes.reason.a1111LoadingModel' },
        error: null,
        process: this.processInfo(this.ourOwner() ?? 'external', startable),
        a1111,
      };
    }
    const info = (phase: A1111Info['phase'], api: boolean): A1111Info => ({
      url,
      phase,
      phaseLine: this.progress.line,
      api,
      checkpoint: null,
      progress: null,
    });
    if (models.state === 'no-api') {
      // It runs, but without the API Dify cannot use it (facts.md: /sdapi answers 404 then).
      return {
        ...base,
        ...this.errorFields(new AppError('A1111_NO_API', { params: { url } })),
        process: this.processInfo(this.ourOwner() ?? 'external', startable),
        a1111: info('ready', false),
      };
    }
    const process = this.processInfo(null, startable);
    if (sup.starting || (sup.running && !sup.crashed) || models.state === 'starting') {
      const phase =
        this.progress.phase === 'stopped' || this.progress.phase === 'ready'
          ? 'launching'
          : this.progress.phase;
      return {
        ...base,
        state: 'starting',
        detail: `AUTOMATIC1111 is starting (${phase})${this.progress.line ? `: ${this.progress.line}` : ''}`,
        reason: { key: `processes.reason.a1111Phase.${phase}` },
        error: null,
        process,
        a1111: info(phase, false),
      };
    }
    if (sup.crashed) {
      return {
        ...base,
        ...this.errorFields(this.crashError('AUTOMATIC1111')),
        process,
        a1111: info('stopped', false),
      };
    }
    if (!startable)
      return {
        ...base,
        state: 'unavailable',
        detail: 'AUTOMATIC1111 is not set up (no folder in the settings)',
        reason: { key: 'processes.reason.a1111NotConfigured' },
        error: null,
        process,
      };
    return {
      ...base,
      state: 'stopped',
      detail: `AUTOMATIC1111 is not running (${url})`,
      reason: { key: 'processes.reason.stopped' },
      error: null,
      process,
      a1111: info('stopped', false),
    };
  }

  start(ctx: JobContext, explicit: boolean): Promise<void> {
    return this.inJob(ctx, async () => {
      const settings = this.deps.settings();
      if (!this.configured()) {
        if (explicit)
          throw new AppError('COMPONENT_NOT_CONFIGURED', { params: { component: 'AUTOMATIC1111' } });
        return;
      }
      ctx.step('processes.steps.a1111Starting');
      const client = this.client();
      const models = await client.sdModels();
      if (models.state === 'no-api') throw new AppError('A1111_NO_API', { params: { url: this.url() } });
      if (models.state === 'starting') {
        // Started a moment ago (by us from another program, or by the user): wait for it, never a second one.
        ctx.log(`AUTOMATIC1111 is starting at ${this.url()}; waiting for it.`);
        await this.waitUsable(ctx);
        return;
      }
      if (models.state !== 'down') {
        ctx.log(`AUTOMATIC1111 already answers at ${this.url()}; using it as it is.`);
        return;
      }
      const taken = await httpProbe(`${this.url()}/internal/ping`, 1500);
      if (answered(taken))
        throw new AppError('PORT_TAKEN', {
          params: { port: settings.a1111Port, component: 'AUTOMATIC1111' },
        });
      const launcher = this.checkDir(settings.a1111Dir);
      const { platform, env } = this.deps;
      const userBat =
        platform === 'win32' ? readIfExists(a1111Launcher(settings.a1111Dir, platform).userFile) : null;
      const { spec, dropped } = a1111LaunchSpec({
        dir: settings.a1111Dir,
        platform,
        baseEnv: env,
        port: settings.a1111Port,
        listen: settings.a1111Listen,
        extraArgs: settings.a1111Args,
        userBatText: userBat,
      });
      if (dropped.length > 0)
        ctx.log(`Left out of COMMANDLINE_ARGS (the app's settings decide them): ${dropped.join(' ')}`);
      ctx.log(`$ ${spec.command} ${spec.args.join(' ')}   (${launcher})`);
      this.progress = INITIAL_A1111_PROGRESS;
      let phase: string | null = null;
      const off = this.onLine(() => {
        if (this.progress.phase === phase) return;
        phase = this.progress.phase;
        ctx.step(`processes.steps.a1111Phase.${phase}`);
      });
      try {
        await this.supervisor.start(spec, ctx.signal);
      } finally {
        off();
      }
    });
  }

  stop(ctx: JobContext, explicit: boolean): Promise<void> {
    return this.inJob(ctx, async () => {
      ctx.step('processes.steps.a1111Stopping');
      if (await this.deps.registry.get('a1111')) {
        await this.supervisor.stop(ctx.signal);
        this.progress = INITIAL_A1111_PROGRESS;
        return;
      }
      const running = (await httpProbe(`${this.url()}/internal/ping`, 1500)) as { status?: number };
      if (running.status === undefined) {
        ctx.log('AUTOMATIC1111 is not running.');
        return;
      }
      // Not started by us: its process tree is unknown to us, so only its own API could stop it.
      if (await this.client().serverStop()) {
        ctx.log('Asked AUTOMATIC1111 to stop through its API (/sdapi/v1/server-stop).');
        return;
      }
      if (explicit)
        throw new AppError('PROCESS_STOP_FAILED', { params: { component: 'AUTOMATIC1111', pid: '?' } });
      ctx.log(`AUTOMATIC1111 at ${this.url()} was started outside this app; it is left running.`);
    });
  }

  private async waitUsable(ctx: JobContext): Promise<void> {
    const deadline = Date.now() + 10 * 60_000;
    while (!(await this.usable())) {
      ctx.throwIfCancelled();
      if (Date.now() > deadline)
        throw new AppError('PROCESS_START_TIMEOUT', {
          params: { component: 'AUTOMATIC1111', seconds: 600, quietSeconds: 600 },
        });
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Ready for Dify: the API answers and a checkpoint is loaded. */
  private async usable(): Promise<boolean> {
    const client = this.client();
    if ((await client.sdModels()).state !== 'ok') return false;
    return this.progress.checkpointLoaded || (await client.checkpoint().catch(() => null)) !== null;
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
