/**
 * The GPU sampler: ONE long-lived `nvidia-smi --query-gpu=… --loop-ms=N` while monitoring runs, its
 * lines grouped into one tick per interval. Spawning nvidia-smi per sample costs a process start each
 * time (facts.md; `npm run bench -- gpu` measures both).
 *
 * - It dies → started again after 1 s, doubling to 30 s while it keeps dying; a stream that ran for
 *   longer than the longest delay starts the count again.
 * - The driver/NVML mismatch and "no NVIDIA GPU" are states of their own, retried slowly (60 s): a
 *   reboot or a driver install may fix them while the app runs.
 * - No reading within firstLineTimeoutMs: facts.md leaves unverified that nvidia-smi flushes each line
 *   into a pipe on Windows, so the sampler then runs it once per sample, at least 5 s apart, and says
 *   so in state().mode. Readings that stop coming later restart the stream (it hung).
 */
import { AppError } from '../core/errors';
import type { GpuReading } from '../core/contract';
import type { GpuTick } from './contract';
import { classifyFailure, nvidiaSmiArgs } from './nvidia-smi-parse';
import { lastLineOf, type RunEnd, SmiRun, type SpawnLike } from './nvidia-smi-run';

export type { SpawnLike } from './nvidia-smi-run';

export type SamplerState = {
  state: 'starting' | 'ok' | 'no-gpu' | 'driver-mismatch' | 'not-found' | 'error';
  error: AppError | null;
  mode: 'stream' | 'per-sample';
};

export interface SamplerOptions {
  /** The located nvidia-smi (locateNvidiaSmi); null → state `not-found`. */
  command: string | null;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  intervalMs: number;
  onTick: (tick: GpuTick) => void;
  onState: (s: SamplerState) => void;
  /** Default intervalMs × 3 + 3000. */
  firstLineTimeoutMs?: number;
  /** Restart delays: baseMs (1 000) doubling to maxMs (30 000); slowMs (60 000) for mismatch / no GPU. */
  backoff?: { baseMs?: number; maxMs?: number; slowMs?: number };
  /** Where locateNvidiaSmi looked: the `looked` of the not-found error. */
  looked?: readonly string[];
  /** Tests inject a fake child process. */
  spawn?: SpawnLike;
}

/** Per-sample mode runs at least this far apart: each run is a process start. */
const PER_SAMPLE_MIN_MS = 5_000;
/** A single run that has not ended by then is stopped (a hung driver). */
const ONCE_TIMEOUT_MS = 15_000;
/** The lines of one tick come within milliseconds of each other; a pause this long ends the tick. */
const QUIET_GAP_MAX_MS = 100;

export class GpuSampler {
  private readonly env: NodeJS.ProcessEnv;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly slowMs: number;
  private intervalMs: number;
  private current: SamplerState = { state: 'starting', error: null, mode: 'stream' };
  private running = false;

  private stream: SmiRun | null = null;
  private streamStartedAt = 0;
  private streamReadings = 0;
  private failures = 0;
  /** The next restart (stream) or the next run (per-sample). */
  private timer: NodeJS.Timeout | null = null;
  /** No reading for firstLineTimeoutMs: fall back (none yet) or restart (a hung stream). */
  private watchdog: NodeJS.Timeout | null = null;
  private group: GpuReading[] = [];
  private groupAt = 0;
  private groupTimer: NodeJS.Timeout | null = null;
  private perSampleBusy = false;
  /** Every process alive, for stop(). */
  private readonly runs = new Set<SmiRun>();

  constructor(private readonly opts: SamplerOptions) {
    this.env = opts.env ?? process.env;
    this.baseMs = opts.backoff?.baseMs ?? 1_000;
    this.maxMs = opts.backoff?.maxMs ?? 30_000;
    this.slowMs = opts.backoff?.slowMs ?? 60_000;
    this.intervalMs = positive(opts.intervalMs);
  }

  state(): SamplerState {
    return this.current;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    if (this.opts.command === null) {
      const looked = (this.opts.looked ?? []).join(', ');
      this.setState('not-found', new AppError('GPU_NVIDIA_SMI_NOT_FOUND', { params: { looked } }), 'stream');
      return;
    }
    this.current = { state: 'starting', error: null, mode: 'stream' };
    this.opts.onState(this.current);
    this.startStream();
  }

  /** Ends every nvidia-smi it started; resolves when they are gone. No tick or state follows. */
  async stop(): Promise<void> {
    this.running = false;
    this.stream = null;
    this.clearTimers();
    this.group = [];
    await Promise.all([...this.runs].map((r) => r.kill()));
  }

  /** A new cadence: the stream is started again with the new --loop-ms at once. */
  setIntervalMs(ms: number): void {
    const next = positive(ms);
    if (next === this.intervalMs) return;
    this.intervalMs = next;
    if (!this.running) return;
    if (this.current.mode === 'stream' && this.stream) {
      this.flushGroup();
      this.detachStream();
      this.startStream();
    } else if (this.current.mode === 'per-sample' && !this.perSampleBusy && this.current.state === 'ok') {
      this.schedule(this.perSamplePeriod(), () => void this.perSampleRun());
    }
  }

  /** One run without --loop-ms (the CLI's `gpu --json`); beside the stream, never disturbing it. */
  async sampleOnce(): Promise<GpuTick> {
    const command = this.opts.command;
    if (command === null) {
      throw new AppError('GPU_NVIDIA_SMI_NOT_FOUND', {
        params: { looked: (this.opts.looked ?? []).join(', ') },
      });
    }
    const gpus: GpuReading[] = [];
    let at = 0;
    const run = this.launch(command, nvidiaSmiArgs(), (r) => {
      at ||= Date.now();
      gpus.push(r);
    });
    const timeout = setTimeout(() => void run.kill(), ONCE_TIMEOUT_MS);
    const end = await run.end().finally(() => clearTimeout(timeout));
    if (gpus.length) return { at, gpus };
    throw this.errorFor(end, command);
  }

  // --- the stream ------------------------------------------------------------------------------

  private startStream(): void {
    const command = this.opts.command as string;
    const run = this.launch(command, nvidiaSmiArgs(this.intervalMs), (r) => this.streamReading(run, r));
    this.stream = run;
    this.streamStartedAt = Date.now();
    this.streamReadings = 0;
    this.armWatchdog(run);
    void run.end().then((end) => this.streamEnded(run, end, command));
  }

  private streamReading(run: SmiRun, r: GpuReading): void {
    if (run !== this.stream) return;
    this.streamReadings++;
    this.armWatchdog(run);
    // A GPU index not above the last one's is the next loop's first line.
    const last = this.group.at(-1);
    if (last && r.index <= last.index) this.flushGroup();
    if (!this.group.length) this.groupAt = Date.now();
    this.group.push(r);
    if (this.groupTimer) this.groupTimer.refresh();
    else
      this.groupTimer = setTimeout(() => this.flushGroup(), Math.min(QUIET_GAP_MAX_MS, this.intervalMs / 2));
  }

  private flushGroup(): void {
    if (this.groupTimer) clearTimeout(this.groupTimer);
    this.groupTimer = null;
    if (!this.group.length) return;
    const tick = { at: this.groupAt, gpus: this.group };
    this.group = [];
    this.setState('ok', null, this.current.mode);
    this.opts.onTick(tick);
  }

  private armWatchdog(run: SmiRun): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const ms = this.opts.firstLineTimeoutMs ?? this.intervalMs * 3 + 3_000;
    this.watchdog = setTimeout(() => this.silent(run), ms);
  }

  private silent(run: SmiRun): void {
    this.watchdog = null;
    if (run !== this.stream) return;
    this.detachStream();
    if (this.streamReadings === 0) {
      this.setState(this.current.state, this.current.error, 'per-sample');
      void this.perSampleRun();
    } else {
      this.flushGroup();
      this.schedule(this.nextBackoff(), () => this.startStream());
    }
  }

  /** Stops listening to the stream and ends its process (its ending is no failure). */
  private detachStream(): void {
    const run = this.stream;
    this.stream = null;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    void run?.kill();
  }

  private streamEnded(run: SmiRun, end: RunEnd, command: string): void {
    if (run !== this.stream) return;
    this.stream = null;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.flushGroup();
    if (!this.running) return;
    const error = this.errorFor(end, command);
    this.setState(stateOf(error), error, 'stream');
    if (stateOf(error) !== 'error') {
      this.schedule(this.slowMs, () => this.startStream());
      return;
    }
    if (end.readings > 0 && Date.now() - this.streamStartedAt >= this.maxMs) this.failures = 0;
    this.schedule(this.nextBackoff(), () => this.startStream());
  }

  // --- one run per sample (the fallback) ------------------------------------------------------

  private perSamplePeriod(): number {
    return Math.max(this.intervalMs, PER_SAMPLE_MIN_MS);
  }

  private async perSampleRun(): Promise<void> {
    this.timer = null;
    this.perSampleBusy = true;
    let next = this.perSamplePeriod();
    try {
      const tick = await this.sampleOnce();
      if (!this.running) return;
      this.failures = 0;
      this.setState('ok', null, 'per-sample');
      this.opts.onTick(tick);
    } catch (e) {
      if (!this.running) return;
      const error = e instanceof AppError ? e : new AppError('INTERNAL', { detail: String(e) });
      const state = stateOf(error);
      this.setState(state, error, 'per-sample');
      next = state === 'error' ? Math.max(next, this.nextBackoff()) : this.slowMs;
    } finally {
      this.perSampleBusy = false;
    }
    this.schedule(next, () => void this.perSampleRun());
  }

  // --- shared ---------------------------------------------------------------------------------

  private launch(command: string, args: string[], onReading: (r: GpuReading) => void): SmiRun {
    const run = new SmiRun(command, args, this.env, onReading, this.opts.spawn);
    this.runs.add(run);
    void run.end().then(() => this.runs.delete(run));
    return run;
  }

  /** The user-facing reason a run gave no readings. */
  private errorFor(end: RunEnd, command: string): AppError {
    if (end.spawnError?.code === 'ENOENT') {
      return new AppError('GPU_NVIDIA_SMI_NOT_FOUND', { params: { looked: command }, cause: end.spawnError });
    }
    const failure = classifyFailure(end.stdout, end.stderr, end.code);
    const detail = [end.stdout, end.stderr, end.spawnError?.message ?? ''].filter(Boolean).join('\n');
    if (failure.kind === 'driver-mismatch') {
      return new AppError('GPU_DRIVER_MISMATCH', { params: { detail: failure.message }, detail });
    }
    if (failure.kind === 'no-gpu') return new AppError('GPU_NO_GPU', { detail });
    const code = end.code ?? end.signal ?? end.spawnError?.code ?? '-';
    return new AppError('GPU_SAMPLER_FAILED', {
      params: { code: String(code), lastLine: lastLineOf(end) || '-' },
      detail,
    });
  }

  private nextBackoff(): number {
    const ms = Math.min(this.baseMs * 2 ** this.failures, this.maxMs);
    if (ms < this.maxMs) this.failures++;
    return ms;
  }

  private schedule(ms: number, fn: () => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) fn();
    }, ms);
  }

  private clearTimers(): void {
    for (const t of [this.timer, this.watchdog, this.groupTimer]) if (t) clearTimeout(t);
    this.timer = this.watchdog = this.groupTimer = null;
  }

  private setState(state: SamplerState['state'], error: AppError | null, mode: SamplerState['mode']): void {
    const c = this.current;
    if (
      c.state === state &&
      c.mode === mode &&
      c.error?.code === error?.code &&
      c.error?.message === error?.message
    ) {
      return;
    }
    this.current = { state, error, mode };
    if (this.running) this.opts.onState(this.current);
  }
}

function positive(ms: number): number {
  return Number.isFinite(ms) ? Math.max(1, Math.round(ms)) : 1_000;
}

function stateOf(error: AppError): SamplerState['state'] {
  switch (error.code) {
    case 'GPU_DRIVER_MISMATCH':
      return 'driver-mismatch';
    case 'GPU_NO_GPU':
      return 'no-gpu';
    case 'GPU_NVIDIA_SMI_NOT_FOUND':
      return 'not-found';
    default:
      return 'error';
  }
}
