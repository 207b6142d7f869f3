/**
 * One plugin folder's remote-debug session: prepare Python (.venv, requirements), write the folder's
 * `.env` for remote install, run `python -m <entrypoint>` with its output into the session's log, tell
 * when it is connected, and run it again after every save.
 *
 * Everything the session does happens in one queue of steps, so a save during a pip install waits for
 * it, and saves that arrive meanwhile become one restart. `stop()` aborts the step in flight (pip and
 * the plugin end with their whole process tree).
 *
 * The log is the one source of truth for the plugin's output: the viewer follows the same file, the
 * CLI prints it, and the connection is read from it (debug-output.ts). A line of our own,
 * `[dify-stack] ▶ run N`, starts each run's part of the log, so output still arriving from run N-1
 * is never taken for run N's.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { PluginDebugState } from '../core/contract';
import { AppError, isAppError, toErrorInfo } from '../core/errors';
import { LogFollower, rotateLog } from '../processes/api';
import { classifyOutputLine, type DebugOutputEvent } from './debug-output';
import { askVersion, checkPythonVersion, runProbe, type FoundPython } from './debug-python';
import { spawnIntoLog, writeLogNote, type RunningProgram } from './debug-spawn';
import { ensureVenv, installRequirements, requirementsChanged, VENV_DIR, venvPython } from './debug-venv';
import { FolderWatch, type FolderChange } from './debug-watch';

/** Where the plugin connects: the debugging-key endpoint's answer. */
export interface RemoteTarget {
  key: string;
  host: string;
  port: number;
}

/** Dify's plugin list, as far as this plugin is concerned. */
export type ListedState =
  | { kind: 'remote'; installationId: string }
  | { kind: 'packaged'; version: string; installationId: string }
  | { kind: 'absent' };

export interface DebugRunnerDeps {
  dir: string;
  logFile: string;
  /** `author/name` from the manifest: how the plugin shows up in Dify's list. */
  pluginId: string;
  /** `meta.runner.entrypoint` (`python -m <it>`). */
  entrypoint: string;
  /** `meta.runner.version`. */
  runnerVersion: string | null;
  /** The interpreter that creates `.venv` (located and version-checked by the caller). */
  python: () => Promise<FoundPython>;
  /** The current key; `fresh` asks Dify again instead of using the one kept. */
  target: (fresh: boolean) => Promise<RemoteTarget>;
  /** Writes INSTALL_METHOD / REMOTE_INSTALL_URL / REMOTE_INSTALL_KEY; resolves with the file's bytes. */
  writeEnv: (target: RemoteTarget) => Promise<Buffer>;
  listed: (signal: AbortSignal) => Promise<ListedState>;
  onState: (state: PluginDebugState) => void;
  /** Each line of the session's log as it is read (the plugin's output, pip's, our notes). */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  timings?: Partial<DebugTimings>;
}

export interface DebugTimings {
  /** Folding a burst of saves into one restart. */
  debounceMs: number;
  /** How often the log is read while the plugin runs. */
  logPollMs: number;
  /** Dify's list, between the start lines and "connected". */
  listPollMs: number;
  /** How long the list may take to show the run. */
  confirmTimeoutMs: number;
  /** posix: the plugin's time to end after SIGTERM. */
  graceMs: number;
}

const DEFAULT_TIMINGS: DebugTimings = {
  debounceMs: 200,
  logPollMs: 100,
  listPollMs: 200,
  confirmTimeoutMs: 20_000,
  graceMs: 2_000,
};

/** Lines of a run kept for the state's `lastLines`. */
const KEPT_LINES = 20;
const RUN_MARK = /^\[dify-stack\] ▶ run (\d+)\b/;

/**
 * Variables the SDK would read from the environment before the folder's .env (pydantic-settings gives
 * the environment precedence): inherited ones would send the plugin elsewhere than the .env says.
 */
const SDK_CONNECTION_VARIABLES = [
  'INSTALL_METHOD',
  'REMOTE_INSTALL_URL',
  'REMOTE_INSTALL_HOST',
  'REMOTE_INSTALL_PORT',
  'REMOTE_INSTALL_KEY',
];

export class PluginDebugRunner {
  private readonly timings: DebugTimings;
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;
  private state: PluginDebugState;
  private readonly watch: FolderWatch;
  private follower: LogFollower | null = null;

  private queue: Promise<void> = Promise.resolve();
  /** Aborted by stop(): the step in flight ends (pip, a start, the wait for Dify's list). */
  private readonly abort = new AbortController();
  private pendingChange: FolderChange | null = null;
  private restartQueued = false;

  private program: RunningProgram | null = null;
  /** The run the session started last, and the run the log is at (its last mark). */
  private run = 0;
  private logRun = 0;
  private runLines: string[] = [];
  /** The run whose end a refusal or an unreachable daemon has claimed: its own exit is then no crash. */
  private claimedRun = 0;
  /** Where the current run connects, with the key it was started with (a refusal asks for a fresh one). */
  private target: RemoteTarget | null = null;
  /** The remote installation that confirmed the previous run: the next run needs another. */
  private confirmedId: string | null = null;
  private venvVersion: string | null = null;
  private stopped = false;

  constructor(private readonly deps: DebugRunnerDeps) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.platform = deps.platform ?? process.platform;
    this.env = deps.env ?? process.env;
    this.state = {
      phase: 'starting',
      restarts: 0,
      since: Date.now(),
      pid: null,
      exitCode: null,
      lastLines: [],
      error: null,
      listed: false,
      packaged: null,
      uninstalledPackage: null,
      logFile: deps.logFile,
    };
    this.watch = new FolderWatch(deps.dir, {
      debounceMs: this.timings.debounceMs,
      onChange: (change) => this.changed(change),
      onError: (e) => void this.note(`Watching the folder failed: ${e.message}`),
    });
  }

  get current(): PluginDebugState {
    return this.state;
  }

  /** Starts the session: a fresh log, the watcher, then the first run. Resolves when it is under way. */
  async start(): Promise<void> {
    await fsp.mkdir(path.dirname(this.deps.logFile), { recursive: true, mode: 0o700 });
    // A file a leftover still holds (Windows will not rename it) is appended to instead.
    await rotateLog(this.deps.logFile).catch(() => undefined);
    await fsp.appendFile(this.deps.logFile, '', { mode: 0o600 });
    const follower = new LogFollower(this.deps.logFile, { fromStart: true, pollMs: this.timings.logPollMs });
    follower.onLine((line) => {
      this.line(line);
      this.deps.onOutput?.(line);
    });
    follower.start();
    this.follower = follower;
    await this.watch.start();
    this.enqueue(() => this.cycle(null));
  }

  /** Ends the session: the step in flight, the plugin's process tree, the watcher. */
  async stop(): Promise<void> {
    if (this.stopped) return this.queue;
    this.stopped = true;
    this.abort.abort();
    await this.watch.close();
    await this.endProgram();
    await this.queue;
    // A start that was past its last look at `stopped` when the queue was asked to end.
    await this.endProgram();
    await this.note('Debug session stopped');
    await this.follower?.poll();
    this.follower?.stop();
    this.set({ phase: 'stopped', pid: null, error: null, listed: false });
  }

  /** The service's news about Dify's list (a packaged install found or removed). */
  setPackaged(
    packaged: PluginDebugState['packaged'],
    uninstalled: PluginDebugState['uninstalledPackage'],
  ): void {
    this.set({ packaged, uninstalledPackage: uninstalled });
  }

  /** Runs the plugin again (a new key, its packaged install removed): it connects anew. */
  restart(reason: string): void {
    if (this.stopped) return;
    void this.note(reason);
    this.requestRestart();
  }

  // ---- the queue ----

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((e: unknown) => this.fail(e));
  }

  private changed(change: FolderChange): void {
    const files = [...(this.pendingChange?.files ?? []), ...change.files];
    this.pendingChange = { files: [...new Set(files)].sort() };
    this.requestRestart();
  }

  private requestRestart(): void {
    if (this.stopped || this.restartQueued) return;
    this.restartQueued = true;
    this.enqueue(async () => {
      this.restartQueued = false;
      const change = this.pendingChange;
      this.pendingChange = null;
      await this.cycle(change);
    });
  }

  /** One (re)start: end the running plugin, prepare Python, write .env, run it. */
  private async cycle(change: FolderChange | null): Promise<void> {
    if (this.stopped) return;
    const signal = this.abort.signal;
    const restarting = this.run > 0;
    await this.endProgram();
    if (change) await this.note(`Changed: ${change.files.join(', ')}`);
    await this.prepare(signal);
    if (this.stopped) return;
    const target = await this.deps.target(false);
    this.watch.ownEnvWrite(await this.deps.writeEnv(target));
    if (this.stopped) return;
    await this.launch(target, restarting);
  }

  /** Python, `.venv` and requirements.txt, each only when needed (a save usually needs none). */
  private async prepare(signal: AbortSignal): Promise<void> {
    const python = venvPython(this.deps.dir, this.platform);
    const venvThere = await fsp
      .stat(python)
      .then((s) => s.isFile())
      .catch(() => false);
    if (!venvThere) {
      this.set({ phase: 'installing', error: null, lastLines: [], exitCode: null });
      await ensureVenv(await this.deps.python(), this.venvContext(signal));
    }
    if (!venvThere || this.venvVersion === null) {
      // The venv's own Python decides (a .venv the user made may be older than the one we found).
      const inVenv = await askVersion({ command: python, args: [] }, (c, a) => runProbe(c, a, this.env));
      if (!inVenv) {
        throw new AppError('PLUGIN_DEBUG_VENV_FAILED', {
          params: { dir: path.join(this.deps.dir, VENV_DIR), code: 'none' },
        });
      }
      checkPythonVersion(inVenv, this.deps.runnerVersion, VENV_DIR);
      this.venvVersion = inVenv.version;
    }
    if (await requirementsChanged(this.deps.dir, this.venvVersion)) {
      this.set({ phase: 'installing', error: null, lastLines: [], exitCode: null });
      await installRequirements(this.venvVersion, this.venvContext(signal));
    }
  }

  private venvContext(signal: AbortSignal) {
    return {
      dir: this.deps.dir,
      logFile: this.deps.logFile,
      env: this.env,
      signal,
      platform: this.platform,
      spawn: { platform: this.platform, graceMs: this.timings.graceMs },
    };
  }

  private async launch(target: RemoteTarget, restarting: boolean): Promise<void> {
    const run = ++this.run;
    this.target = target;
    const python = venvPython(this.deps.dir, this.platform);
    await this.note(
      `▶ run ${run}: ${path.basename(python)} -m ${this.deps.entrypoint} → ${target.host}:${target.port}`,
    );
    this.set({
      phase: 'starting',
      restarts: this.state.restarts + (restarting ? 1 : 0),
      pid: null,
      exitCode: null,
      lastLines: [],
      error: null,
      listed: false,
    });
    const env: NodeJS.ProcessEnv = { ...this.env, PYTHONUNBUFFERED: '1' };
    for (const name of SDK_CONNECTION_VARIABLES) delete env[name];
    const program = await spawnIntoLog(
      { command: python, args: ['-m', this.deps.entrypoint], cwd: this.deps.dir, env },
      this.deps.logFile,
      { platform: this.platform, graceMs: this.timings.graceMs },
    );
    this.program = program;
    this.set({ pid: program.pid });
    void program.exited.then((code) => this.exited(run, program, code));
  }

  private async endProgram(): Promise<void> {
    const program = this.program;
    this.program = null;
    if (program) await program.stop();
  }

  // ---- what the plugin says ----

  private line(line: string): void {
    const mark = RUN_MARK.exec(line);
    if (mark) {
      this.logRun = Number(mark[1]);
      this.runLines = [];
      return;
    }
    if (this.logRun !== this.run) return;
    this.runLines.push(line);
    if (this.runLines.length > KEPT_LINES * 2) this.runLines.splice(0, this.runLines.length - KEPT_LINES);
    const event = classifyOutputLine(line);
    if (event) this.heard(this.run, event);
  }

  private heard(run: number, event: DebugOutputEvent): void {
    if (event.kind === 'registered') {
      if (this.state.phase === 'starting') void this.confirm(run);
      return;
    }
    const url = this.target ? `${this.target.host}:${this.target.port}` : '';
    // The plugin often exits by itself right after saying why; this handler, not exited(), decides.
    this.claimedRun = run;
    this.enqueue(async () => {
      if (run !== this.run || this.stopped) return;
      await this.endProgram();
      if (event.kind === 'refused' && event.badKey) {
        // An expired key (2 h without a fetch) is renewed once; the same key refused again is final.
        const fresh = await this.deps.target(true);
        if (fresh.key !== this.target?.key) {
          await this.note('The daemon refused the key: restarting with a fresh one');
          this.watch.ownEnvWrite(await this.deps.writeEnv(fresh));
          return this.launch(fresh, true);
        }
        throw new AppError('PLUGIN_DEBUG_BAD_KEY', { params: { url } });
      }
      if (event.kind === 'refused') {
        throw new AppError('PLUGIN_DEBUG_REFUSED', { params: { url, message: event.message } });
      }
      throw new AppError('PLUGIN_DEBUG_UNREACHABLE', { params: { url } });
    });
  }

  /** Polls Dify's list until it shows this run (a remote installation other than the last run's). */
  private async confirm(run: number): Promise<void> {
    const deadline = Date.now() + this.timings.confirmTimeoutMs;
    let stale = this.confirmedId;
    while (run === this.run && !this.stopped && this.state.phase === 'starting') {
      const listed = await this.deps.listed(this.abort.signal).catch(() => null);
      if (run !== this.run || this.state.phase !== 'starting') return;
      if (listed?.kind === 'remote' && listed.installationId !== stale) {
        this.confirmedId = listed.installationId;
        this.set({ phase: 'connected', listed: true, packaged: null });
        return;
      }
      if (listed?.kind === 'packaged') {
        // The daemon runs this session under the packaged installation: no remote one will show.
        this.set({
          phase: 'connected',
          listed: false,
          packaged: { version: listed.version, installationId: listed.installationId },
        });
        return;
      }
      if (listed?.kind === 'absent') stale = null;
      if (Date.now() >= deadline) {
        const seconds = Math.round(this.timings.confirmTimeoutMs / 1000);
        this.set({ error: toErrorInfo(new AppError('PLUGIN_DEBUG_NOT_LISTED', { params: { seconds } })) });
        return;
      }
      await new Promise((r) => setTimeout(r, this.timings.listPollMs));
    }
  }

  private async exited(run: number, program: RunningProgram, code: number | null): Promise<void> {
    if (this.program !== program) return; // Ended by us (a restart, a stop, a refusal).
    this.program = null;
    await this.follower?.poll();
    if (run !== this.run || this.stopped || this.claimedRun === run) return;
    await this.note(
      `■ run ${run} ended by itself (exit code ${code ?? 'none'}); the next save starts it again`,
    );
    this.set({
      phase: 'crashed',
      pid: null,
      exitCode: code,
      listed: false,
      lastLines: this.runLines.slice(-KEPT_LINES),
    });
  }

  private fail(e: unknown): void {
    if (this.stopped || (isAppError(e) && e.code === 'CANCELLED')) return;
    const error = toErrorInfo(e);
    void this.note(`✖ ${error.message}`);
    this.set({
      phase: 'failed',
      pid: null,
      listed: false,
      error,
      lastLines: this.runLines.slice(-KEPT_LINES),
    });
  }

  private note(text: string): Promise<void> {
    return writeLogNote(this.deps.logFile, text).catch(() => undefined);
  }

  private set(patch: Partial<PluginDebugState>): void {
    const phaseChanged = patch.phase !== undefined && patch.phase !== this.state.phase;
    this.state = { ...this.state, ...patch, since: phaseChanged ? Date.now() : this.state.since };
    this.deps.onState(this.state);
  }
}
