/**
 * One supervised program (Ollama's `serve`, A1111's launcher): start it detached and wait until it is
 * usable, stop it with everything it started, follow its output, and — in the app — notice a crash and
 * start it again with a growing delay.
 *
 * The app (long-lived) and the `dify-stack` CLI (one-shot) both start and stop these programs. What the
 * CLI starts must outlive the CLI, so a program is never tied to the program that started it: its own
 * process group / console (detached), no pipes (its output goes straight into a log file), unref'd. The
 * process registry says who runs it, so the app and the next CLI run find it, follow its log and can
 * stop it — after checking its start time, so a reused pid is never taken for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { cancellableDelay } from '../core/cancellable-delay';
import { childEnv } from '../core/child-process';
import { AppError } from '../core/errors';
import { processStartTimeOf } from '../core/process-start-time';
import { LogFollower, openChildLog, rotateLog } from './process-log';
import { killOrphans, processRunning, terminateTree } from './process-tree';
import type { RegistryEntry } from './registry';
import { endProgram } from './stop-sequence';
import type { LaunchSpec, SupervisorOptions, SupervisorState, SupervisorTimings } from './supervisor-info';

export type { LaunchSpec, SupervisorOptions, SupervisorState, SupervisorTimings } from './supervisor-info';

/** How a process ended: its exit code, or the signal that ended it; both null when another program's. */
interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Lines of output an error's detail carries. */
const DETAIL_LINES = 30;

export class Supervisor {
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timings: Required<SupervisorTimings>;

  private child: ChildProcess | null = null;
  /** Set by our child's 'exit' (an attached pid's ending is found by looking). */
  private ending: Ending | null = null;
  private pid: number | null = null;
  private entry: RegistryEntry | null = null;
  private follower: LogFollower | null = null;
  private spec: LaunchSpec | null = null;

  private starting = false;
  private running = false;
  private stopping = false;
  private disposed = false;
  private watching = false;
  /** Cleared by stop(): a program the user stopped is not started again. */
  private autoRestart = false;
  private attempts = 0;
  private restarts = 0;
  private lastExitCode: number | null = null;
  private crashed = false;
  private readyAt: number | null = null;
  private nextRestartAt: number | null = null;

  private launching: Promise<void> | null = null;
  private launchAbort: AbortController | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private aliveTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SupervisorOptions) {
    this.platform = opts.platform ?? process.platform;
    this.env = opts.env ?? process.env;
    this.timings = {
      readyPollMs: opts.timings?.readyPollMs ?? 250,
      readyTimeoutMs: opts.timings?.readyTimeoutMs ?? 2_000,
      alivePollMs: opts.timings?.alivePollMs ?? 2_000,
      logPollMs: opts.timings?.logPollMs ?? 500,
    };
  }

  state(): SupervisorState {
    return {
      pid: this.pid,
      owner: this.pid === null ? null : (this.entry?.startedBy ?? this.opts.program),
      kind: this.pid === null ? null : (this.entry?.kind ?? 'child'),
      running: this.running,
      starting: this.starting,
      restarts: this.restarts,
      lastExitCode: this.lastExitCode,
      lastLines: this.follower?.lines() ?? [],
      logFile: this.entry?.logFile ?? this.opts.logFile,
      startedAt: this.entry?.startedAt ?? null,
      crashed: this.crashed,
      nextRestartAt: this.nextRestartAt,
    };
  }

  /** Looks the component up in the registry (started by this or another program) and follows it. */
  async attach(): Promise<boolean> {
    if (this.pid !== null && this.alive()) return true;
    const entry = await this.opts.registry.get(this.opts.component);
    if (!entry || this.disposed) return false;
    this.autoRestart = true; // It runs and nobody stopped it: a crash is a crash whoever started it.
    await this.adopt(entry);
    return true;
  }

  /**
   * Starts it and resolves once `ready` says it is usable. One already running (ours, or another
   * program's found in the registry) is not started twice: it is followed and waited for.
   */
  async start(spec: LaunchSpec, signal: AbortSignal): Promise<void> {
    // A start or restart in flight finishes first; then this one finds it running, or tries itself.
    while (this.launching) await this.launching.catch(() => undefined);
    const run = this.startOrJoin(spec, signal);
    this.launching = run;
    try {
      await run;
    } finally {
      if (this.launching === run) this.launching = null;
    }
  }

  private async startOrJoin(spec: LaunchSpec, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AppError('CANCELLED');
    this.cancelRestart();
    this.spec = spec;
    this.autoRestart = true;
    this.attempts = 0;
    this.restarts = 0;
    this.crashed = false;
    const abort = new AbortController(); // stop() ends a start in flight through it
    this.launchAbort = abort;
    const both = AbortSignal.any([signal, abort.signal]);
    try {
      if ((this.pid !== null && this.alive()) || (await this.attach())) return await this.untilReady(both);
      await this.launch(spec, both);
    } finally {
      if (this.launchAbort === abort) this.launchAbort = null;
    }
  }

  /** Waits for `ready` on what already runs (a start of another program, maybe still installing). */
  private async untilReady(signal: AbortSignal): Promise<void> {
    this.starting = true;
    this.changed();
    try {
      await this.waitReady(signal, false);
    } finally {
      this.starting = false;
      this.changed();
    }
  }

  /**
   * rotateLog, spawn detached (posix: own process group; win32: detached + windowsHide), stdin ignored,
   * stdout/stderr → the log file, unref'd; into the registry; follow the log; poll `ready`.
   */
  private async launch(spec: LaunchSpec, signal: AbortSignal): Promise<void> {
    this.starting = true;
    this.running = false;
    this.changed();
    try {
      // A file still held by a leftover (Windows will not rename it) is appended to instead.
      await rotateLog(this.opts.logFile).catch(() => undefined);
      const fd = await openChildLog(this.opts.logFile);
      const follower = this.follow(this.opts.logFile, true);
      let child: ChildProcess;
      try {
        child = spawn(spec.command, spec.args, {
          cwd: spec.cwd,
          env: childEnv(spec.env),
          detached: true,
          stdio: ['ignore', fd, fd],
          windowsHide: true,
          windowsVerbatimArguments: spec.windowsVerbatimArguments,
        });
      } finally {
        closeSync(fd); // The child has its own copy.
      }
      const failed = new Promise<Error>((resolve) => child.once('error', resolve));
      if (child.pid === undefined) {
        const e = await failed;
        const code = (e as NodeJS.ErrnoException).code ?? 'spawn';
        throw new AppError('PROCESS_EXITED', {
          params: { component: this.opts.component, code, lastLine: e.message },
          detail: `${spec.command}: ${e.message}`,
        });
      }
      child.unref(); // A CLI run ends while the program goes on.
      this.child = child;
      this.ending = null;
      this.pid = child.pid;
      child.once('exit', (code, sig) => this.onChildExit(child, { code, signal: sig }));
      const entry: RegistryEntry = {
        component: this.opts.component,
        pid: child.pid,
        processStart: await processStartTimeOf(child.pid, { platform: this.platform, env: this.env }),
        command: spec.command,
        args: spec.args,
        cwd: spec.cwd,
        port: this.opts.port,
        startedBy: this.opts.program,
        kind: spec.kind ?? 'child',
        startedAt: Date.now(),
        logFile: this.opts.logFile,
      };
      this.entry = entry;
      try {
        await this.opts.registry.add(entry);
      } catch (e) {
        await this.endStarted(); // Nobody could find it again to stop it.
        throw e;
      }
      follower.start();
      await this.waitReady(signal, true);
    } finally {
      this.starting = false;
      this.changed();
    }
  }

  /**
   * Polls `ready` until true. Ends before ready → PROCESS_EXITED; quiet too long → stopped, then
   * PROCESS_START_TIMEOUT; the signal → stopped (when we started it), then CANCELLED.
   */
  private async waitReady(signal: AbortSignal, ours: boolean): Promise<void> {
    const follower = this.follower;
    const begun = Date.now();
    let lastActivity = begun;
    let received = follower?.received() ?? 0;
    const quietMs = this.opts.quietTimeoutMs ?? 180_000;
    for (;;) {
      if (this.disposed) throw new AppError('CANCELLED'); // Never kills: detached on purpose.
      if (signal.aborted) {
        if (ours) await this.endStarted();
        throw new AppError('CANCELLED');
      }
      await follower?.poll();
      if (follower && follower.received() !== received) {
        received = follower.received();
        lastActivity = Date.now();
      }
      const ended = this.endedBeforeReady();
      if (ended) {
        await this.settleEnded(ended);
        throw this.exitedError(ended);
      }
      if (await this.probe(signal)) {
        this.running = true;
        this.readyAt = Date.now();
        return;
      }
      const quiet = Date.now() - lastActivity;
      if (quiet >= quietMs) {
        if (ours) await this.endStarted();
        throw new AppError('PROCESS_START_TIMEOUT', {
          params: {
            component: this.opts.component,
            seconds: Math.round((Date.now() - begun) / 1000),
            quietSeconds: Math.round(quiet / 1000),
          },
          detail: this.tail(),
        });
      }
      await cancellableDelay(this.timings.readyPollMs, signal).catch(() => undefined);
    }
  }

  /** Our child's exit, or (attached) its pid no longer running. */
  private endedBeforeReady(): Ending | null {
    if (this.child) return this.ending;
    return this.pid !== null && !processRunning(this.pid, this.platform)
      ? { code: null, signal: null }
      : null;
  }

  /** One `ready` call, bounded by its own timeout; a throw is "not ready". */
  private async probe(signal: AbortSignal): Promise<boolean> {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(this.timings.readyTimeoutMs)]);
    const given = new Promise<boolean>((resolve) => bounded.addEventListener('abort', () => resolve(false)));
    return Promise.race([this.opts.ready(bounded).catch(() => false), given]);
  }

  private exitedError(ended: Ending): AppError {
    const lines = this.follower?.lines() ?? [];
    const lastLine = [...lines].reverse().find((l) => l.trim()) ?? '';
    return new AppError('PROCESS_EXITED', {
      params: {
        component: this.opts.component,
        code: ended.code ?? ended.signal ?? 'unknown',
        lastLine: lastLine.trim().slice(0, 300),
      },
      detail: this.tail(),
    });
  }

  private tail(): string {
    return (this.follower?.lines() ?? []).slice(-DETAIL_LINES).join('\n');
  }

  /**
   * What is left to do once the process ended by itself: read its last output, record how it ended,
   * take it out of the registry, and end what it left behind (its group's runners).
   */
  private async settleEnded(ended: Ending): Promise<void> {
    const pid = this.pid;
    await this.follower?.poll();
    this.follower?.flush();
    this.lastExitCode = ended.code;
    this.running = false;
    this.forget();
    if (pid !== null) {
      killOrphans(pid, this.platform);
      await this.opts.registry.remove(this.opts.component, pid).catch(() => undefined);
    }
  }

  /** A start that is given up: what it started is stopped. */
  private async endStarted(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    this.stopping = true;
    try {
      const graceMs = this.opts.graceMs ?? 10_000;
      await terminateTree(pid, { platform: this.platform, env: this.env, graceMs });
      await this.opts.registry.remove(this.opts.component, pid).catch(() => undefined);
      await this.follower?.poll();
      this.forget();
    } finally {
      this.stopping = false;
    }
  }

  private onChildExit(child: ChildProcess, ending: Ending): void {
    if (child !== this.child) return;
    this.ending = ending;
    // During a start the wait sees it; during a stop, stop() does; after dispose() nobody watches.
    if (this.starting || this.stopping || this.disposed || !this.running) return;
    void this.crash(ending);
  }

  /** The program ended while it should run: record it, then maybe start it again. */
  private async crash(ending: Ending): Promise<void> {
    const ranMs = this.readyAt === null ? 0 : Date.now() - this.readyAt;
    this.running = false; // At once: the next look of the alive watch must not report it again.
    this.stopAliveWatch();
    await this.settleEnded(ending);
    this.crashed = true;
    if (ranMs >= (this.opts.restart?.stableMs ?? 300_000)) this.attempts = 0;
    this.changed();
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const restart = this.opts.restart;
    if (!restart || !this.watching || !this.autoRestart || this.disposed || !restart.enabled()) return;
    if (this.attempts >= (restart.maxAttempts ?? 5)) return; // Given up: the state says crashed.
    const delay = Math.min((restart.baseMs ?? 1_000) * 2 ** this.attempts, restart.maxMs ?? 60_000);
    this.nextRestartAt = Date.now() + delay;
    this.restartTimer = setTimeout(() => void this.restartNow(), delay);
    this.changed();
  }

  private async restartNow(): Promise<void> {
    this.restartTimer = null;
    this.nextRestartAt = null;
    if (!this.autoRestart || this.disposed || !this.opts.restart?.enabled()) return this.changed();
    // Another program (a CLI run) may have started it meanwhile.
    if (await this.attach().catch(() => false)) return;
    const spec = this.spec ?? (await this.opts.respawn?.().catch(() => null)) ?? null;
    if (!spec) return this.changed();
    this.attempts++;
    this.restarts++;
    const abort = new AbortController();
    this.launchAbort = abort;
    const run = this.launch(spec, abort.signal).then(
      () => {
        this.crashed = false;
      },
      () => {
        // Ended before ready, or stayed silent: one more failed attempt (none after a stop).
        this.crashed = true;
        this.scheduleRestart();
      },
    );
    this.launching = run;
    await run;
    if (this.launching === run) this.launching = null;
    if (this.launchAbort === abort) this.launchAbort = null;
    this.changed();
  }

  /**
   * gracefulStop (when set) → wait graceMs for exit → terminateTree/killTree; works for a pid from the
   * registry that another program started (never a reused pid: the registry checks its start time);
   * registry.remove. Disables auto-restart until the next start. PROCESS_STOP_FAILED when it survives.
   */
  async stop(signal?: AbortSignal): Promise<void> {
    this.autoRestart = false;
    this.cancelRestart();
    if (this.launching) {
      this.launchAbort?.abort(); // The start stops what it started, and says CANCELLED to its caller.
      await this.launching.catch(() => undefined);
    }
    this.crashed = false; // Stopped on purpose: what ended before is no longer news.
    const pid = await this.target();
    if (pid === null) {
      this.running = false;
      this.forget();
      return this.changed();
    }
    this.stopping = true;
    try {
      if (!(await this.end(pid, signal))) {
        throw new AppError('PROCESS_STOP_FAILED', { params: { component: this.opts.component, pid } });
      }
      await this.opts.registry.remove(this.opts.component, pid);
      await this.follower?.poll();
      this.follower?.flush();
      this.running = false;
      this.forget();
    } finally {
      this.stopping = false;
      this.changed();
    }
  }

  /** The pid to stop: our child while it has not exited (its pid cannot be reused yet), else the registry's. */
  private async target(): Promise<number | null> {
    if (this.child && this.ending === null && this.pid !== null) return this.pid;
    const entry = await this.opts.registry.get(this.opts.component, { fresh: true }); // it may be killed
    return entry?.pid ?? null;
  }

  private end(pid: number, signal: AbortSignal | undefined): Promise<boolean> {
    return endProgram(pid, {
      gracefulStop: this.opts.gracefulStop,
      serving: (s) => this.probe(s),
      graceMs: this.opts.graceMs ?? 10_000,
      platform: this.platform,
      env: this.env,
      signal,
    });
  }

  /**
   * App only: crash detection ≤ 5 s — our own child's 'exit' at once, an attached pid by looking every
   * 2 s — then, when restart.enabled(), restart with exponential backoff (base·2^n, capped, maxAttempts).
   */
  watch(): void {
    this.watching = true;
    if (this.pid !== null && !this.child) this.watchAlive();
  }

  /** Stops watching and following; never kills (the program is detached on purpose). */
  dispose(): void {
    this.disposed = true;
    this.watching = false;
    this.cancelRestart();
    this.stopAliveWatch();
    this.follower?.stop();
  }

  /** Follows a process another program (or an earlier run of this one) started; its output so far is read first. */
  private async adopt(entry: RegistryEntry): Promise<void> {
    this.child = null;
    this.ending = null;
    this.pid = entry.pid;
    this.entry = entry;
    this.running = true;
    this.readyAt = Date.now();
    const follower = this.follow(entry.logFile ?? this.opts.logFile, false);
    await follower.poll();
    follower.start();
    if (this.watching) this.watchAlive();
    this.changed();
  }

  private watchAlive(): void {
    this.stopAliveWatch();
    this.aliveTimer = setInterval(() => {
      const pid = this.pid;
      if (pid === null || this.child || this.starting || this.stopping || !this.running) return;
      // The leader, not the group: an orphaned runner must not hide that the server itself ended.
      if (!processRunning(pid, this.platform)) void this.crash({ code: null, signal: null });
    }, this.timings.alivePollMs);
    this.aliveTimer.unref();
  }

  private stopAliveWatch(): void {
    if (this.aliveTimer) clearInterval(this.aliveTimer);
    this.aliveTimer = null;
  }

  private follow(file: string, fromStart: boolean): LogFollower {
    this.follower?.stop();
    const follower = new LogFollower(file, {
      fromStart,
      pollMs: this.timings.logPollMs,
      maxLines: this.opts.maxLines ?? 1_000,
    });
    follower.onLine((line) => this.opts.onLine?.(line));
    this.follower = follower;
    return follower;
  }

  /** No process any more (the lines stay for the state). */
  private forget(): void {
    this.stopAliveWatch();
    this.follower?.stop();
    this.child = null;
    this.pid = null;
    this.entry = null;
    this.readyAt = null;
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.nextRestartAt = null;
  }

  private alive(): boolean {
    if (this.child) return this.ending === null;
    return this.pid !== null && processRunning(this.pid, this.platform);
  }

  private changed(): void {
    this.opts.onChange?.();
  }
}
