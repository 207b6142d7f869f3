/**
 * The GPU capability as one `GpuApi`: the streaming sampler (one nvidia-smi) run at the cadence its
 * users need, the 10-minute history, who holds the VRAM (asked of Ollama and A1111 every 5 s, only when
 * they run), the VRAM alert, and the snapshot's `gpu` part; the unload actions report the VRAM they
 * freed as measured on GPU 0 — the one Ollama and A1111 use (consumers.ts).
 */
import type { SnapshotPart } from '../core/app-snapshot';
import type { GpuReading, GpuSummary } from '../core/contract';
import { AppError } from '../core/errors';
import type { TopicSource } from '../core/subscriptions';
import type { A1111VramClient, OllamaVramClient, ProcessesApi } from '../processes/api';
import type { SettingsApi } from '../settings/api';
import type { Freed, GpuApi, GpuNeed } from './api';
import { MIB, a1111VramMiB, attributeVram, type LoadedModel } from './consumers';
import type { GpuFacts, GpuTick } from './contract';
import { readGpuFacts } from './gpu-facts';
import { GpuHistory } from './gpu-history';
import { GpuSampler, type SamplerOptions, type SamplerState } from './gpu-sampler';
import { locateNvidiaSmi } from './nvidia-smi-locate';
import { INITIAL_ALERT, stepAlert, type AlertState } from './vram-alert';

/** What the service needs of a sampler (GpuSampler; tests pass a fake). */
export type SamplerLike = Pick<GpuSampler, 'start' | 'stop' | 'setIntervalMs' | 'state' | 'sampleOnce'>;

export interface GpuServiceOptions {
  settings: Pick<SettingsApi, 'get' | 'onChange'>;
  /** Who runs: Ollama and A1111 are asked who holds what only then. */
  processes: Pick<ProcessesApi, 'vramClients'>;
  snapshot: SnapshotPart<'gpu'>;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /**
   * 'settings' (the app): no sampling while `gpuMonitoring` is off (state 'off'). 'always' (the CLI):
   * `dify-stack gpu --watch` is an explicit request, whatever the app's setting says.
   */
  monitoring?: 'settings' | 'always';
  createSampler?: (options: SamplerOptions) => SamplerLike;
  facts?: () => Promise<GpuFacts>;
  /** How often Ollama and A1111 are asked who holds what while readings are needed (ms). */
  consumersPollMs?: number;
  /** Cadences (ms): while a view or the tooltip needs readings, and while only the badge does. */
  fastMs?: number;
  slowMs?: number;
  /** The unload measurements (ms, MiB): see `measured`. */
  measure?: { freshMs?: number; firstTimeoutMs?: number; settleTimeoutMs?: number; toleranceMiB?: number };
}

const FAST_MS = 1_000;
const SLOW_MS = 5_000;
const CONSUMERS_POLL_MS = 5_000;
/** Cloud models change only when the user pulls one: `/api/tags` is asked at most this often. */
const TAGS_MAX_AGE_MS = 30_000;
/**
 * Readings that change only in their time are written to the snapshot at most this often: each write
 * goes to every window and the tray, and an idle GPU's figures stay the same for minutes.
 */
const SNAPSHOT_HEARTBEAT_MS = 5_000;

/** Sampler states without any reading: nothing of an earlier reading is shown. */
const NO_READING: ReadonlySet<GpuSummary['state']> = new Set(['not-found', 'no-gpu', 'driver-mismatch']);

const OFF: GpuSummary = { state: 'off', error: null, gpus: [], consumers: [], alert: false, at: null };

/** What Ollama and A1111 said at the last poll (attributeVram's inputs). */
interface Programs {
  ollama: LoadedModel[] | null;
  cloudModels: ReadonlySet<string>;
  a1111Memory: unknown;
}

/** GPU 0: the one Ollama and A1111 use (consumers.ts). */
export function gpu0(gpus: readonly GpuReading[]): GpuReading | null {
  return gpus.find((g) => g.index === 0) ?? gpus[0] ?? null;
}

export class GpuService implements GpuApi {
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;
  private readonly createSampler: (options: SamplerOptions) => SamplerLike;
  private readonly history = new GpuHistory();
  private readonly needs = new Map<symbol, GpuNeed>();
  private readonly summaryListeners = new Set<(summary: GpuSummary) => void>();
  private readonly tickListeners = new Set<(tick: GpuTick) => void>();
  /** Measurements waiting for readings: ended at once by dispose. */
  private readonly waiting = new Set<() => void>();
  private readonly offSettings: () => void;

  private sampler: SamplerLike | null = null;
  private samplerState: SamplerState | null = null;
  private intervalMs: number | null = null;
  /** A new nvidia-smi path: the running sampler is replaced at the next reconcile. */
  private restartWanted = false;
  /** Sampler starts and stops, one after another. */
  private reconciling: Promise<void> = Promise.resolve();
  private latest: GpuTick | null = null;
  private alertState: AlertState = INITIAL_ALERT;
  private programs: Programs = { ollama: null, cloudModels: new Set(), a1111Memory: null };
  private tags: { at: number; cloud: ReadonlySet<string> } | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  /** Unloads one after another: two at once would measure each other. */
  private actions: Promise<unknown> = Promise.resolve();
  private written: { key: string; at: number } | null = null;
  private seen: { monitoring: boolean; path: string };
  private disposed = false;

  constructor(private readonly options: GpuServiceOptions) {
    this.platform = options.platform ?? process.platform;
    this.env = options.env ?? process.env;
    this.createSampler = options.createSampler ?? ((o) => new GpuSampler(o));
    const s = options.settings.get().settings;
    this.seen = { monitoring: s.gpuMonitoring, path: s.nvidiaSmiPath };
    this.offSettings = options.settings.onChange((view) => this.settingsChanged(view.settings));
    if (!this.monitoringOn()) this.publish();
  }

  summary(): GpuSummary {
    if (!this.monitoringOn()) return OFF;
    const state = this.samplerState;
    const reading = state && NO_READING.has(state.state) ? null : this.latest;
    return {
      state: state?.state ?? 'starting',
      error: state?.error?.toInfo() ?? null,
      gpus: reading?.gpus ?? [],
      consumers: attributeVram({ ...this.programs, reading: reading && gpu0(reading.gpus) }),
      alert: this.alertState.alert,
      at: reading?.at ?? null,
    };
  }

  need(kind: GpuNeed): () => void {
    const id = Symbol(kind);
    this.needs.set(id, kind);
    this.reconcile();
    return () => {
      if (this.needs.delete(id)) this.reconcile();
    };
  }

  onSummary(listener: (summary: GpuSummary) => void): () => void {
    this.summaryListeners.add(listener);
    return () => this.summaryListeners.delete(listener);
  }

  samplesSource(): TopicSource<Record<string, never>, GpuTick> {
    return (_params, sink) => {
      sink.pushMany(this.history.ticks());
      const offTick = this.onTick((tick) => sink.push(tick));
      const release = this.need('view');
      return () => {
        offTick();
        release();
      };
    };
  }

  facts(): Promise<GpuFacts> {
    return (this.options.facts ?? readGpuFacts)();
  }

  async readOnce(): Promise<GpuSummary> {
    const located = this.locate();
    const sampler = this.createSampler({
      command: located.path,
      looked: located.looked,
      platform: this.platform,
      env: this.env,
      intervalMs: this.options.fastMs ?? FAST_MS,
      onTick: () => undefined,
      onState: () => undefined,
    });
    const [tick, programs] = await Promise.all([
      sampler.sampleOnce().then(
        (t) => ({ tick: t, error: null }),
        (e: unknown) => ({ tick: null, error: asAppError(e) }),
      ),
      this.askPrograms(),
    ]);
    const reading = tick.tick ? gpu0(tick.tick.gpus) : null;
    return {
      state: tick.error ? stateOfError(tick.error) : 'ok',
      error: tick.error?.toInfo() ?? null,
      gpus: tick.tick?.gpus ?? [],
      consumers: attributeVram({ ...programs, reading }),
      alert: false,
      at: tick.tick?.at ?? null,
    };
  }

  async unloadOllama(model?: string): Promise<Freed> {
    const ollama = this.clients().ollama;
    if (!ollama) throw new AppError('GPU_NOT_RUNNING', { params: { component: 'Ollama' } });
    return this.measured(async () => {
      const cloud = await this.cloudModels(ollama);
      const loaded = (await ollama.ps()).filter((m) => !cloud.has(m.name));
      const names = model ? [model] : loaded.map((m) => m.name);
      const going = loaded.filter((m) => names.some((n) => m.name === n || m.name === `${n}:latest`));
      for (const name of names) {
        if (!(await ollama.unload(name, { timeoutMs: UNLOAD_TIMEOUT_MS }))) {
          throw new AppError('GPU_UNLOAD_TIMEOUT', {
            params: { model: name, seconds: UNLOAD_TIMEOUT_MS / 1000 },
          });
        }
      }
      return going.length > 0 ? going.reduce((n, m) => n + m.sizeVram, 0) / MIB : null;
    });
  }

  async unloadA1111(): Promise<Freed> {
    const a1111 = this.a1111();
    return this.measured(async () => {
      const held = a1111VramMiB(await a1111.memory().catch(() => null));
      if (!(await a1111.unloadCheckpoint())) throw new AppError('GPU_CHECKPOINT_UNLOAD_FAILED');
      return typeof held === 'number' ? held : null;
    });
  }

  async reloadA1111(): Promise<Freed> {
    const a1111 = this.a1111();
    return this.measured(async () => {
      if (!(await a1111.reloadCheckpoint())) throw new AppError('GPU_CHECKPOINT_RELOAD_FAILED');
      return null;
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.offSettings();
    this.stopPolling();
    this.reconcile();
    await this.reconciling;
    await this.polling?.catch(() => undefined);
    for (const finish of [...this.waiting]) finish();
    this.summaryListeners.clear();
    this.tickListeners.clear();
  }

  // --- demand and the sampler -------------------------------------------------------------------

  private monitoringOn(): boolean {
    return this.options.monitoring === 'always' || this.options.settings.get().settings.gpuMonitoring;
  }

  /** The cadence the needs ask for; null: no nvidia-smi at all. */
  private wantedInterval(): number | null {
    if (this.disposed || !this.monitoringOn()) return null;
    const kinds = new Set(this.needs.values());
    if (kinds.has('view') || kinds.has('tooltip')) return this.options.fastMs ?? FAST_MS;
    if (kinds.has('badge')) return this.options.slowMs ?? SLOW_MS;
    return null;
  }

  private reconcile(): void {
    this.reconciling = this.reconciling.then(() => this.apply()).catch(() => undefined);
  }

  private async apply(): Promise<void> {
    const ms = this.wantedInterval();
    if (this.sampler && (ms === null || this.restartWanted)) {
      const old = this.sampler;
      this.sampler = null;
      this.intervalMs = null;
      await old.stop();
    }
    this.restartWanted = false;
    if (ms === null) {
      this.stopPolling();
      // Nobody looks: an alert would go stale, and a later run must be seen whole to raise it again.
      this.alertState = INITIAL_ALERT;
      if (this.written) this.publish();
      return;
    }
    this.startPolling();
    if (this.sampler) {
      if (this.intervalMs !== ms) this.sampler.setIntervalMs(ms);
      this.intervalMs = ms;
      return;
    }
    const located = this.locate();
    const holder: { sampler: SamplerLike | null } = { sampler: null };
    const sampler = this.createSampler({
      command: located.path,
      looked: located.looked,
      platform: this.platform,
      env: this.env,
      intervalMs: ms,
      onTick: (tick) => {
        if (holder.sampler === this.sampler) this.tick(tick);
      },
      onState: (state) => {
        if (holder.sampler !== this.sampler) return;
        this.samplerState = state;
        this.publish();
      },
    });
    holder.sampler = sampler;
    this.sampler = sampler;
    this.intervalMs = ms;
    this.latest = null;
    this.samplerState = sampler.state();
    sampler.start();
    this.publish();
  }

  private locate(): { path: string | null; looked: string[] } {
    const setting = this.options.settings.get().settings.nvidiaSmiPath;
    return locateNvidiaSmi({ setting, platform: this.platform, env: this.env });
  }

  private settingsChanged(s: { gpuMonitoring: boolean; nvidiaSmiPath: string }): void {
    const monitoring = s.gpuMonitoring !== this.seen.monitoring;
    const path = s.nvidiaSmiPath !== this.seen.path;
    this.seen = { monitoring: s.gpuMonitoring, path: s.nvidiaSmiPath };
    if (path) this.restartWanted = true;
    if (monitoring || path) this.reconcile();
    // The threshold or its duration: the next tick applies it; the summary says 'off' at once.
    if (monitoring && !this.monitoringOn()) this.publish();
  }

  private tick(tick: GpuTick): void {
    this.latest = tick;
    this.history.push(tick);
    const reading = gpu0(tick.gpus);
    const { vramAlertPercent, vramAlertSeconds } = this.options.settings.get().settings;
    this.alertState = stepAlert(
      this.alertState,
      { at: tick.at, used: reading?.memoryUsed ?? null, total: reading?.memoryTotal ?? null },
      { percent: vramAlertPercent, seconds: vramAlertSeconds },
      // Readings more than three slow periods apart leave a gap (the sampler stopped, or died and came back).
      3 * (this.options.slowMs ?? SLOW_MS),
    );
    for (const listener of [...this.tickListeners]) listener(tick);
    this.publish();
  }

  private onTick(listener: (tick: GpuTick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** The summary to every listener, and to the snapshot when more than its time changed (or now and then). */
  private publish(): void {
    if (this.disposed) return;
    const summary = this.summary();
    for (const listener of [...this.summaryListeners]) listener(summary);
    const key = JSON.stringify({ ...summary, at: null });
    const now = Date.now();
    if (this.written?.key === key && now - this.written.at < SNAPSHOT_HEARTBEAT_MS) return;
    this.written = { key, at: now };
    this.options.snapshot.set(summary);
  }

  // --- who holds the VRAM -----------------------------------------------------------------------

  private startPolling(): void {
    if (this.pollTimer) return;
    void this.pollPrograms();
    this.pollTimer = setInterval(
      () => void this.pollPrograms(),
      this.options.consumersPollMs ?? CONSUMERS_POLL_MS,
    );
    this.pollTimer.unref?.();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private pollPrograms(): Promise<void> {
    this.polling ??= this.askPrograms()
      .then((programs) => {
        this.programs = programs;
        this.publish();
      })
      .finally(() => (this.polling = null));
    return this.polling;
  }

  private clients(): { ollama: OllamaVramClient | null; a1111: A1111VramClient | null } {
    return this.options.processes.vramClients();
  }

  private a1111(): A1111VramClient {
    const a1111 = this.clients().a1111;
    if (!a1111) throw new AppError('GPU_NOT_RUNNING', { params: { component: 'AUTOMATIC1111' } });
    return a1111;
  }

  /** Only what runs is asked; a program that stopped since the last look simply holds nothing. */
  private async askPrograms(): Promise<Programs> {
    const { ollama, a1111 } = this.clients();
    const [models, cloud, memory] = await Promise.all([
      ollama ? ollama.ps().catch(() => null) : null,
      ollama ? this.cloudModels(ollama) : new Set<string>(),
      a1111 ? a1111.memory().catch(() => null) : null,
    ]);
    return { ollama: models, cloudModels: cloud, a1111Memory: memory };
  }

  private async cloudModels(ollama: OllamaVramClient): Promise<ReadonlySet<string>> {
    if (this.tags && Date.now() - this.tags.at < TAGS_MAX_AGE_MS) return this.tags.cloud;
    const cloud = await ollama
      .tags()
      .then((models) => new Set(models.filter((m) => m.remote).map((m) => m.name)))
      .catch(() => null);
    if (!cloud) return this.tags?.cloud ?? new Set();
    this.tags = { at: Date.now(), cloud };
    return cloud;
  }

  // --- measured actions -------------------------------------------------------------------------

  /**
   * Runs `action` with readings every second, and reports GPU 0's used VRAM before less after. "After"
   * is when the figure settles: two readings in a row within the tolerance, and — when the action
   * says what the program held — at least half of that gone, since a program may let go of its memory
   * only a while after it answered (Ollama drops a model from /api/ps before its runner's VRAM is back;
   * facts.md). The hint only says how long to wait: what is reported is measured, and when it does not
   * settle in time, the last reading counts. Null when there are no readings (no nvidia-smi, monitoring
   * off).
   */
  private measured(action: () => Promise<number | null>): Promise<Freed> {
    const run = async (): Promise<Freed> => {
      const m = this.options.measure ?? {};
      const release = this.need('view');
      try {
        const before = await this.usedBefore(m.freshMs ?? 1_500, m.firstTimeoutMs ?? 5_000);
        const held = await action();
        if (before === null) return { freed: null };
        const tolerance = m.toleranceMiB ?? 16;
        const settled = (v: number[]): boolean => {
          const [last, previous] = [v.at(-1) as number, v.at(-2)];
          if (previous === undefined || Math.abs(last - previous) > tolerance) return false;
          return held === null || held <= tolerance || before - last >= held / 2;
        };
        const after = (await this.readingsAfter(Date.now(), m.settleTimeoutMs ?? 10_000, settled)).at(-1);
        return { freed: after === undefined ? null : before - after };
      } finally {
        release();
        void this.pollPrograms();
      }
    };
    const result = this.actions.then(run, run);
    this.actions = result.catch(() => undefined);
    return result;
  }

  private async usedBefore(freshMs: number, timeoutMs: number): Promise<number | null> {
    const latest = this.latest && gpu0(this.latest.gpus)?.memoryUsed;
    if (this.latest && latest != null && Date.now() - this.latest.at <= freshMs) return latest;
    const values = await this.readingsAfter(Date.now() - freshMs, timeoutMs, (v) => v.length >= 1);
    return values[0] ?? null;
  }

  /** GPU 0's used VRAM of the ticks after `from`, until `enough` says so, the time is up, or no reading can come. */
  private readingsAfter(
    from: number,
    timeoutMs: number,
    enough: (values: number[]) => boolean,
  ): Promise<number[]> {
    const values: number[] = [];
    if (!this.readingsPossible()) return Promise.resolve(values);
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        offTick();
        offSummary();
        this.waiting.delete(finish);
        resolve(values);
      };
      this.waiting.add(finish);
      const timer = setTimeout(finish, timeoutMs);
      const offTick = this.onTick((tick) => {
        const used = gpu0(tick.gpus)?.memoryUsed;
        if (tick.at < from || used == null) return;
        values.push(used);
        if (enough(values)) finish();
      });
      const offSummary = this.onSummary(() => {
        if (!this.readingsPossible()) finish();
      });
    });
  }

  private readingsPossible(): boolean {
    const state = this.samplerState?.state;
    return !this.disposed && this.monitoringOn() && !(state && NO_READING.has(state));
  }
}

/** How long Ollama may take to let go of one model (requests in flight finish first; facts.md). */
const UNLOAD_TIMEOUT_MS = 15_000;

function asAppError(e: unknown): AppError {
  return e instanceof AppError
    ? e
    : new AppError('GPU_SAMPLER_FAILED', { params: { code: '-', lastLine: String(e) } });
}

function stateOfError(error: AppError): GpuSummary['state'] {
  switch (error.code) {
    case 'GPU_NVIDIA_SMI_NOT_FOUND':
      return 'not-found';
    case 'GPU_DRIVER_MISMATCH':
      return 'driver-mismatch';
    case 'GPU_NO_GPU':
      return 'no-gpu';
    default:
      return 'error';
  }
}
