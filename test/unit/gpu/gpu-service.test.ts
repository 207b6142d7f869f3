/**
 * GpuService against a fake sampler (ticks on a short timer, at the interval the service asks for) and
 * fake Ollama/A1111 clients: demand → cadence, settings → restart/stop, the snapshot part, the alert,
 * the samples topic, and unloads measured before and after. test/integration/gpu runs the real sampler
 * against the nvidia-smi double and the Ollama/A1111 doubles.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import type { GpuReading } from '../../../electron/core/contract';
import { AppError } from '../../../electron/core/errors';
import { gpuTopics, type GpuTick } from '../../../electron/gpu/contract';
import type { SubscriptionBatch } from '../../../electron/core/subscription-contract';
import { SubscriptionHub } from '../../../electron/core/subscriptions';
import type { SamplerOptions, SamplerState } from '../../../electron/gpu/gpu-sampler';
import { GpuService, type GpuServiceOptions, type SamplerLike } from '../../../electron/gpu/gpu-service';
import type { A1111VramClient, OllamaLoadedModel, OllamaVramClient } from '../../../electron/processes/api';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import type { SettingsView } from '../../../electron/settings/contract';

const MIB = 1024 * 1024;
const TOTAL = 12282;

const reading = (used: number | null, index = 0): GpuReading => ({
  index,
  name: 'NVIDIA GeForce RTX 4070',
  memoryTotal: TOTAL,
  memoryUsed: used,
  memoryFree: used === null ? null : TOTAL - used,
  utilization: 10,
  temperature: 45,
});

/** A sampler that ticks every `intervalMs / 50` ms (so 1 s → 20 ms) with `gpuUsed()` once started. */
class FakeSampler implements SamplerLike {
  intervals: number[];
  started = false;
  stopped = false;
  current: SamplerState = { state: 'starting', error: null, mode: 'stream' };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly opts: SamplerOptions,
    private readonly gpuUsed: () => number | null,
    private readonly failWith: AppError | null,
  ) {
    this.intervals = [opts.intervalMs];
  }

  start(): void {
    this.started = true;
    if (this.failWith) {
      this.current = { state: 'not-found', error: this.failWith, mode: 'stream' };
      this.opts.onState(this.current);
      return;
    }
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  setIntervalMs(ms: number): void {
    this.intervals.push(ms);
    this.arm();
  }

  state(): SamplerState {
    return this.current;
  }

  async sampleOnce(): Promise<GpuTick> {
    if (this.failWith) throw this.failWith;
    return { at: Date.now(), gpus: [reading(this.gpuUsed())] };
  }

  interval(): number {
    return this.intervals.at(-1) as number;
  }

  private arm(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.stopped) return;
    this.timer = setInterval(() => {
      this.current = { state: 'ok', error: null, mode: 'stream' };
      this.opts.onState(this.current);
      this.opts.onTick({ at: Date.now(), gpus: [reading(this.gpuUsed()), reading(100, 1)] });
    }, this.interval() / 50);
  }
}

/** Ollama's /api/ps and unload as the double does them: a model leaves ps a moment after the request. */
class FakeOllama implements OllamaVramClient {
  loaded: OllamaLoadedModel[] = [];
  unloadAnswers = true;
  /** The runner's VRAM is freed this long after the model left /api/ps (its process exiting). */
  releaseLagMs = 0;
  /** MiB still held by runners on their way out. */
  releasing = 0;
  async ps(): Promise<OllamaLoadedModel[]> {
    return this.loaded.map((m) => ({ ...m }));
  }
  async tags() {
    return [
      { name: 'gemma3:12b', size: 1, remote: false },
      { name: 'gpt-oss:120b-cloud', size: 1, remote: true },
    ];
  }
  async unload(model: string): Promise<boolean> {
    if (!this.unloadAnswers) return false;
    await new Promise((r) => setTimeout(r, 30));
    const gone = this.loaded.filter((m) => m.name === model).reduce((n, m) => n + m.sizeVram / MIB, 0);
    this.loaded = this.loaded.filter((m) => m.name !== model);
    if (this.releaseLagMs > 0) {
      this.releasing += gone;
      setTimeout(() => (this.releasing -= gone), this.releaseLagMs);
    }
    return true;
  }
}

class FakeA1111 implements A1111VramClient {
  reserved = 2770;
  accept = true;
  async memory(): Promise<unknown> {
    return { cuda: { reserved: { current: this.reserved * MIB } } };
  }
  async unloadCheckpoint(): Promise<boolean> {
    if (this.accept) this.reserved = 16;
    return this.accept;
  }
  async reloadCheckpoint(): Promise<boolean> {
    if (this.accept) this.reserved = 2770;
    return this.accept;
  }
}

interface Rig {
  service: GpuService;
  snapshot: AppSnapshotStore;
  samplers: FakeSampler[];
  settings: Settings;
  setSettings(patch: Partial<Settings>): void;
  ollama: FakeOllama;
  a1111: FakeA1111;
  running: { ollama: boolean; a1111: boolean };
  writes: number;
}

const services: GpuService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});

function rig(
  opts: { settings?: Partial<Settings>; fail?: AppError; service?: Partial<GpuServiceOptions> } = {},
): Rig {
  let settings: Settings = { ...SettingsSchema.parse({}), nvidiaSmiPath: process.execPath, ...opts.settings };
  const listeners = new Set<(v: SettingsView) => void>();
  const view = (): SettingsView => ({ settings, path: '/tmp/settings.json', warning: null });
  const snapshot = new AppSnapshotStore();
  const ollama = new FakeOllama();
  const a1111 = new FakeA1111();
  const running = { ollama: true, a1111: true };
  const samplers: FakeSampler[] = [];
  // What nvidia-smi would say: the desktop's 900 MiB plus what the programs hold.
  const gpuUsed = () =>
    900 +
    (running.ollama ? ollama.loaded.reduce((n, m) => n + m.sizeVram / MIB, 0) + ollama.releasing : 0) +
    (running.a1111 ? a1111.reserved : 0);
  const r: Rig = {
    snapshot,
    samplers,
    get settings() {
      return settings;
    },
    setSettings(patch) {
      settings = { ...settings, ...patch };
      for (const l of listeners) l(view());
    },
    ollama,
    a1111,
    running,
    writes: 0,
    service: null as unknown as GpuService, // set just below
  };
  const part = snapshot.part('gpu');
  r.service = new GpuService({
    settings: {
      get: view,
      onChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    processes: {
      vramClients: () => ({ ollama: running.ollama ? ollama : null, a1111: running.a1111 ? a1111 : null }),
    },
    snapshot: {
      set: (v) => {
        r.writes++;
        part.set(v);
      },
    },
    createSampler: (o) => {
      const s = new FakeSampler(o, gpuUsed, opts.fail ?? null);
      samplers.push(s);
      return s;
    },
    facts: async () => ({ gpus: [], memoryTotal: 32 * 1024 * MIB }),
    consumersPollMs: 20,
    measure: { settleTimeoutMs: 2_000 },
    ...opts.service,
  });
  services.push(r.service);
  return r;
}

const live = (r: Rig) => r.samplers.filter((s) => s.started && !s.stopped);

describe('GpuService: demand sets the cadence', () => {
  it('1 s for a view or the tooltip, 5 s for the badge alone, stopped when nobody needs readings', async () => {
    const r = rig();
    await vi.waitFor(() => expect(r.samplers).toHaveLength(0));
    const badge = r.service.need('badge');
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
    const sampler = live(r)[0] as FakeSampler;
    expect(sampler.interval()).toBe(5000);
    expect(sampler.opts.command).toBe(process.execPath);

    const tooltip = r.service.need('tooltip');
    await vi.waitFor(() => expect(sampler.interval()).toBe(1000));
    tooltip();
    await vi.waitFor(() => expect(sampler.interval()).toBe(5000));
    const view = r.service.need('view');
    await vi.waitFor(() => expect(sampler.interval()).toBe(1000));
    view();
    view(); // a second release changes nothing
    await vi.waitFor(() => expect(sampler.interval()).toBe(5000));
    badge();
    await vi.waitFor(() => expect(sampler.stopped).toBe(true));
    // One nvidia-smi all along: the cadence changed, the sampler was not replaced.
    expect(r.samplers).toHaveLength(1);
  });

  it('monitoring off: no nvidia-smi whatever is needed, and the summary says off; on again resumes', async () => {
    const r = rig({ settings: { gpuMonitoring: false } });
    expect(r.snapshot.get().gpu).toMatchObject({ state: 'off', gpus: [], alert: false });
    const release = r.service.need('view');
    await new Promise((res) => setTimeout(res, 50));
    expect(r.samplers).toHaveLength(0);

    r.setSettings({ gpuMonitoring: true });
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.state).toBe('ok'));

    r.setSettings({ gpuMonitoring: false });
    await vi.waitFor(() => expect(r.samplers[0]?.stopped).toBe(true));
    expect(r.snapshot.get().gpu?.state).toBe('off');
    release();
  });

  it("'always' (the CLI) samples even when the app's monitoring is off", async () => {
    const r = rig({ settings: { gpuMonitoring: false }, service: { monitoring: 'always' } });
    r.service.need('view');
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
  });

  it('another nvidia-smi path replaces the running sampler; a missing one is reported as not found', async () => {
    const r = rig();
    r.service.need('badge');
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
    r.setSettings({ nvidiaSmiPath: '/nowhere/nvidia-smi' });
    await vi.waitFor(() => expect(r.samplers).toHaveLength(2));
    expect(r.samplers[0]?.stopped).toBe(true);
    expect(r.samplers[1]?.opts).toMatchObject({
      command: null,
      looked: ['/nowhere/nvidia-smi'],
      intervalMs: 5000,
    });
  });

  it('dispose stops the sampler', async () => {
    const r = rig();
    r.service.need('view');
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
    await r.service.dispose();
    expect(r.samplers[0]?.stopped).toBe(true);
  });
});

describe('GpuService: the snapshot part', () => {
  it('holds the readings and who holds the VRAM: Ollama models (cloud ones skipped), A1111, other', async () => {
    const r = rig();
    r.ollama.loaded = [
      { name: 'gemma3:12b', size: 9000 * MIB, sizeVram: 8000 * MIB, expiresAt: null },
      { name: 'gpt-oss:120b-cloud', size: 0, sizeVram: 0, expiresAt: null },
    ];
    r.service.need('view');
    await vi.waitFor(() =>
      expect(r.snapshot.get().gpu?.consumers).toEqual([
        { kind: 'ollama-model', name: 'gemma3:12b', vram: 8000, spilled: 1000 },
        { kind: 'a1111', name: 'AUTOMATIC1111', vram: 2770, spilled: null },
        { kind: 'other', name: 'other', vram: 900, spilled: null },
      ]),
    );
    const gpu = r.snapshot.get().gpu;
    expect(gpu).toMatchObject({ state: 'ok', error: null, alert: false });
    expect(gpu?.gpus.map((g) => [g.index, g.memoryUsed])).toEqual([
      [0, 11670],
      [1, 100],
    ]);
    expect(gpu?.at).toEqual(expect.any(Number));
  });

  it('asks only what runs', async () => {
    const r = rig();
    r.running.ollama = false;
    const ps = vi.spyOn(r.ollama, 'ps');
    r.service.need('view');
    await vi.waitFor(() =>
      expect(r.snapshot.get().gpu?.consumers.map((c) => c.kind)).toEqual(['a1111', 'other']),
    );
    expect(ps).not.toHaveBeenCalled();
  });

  it('is written when something besides the time changes, not at every tick', async () => {
    const r = rig();
    r.service.need('view');
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.state).toBe('ok'));
    const before = r.writes;
    const ticks: GpuTick[] = [];
    const off = r.service.onSummary((s) => s.at !== null && ticks.push({ at: s.at, gpus: s.gpus }));
    await vi.waitFor(() => expect(ticks.length).toBeGreaterThanOrEqual(10));
    off();
    // Ten ticks of the same figures: at most a heartbeat's write (every 5 s), not ten.
    expect(r.writes - before).toBeLessThanOrEqual(1);
    r.ollama.loaded = [{ name: 'gemma3:12b', size: 1000 * MIB, sizeVram: 1000 * MIB, expiresAt: null }];
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.consumers[0]?.name).toBe('gemma3:12b'));
  });

  it('says why there is no reading: nvidia-smi not found, with where it looked', async () => {
    const r = rig({ fail: new AppError('GPU_NVIDIA_SMI_NOT_FOUND', { params: { looked: 'PATH' } }) });
    r.service.need('badge');
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.state).toBe('not-found'));
    expect(r.snapshot.get().gpu).toMatchObject({
      gpus: [],
      at: null,
      error: { code: 'GPU_NVIDIA_SMI_NOT_FOUND', params: { looked: 'PATH' } },
    });
  });

  it('raises the alert after the threshold held for the configured time, and clears it below', async () => {
    const r = rig({ settings: { vramAlertPercent: 90, vramAlertSeconds: 5 } });
    r.a1111.reserved = 10500; // 900 + 10500 = 11400 MiB of 12282: 93 %
    r.service.need('view');
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.state).toBe('ok'));
    expect(r.snapshot.get().gpu?.alert).toBe(false);
    // The alert counts on the readings' own clock: 5 s of readings at 20 ms apart is a while here.
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.alert).toBe(true), { timeout: 10_000 });
    r.a1111.reserved = 1000;
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.alert).toBe(false));
  }, 15_000);
});

describe('GpuService: the gpu-samples topic', () => {
  it('sends the history first, then each tick, and needs 1 s readings while subscribed', async () => {
    const r = rig();
    const badge = r.service.need('badge');
    await vi.waitFor(() => expect(live(r)).toHaveLength(1));
    const sampler = live(r)[0] as FakeSampler;
    await vi.waitFor(() => expect(r.snapshot.get().gpu?.state).toBe('ok'));
    await new Promise((res) => setTimeout(res, 300));

    const items: GpuTick[] = [];
    let backlog = 0;
    const stop = r.service.samplesSource()(
      {},
      {
        push: (t) => items.push(t),
        pushMany: (ts) => {
          backlog = ts.length;
          items.push(...ts);
        },
        end: () => undefined,
      },
    );
    expect(backlog).toBeGreaterThan(0);
    await vi.waitFor(() => expect(sampler.interval()).toBe(1000));
    await vi.waitFor(() => expect(items.length).toBeGreaterThan(backlog + 3));
    const times = items.map((t) => t.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    stop?.();
    await vi.waitFor(() => expect(sampler.interval()).toBe(5000));
    const count = items.length;
    await new Promise((res) => setTimeout(res, 300));
    expect(items.length).toBe(count);
    badge();
  });

  it("through the subscription hub as the contract's topic: batches of ticks to the subscriber", async () => {
    const r = rig();
    const hub = new SubscriptionHub(gpuTopics, { intervalMs: 10 });
    hub.register('gpu-samples', r.service.samplesSource());
    const batches: SubscriptionBatch[] = [];
    hub.connect('view', (b) => batches.push(b));
    const id = hub.subscribe('view', 'gpu-samples', {});
    await vi.waitFor(() => expect(batches.flatMap((b) => b.items).length).toBeGreaterThan(2));
    expect(batches[0]?.id).toBe(id);
    expect(batches.flatMap((b) => b.items)[0]).toMatchObject({
      at: expect.any(Number),
      gpus: [{ index: 0 }, { index: 1 }],
    });
    expect(() => hub.subscribe('view', 'gpu-samples', { gpu: 1 })).toThrow(/gpu-samples/);
    hub.closeOwner('view');
    await vi.waitFor(() => expect(live(r)).toHaveLength(0));
    hub.dispose();
  });
});

describe('GpuService: unloads report the VRAM freed, as measured', () => {
  it('one Ollama model: what it held', async () => {
    const r = rig();
    r.ollama.loaded = [
      { name: 'gemma3:12b', size: 8000 * MIB, sizeVram: 8000 * MIB, expiresAt: null },
      { name: 'llama3.2:latest', size: 2000 * MIB, sizeVram: 2000 * MIB, expiresAt: null },
    ];
    expect(await r.service.unloadOllama('gemma3:12b')).toEqual({ freed: 8000 });
    expect(r.ollama.loaded.map((m) => m.name)).toEqual(['llama3.2:latest']);
    // No need left behind: nobody else asked for readings, so nvidia-smi stops again.
    await vi.waitFor(() => expect(live(r)).toHaveLength(0));
  });

  it('VRAM let go a moment after Ollama answered: the figure is taken once it settles', async () => {
    const r = rig();
    r.ollama.loaded = [{ name: 'gemma3:12b', size: 8000 * MIB, sizeVram: 8000 * MIB, expiresAt: null }];
    r.ollama.releaseLagMs = 150; // several readings (20 ms apart) still show the model's VRAM
    expect(await r.service.unloadOllama('gemma3:12b')).toEqual({ freed: 8000 });
  });

  it('every loaded model when none is named (cloud models left alone)', async () => {
    const r = rig();
    const unload = vi.spyOn(r.ollama, 'unload');
    r.ollama.loaded = [
      { name: 'gemma3:12b', size: 8000 * MIB, sizeVram: 8000 * MIB, expiresAt: null },
      { name: 'llama3.2:latest', size: 3000 * MIB, sizeVram: 2000 * MIB, expiresAt: null },
      { name: 'gpt-oss:120b-cloud', size: 0, sizeVram: 0, expiresAt: null },
    ];
    expect(await r.service.unloadOllama()).toEqual({ freed: 10000 });
    expect(unload.mock.calls.map((c) => c[0])).toEqual(['gemma3:12b', 'llama3.2:latest']);
  });

  it("A1111's checkpoint: unload frees, reload takes it back (a negative figure)", async () => {
    const r = rig();
    expect(await r.service.unloadA1111()).toEqual({ freed: 2754 });
    expect(await r.service.reloadA1111()).toEqual({ freed: -2754 });
  });

  it('two actions at once are measured one after the other', async () => {
    const r = rig();
    r.ollama.loaded = [{ name: 'gemma3:12b', size: 8000 * MIB, sizeVram: 8000 * MIB, expiresAt: null }];
    const [a, b] = await Promise.all([r.service.unloadOllama('gemma3:12b'), r.service.unloadA1111()]);
    expect([a, b]).toEqual([{ freed: 8000 }, { freed: 2754 }]);
  });

  it('null when nothing can be measured (no nvidia-smi), the action done all the same', async () => {
    const r = rig({ fail: new AppError('GPU_NVIDIA_SMI_NOT_FOUND', { params: { looked: 'PATH' } }) });
    expect(await r.service.unloadA1111()).toEqual({ freed: null });
    expect(r.a1111.reserved).toBe(16);
  });

  it('refuses what does not run, and says when it would not let go', async () => {
    const r = rig();
    r.running.ollama = false;
    await expect(r.service.unloadOllama('gemma3:12b')).rejects.toMatchObject({
      code: 'GPU_NOT_RUNNING',
      params: { component: 'Ollama' },
    });
    r.running.ollama = true;
    r.ollama.loaded = [{ name: 'gemma3:12b', size: MIB, sizeVram: MIB, expiresAt: null }];
    r.ollama.unloadAnswers = false;
    await expect(r.service.unloadOllama('gemma3:12b')).rejects.toMatchObject({
      code: 'GPU_UNLOAD_TIMEOUT',
      params: { model: 'gemma3:12b' },
    });
    r.a1111.accept = false;
    await expect(r.service.unloadA1111()).rejects.toMatchObject({ code: 'GPU_CHECKPOINT_UNLOAD_FAILED' });
    await expect(r.service.reloadA1111()).rejects.toMatchObject({ code: 'GPU_CHECKPOINT_RELOAD_FAILED' });
    r.running.a1111 = false;
    await expect(r.service.unloadA1111()).rejects.toMatchObject({
      code: 'GPU_NOT_RUNNING',
      params: { component: 'AUTOMATIC1111' },
    });
  });
});

describe('GpuService.readOnce', () => {
  it('one reading and who holds the VRAM, without starting the stream', async () => {
    const r = rig({ settings: { gpuMonitoring: false } });
    r.ollama.loaded = [{ name: 'gemma3:12b', size: 4000 * MIB, sizeVram: 4000 * MIB, expiresAt: null }];
    const summary = await r.service.readOnce();
    expect(summary).toMatchObject({ state: 'ok', error: null, gpus: [{ index: 0, memoryUsed: 7670 }] });
    expect(summary.consumers.map((c) => [c.name, c.vram])).toEqual([
      ['gemma3:12b', 4000],
      ['AUTOMATIC1111', 2770],
      ['other', 900],
    ]);
    expect(r.samplers.some((s) => s.started)).toBe(false);
  });

  it.each([
    ['GPU_DRIVER_MISMATCH', 'driver-mismatch'],
    ['GPU_NO_GPU', 'no-gpu'],
    ['GPU_NVIDIA_SMI_NOT_FOUND', 'not-found'],
    ['GPU_SAMPLER_FAILED', 'error'],
  ] as const)('%s → state %s, with the error', async (code, state) => {
    const r = rig({
      fail: new AppError(code, { params: { detail: 'x', looked: 'PATH', code: '1', lastLine: 'x' } }),
    });
    const summary = await r.service.readOnce();
    expect(summary).toMatchObject({ state, error: { code }, gpus: [], at: null });
  });
});
