/**
 * What Ollama and A1111 have in common as parts of the stack: one Supervisor (our process, if any),
 * the output kept for the view and the crash report, the job a start or stop reports into, and the
 * snapshot's process facts.
 */
import path from 'node:path';
import type { ComponentStatus, ProcessInfo } from '../core/contract';
import { AppError } from '../core/errors';
import type { JobContext } from '../core/jobs';
import type { SettingsView } from '../settings/contract';

type Settings = SettingsView['settings'];
import type { SupervisedId } from './contract';
import type { ProcessRegistry } from './registry';
import { Supervisor, type SupervisorOptions } from './supervisor';

export interface ComponentDeps {
  settings: () => Settings;
  registry: ProcessRegistry;
  program: 'app' | 'cli';
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** App data's `logs` folder: each program's output log lives there. */
  logDir: string;
  /** Something the snapshot shows changed (a start, an exit, a restart). */
  onChange: () => void;
}

/** Lines a view gets first when it opens a program's output (the log file keeps everything). */
export const KEPT_LINES = 2000;

export abstract class SupervisedComponent {
  readonly supervisor: Supervisor;
  private readonly kept: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  /** The job a start or stop of ours runs in: the program's lines go to its output too. */
  private job: JobContext | null = null;

  protected constructor(
    readonly id: SupervisedId,
    protected readonly deps: ComponentDeps,
    options: Pick<SupervisorOptions, 'ready' | 'gracefulStop' | 'quietTimeoutMs' | 'port'>,
  ) {
    this.supervisor = new Supervisor({
      ...options,
      component: id,
      registry: deps.registry,
      program: deps.program,
      platform: deps.platform,
      env: deps.env,
      logFile: path.join(deps.logDir, `${id}.log`),
      restart: { enabled: () => deps.settings().autoRestart },
      // A local GET every 100 ms while starting costs nothing and keeps "ready" within ~0.1 s of the
      // server serving (the supervise bench measures it).
      // The log is read once a second: the view's lines arrive within a second, the idle CPU stays low.
      timings: { readyPollMs: 100, logPollMs: 1000 },
      onChange: deps.onChange,
      onLine: (line) => this.line(line),
    });
  }

  /** The settings say enough to start it (an executable or a launcher folder). */
  abstract configured(): boolean;
  /** One look (HTTP probes and what we know of our process), as the snapshot shows it. */
  abstract status(): Promise<ComponentStatus>;
  /** Ready when it resolves; a server already answering is used as it is. */
  abstract start(ctx: JobContext, explicit: boolean): Promise<void>;
  /** `explicit`: asked for by name — a server we may not stop is an error then, a note otherwise. */
  abstract stop(ctx: JobContext, explicit: boolean): Promise<void>;

  lines(): string[] {
    return [...this.kept];
  }

  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `body` with the program's output also going into `ctx`. */
  protected async inJob<T>(ctx: JobContext, body: () => Promise<T>): Promise<T> {
    this.job = ctx;
    try {
      return await body();
    } finally {
      if (this.job === ctx) this.job = null;
    }
  }

  protected processInfo(owner: ProcessInfo['owner'], startable: boolean): ProcessInfo {
    const s = this.supervisor.state();
    return {
      owner,
      pid: s.pid,
      startable,
      restarts: s.restarts,
      lastExitCode: s.lastExitCode,
      lastLines: s.lastLines.slice(-30),
      logFile: s.startedAt !== null || s.lastExitCode !== null ? s.logFile : null,
    };
  }

  /** A status in error: its message as the detail line, the error for the view to explain. */
  protected errorFields(error: AppError): Pick<ComponentStatus, 'state' | 'detail' | 'reason' | 'error'> {
    const info = error.toInfo();
    return { state: 'error', detail: info.message, reason: null, error: info };
  }

  /** Our process ended by itself: its exit code and last lines (the restart, if any, is on its way). */
  protected crashError(name: string): AppError {
    const s = this.supervisor.state();
    return new AppError('PROCESS_EXITED', {
      params: { component: name, code: s.lastExitCode ?? '?', lastLine: s.lastLines.at(-1) ?? '' },
      detail: s.lastLines.join('\n'),
    });
  }

  /** Our own process's owner ('app' / 'cli'), when one of our programs started what runs now. */
  protected ourOwner(): 'app' | 'cli' | null {
    const s = this.supervisor.state();
    return s.running ? s.owner : null;
  }

  protected line(line: string): void {
    this.kept.push(line);
    if (this.kept.length > KEPT_LINES) this.kept.splice(0, this.kept.length - KEPT_LINES);
    this.job?.log(line);
    for (const listener of [...this.listeners]) listener(line);
  }

  dispose(): void {
    this.supervisor.dispose();
    this.listeners.clear();
  }
}
