import { describe, expect, it } from 'vitest';
import type { GpuConsumer, GpuSummary } from '../../../electron/contract';
import type { GpuTick } from '../../../electron/gpu/contract';
import {
  consumerSegments,
  formatGb,
  formatWhole,
  freedOutcome,
  GpuHistory,
  HISTORY_MS,
  isSpilled,
  latestGpus,
  ollamaModels,
  orderConsumers,
  pickGpu,
  vramTone,
  vramUse,
} from '../../../renderer/src/lib/gpu';
import { rtx4070 } from '../../helpers/gpu-readings';

const model = (name: string, vram: number | null, spilled: number | null = 0): GpuConsumer => ({
  kind: 'ollama-model',
  name,
  vram,
  spilled,
});

describe('GB and unknowns', () => {
  it('shows MiB as 1024-based GB with one decimal, the way Task Manager shows VRAM', () => {
    expect(formatGb(12282, 'en')).toBe('12.0');
    expect(formatGb(7850, 'en')).toBe('7.7');
    expect(formatGb(8000, 'ja')).toBe('7.8');
    expect(formatGb(0, 'en')).toBe('0.0');
  });

  it('never turns an unknown into 0', () => {
    expect(formatGb(null, 'en')).toBe('—');
    expect(formatGb(Number.NaN, 'en')).toBe('—');
    expect(formatWhole(null, 'ja')).toBe('—');
    expect(formatWhole(0, 'ja')).toBe('0');
    expect(formatWhole(37, 'en')).toBe('37');
  });
});

describe('vramUse', () => {
  it('takes used, total and free as reported, with the share of the total', () => {
    expect(vramUse(rtx4070())).toEqual({ used: 7850, total: 12282, free: 4432, share: 7850 / 12282 });
  });

  it('derives used from total − free when only used is unknown, and free the same way', () => {
    expect(vramUse(rtx4070({ memoryUsed: null })).used).toBe(12282 - 4432);
    expect(vramUse(rtx4070({ memoryFree: null })).free).toBe(12282 - 7850);
  });

  it('leaves the share unknown when used or total is', () => {
    expect(vramUse(rtx4070({ memoryUsed: null, memoryFree: null }))).toEqual({
      used: null,
      total: 12282,
      free: null,
      share: null,
    });
    expect(vramUse(rtx4070({ memoryTotal: null, memoryFree: null })).share).toBeNull();
    expect(vramUse(rtx4070({ memoryTotal: 0 })).share).toBeNull();
  });

  it('clamps a used figure over the total to a full gauge', () => {
    expect(vramUse(rtx4070({ memoryUsed: 13000 })).share).toBe(1);
  });
});

describe('vramTone', () => {
  it.each([
    [null, 90, 'idle'],
    [0.5, 90, 'ok'],
    [0.79, 90, 'ok'],
    [0.8, 90, 'warn'],
    [0.9, 90, 'bad'],
    [1, 100, 'bad'],
    [0.6, 60, 'bad'],
  ] as const)('share %s with the alert at %s%% → %s', (share, alert, tone) => {
    expect(vramTone(share, alert)).toBe(tone);
  });
});

describe('which reading', () => {
  it('picks the chosen GPU while it exists, else the first', () => {
    const gpus = [rtx4070(), rtx4070({ index: 1, name: 'RTX 3060' })];
    expect(pickGpu(gpus, 1)?.name).toBe('RTX 3060');
    expect(pickGpu(gpus, 7)?.index).toBe(0);
    expect(pickGpu([], 0)).toBeNull();
  });

  const summary = (at: number | null, used: number): GpuSummary => ({
    state: 'ok',
    error: null,
    gpus: [rtx4070({ memoryUsed: used })],
    consumers: [],
    alert: false,
    at,
  });
  const tick = (at: number, used: number): GpuTick => ({ at, gpus: [rtx4070({ memoryUsed: used })] });

  it('shows whichever of the snapshot and the last tick was read later', () => {
    expect(latestGpus(summary(2000, 1), tick(1000, 2))[0]?.memoryUsed).toBe(1);
    expect(latestGpus(summary(1000, 1), tick(2000, 2))[0]?.memoryUsed).toBe(2);
    expect(latestGpus(summary(1000, 1), null)[0]?.memoryUsed).toBe(1);
    expect(latestGpus(null, tick(1, 2))[0]?.memoryUsed).toBe(2);
    expect(latestGpus(summary(null, 1), tick(1, 2))[0]?.memoryUsed).toBe(2);
    expect(latestGpus(null, null)).toEqual([]);
  });
});

describe('consumers', () => {
  const consumers: GpuConsumer[] = [
    { kind: 'other', name: 'other', vram: 900, spilled: null },
    { kind: 'a1111', name: 'AUTOMATIC1111', vram: 3000, spilled: null },
    model('llama3.2:3b', 2600),
    model('gpt-oss:20b', 5200, 8000),
  ];

  it('orders Ollama models (largest first), then A1111, then the rest', () => {
    expect(orderConsumers(consumers).map((c) => c.name)).toEqual([
      'gpt-oss:20b',
      'llama3.2:3b',
      'AUTOMATIC1111',
      'other',
    ]);
    expect(ollamaModels(consumers).map((c) => c.name)).toEqual(['gpt-oss:20b', 'llama3.2:3b']);
  });

  it('splits the bar by holder, then what is free, as shares of the total', () => {
    const segments = consumerSegments(consumers, vramUse(rtx4070({ memoryUsed: 11700, memoryFree: 582 })));
    expect(segments.map((s) => [s.key, s.mib])).toEqual([
      ['ollama-model:gpt-oss:20b', 5200],
      ['ollama-model:llama3.2:3b', 2600],
      ['a1111:AUTOMATIC1111', 3000],
      ['other:other', 900],
      ['free', 582],
    ]);
    const total = segments.reduce((s, x) => s + x.share, 0);
    expect(total).toBeCloseTo(1, 5);
  });

  it('scales holders measured at other moments down to the total, leaving nothing free', () => {
    const segments = consumerSegments(
      [model('a', 8000), model('b', 6000)],
      vramUse(rtx4070({ memoryUsed: 12282, memoryFree: 0 })),
    );
    expect(segments.map((s) => s.kind)).toEqual(['ollama-model', 'ollama-model']);
    expect(segments.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 9);
    expect(segments[0]?.mib).toBe(8000);
  });

  it('gives unknown or empty holders no width, and has no bar without a total', () => {
    const segments = consumerSegments([model('a', null), model('b', 0)], vramUse(rtx4070()));
    expect(segments.map((s) => s.key)).toEqual(['free']);
    expect(consumerSegments([model('a', 100)], vramUse(rtx4070({ memoryTotal: null })))).toEqual([]);
  });

  it('warns about a model partly in system RAM only when some of it is', () => {
    expect(isSpilled(model('a', 5200, 8000))).toBe(true);
    expect(isSpilled(model('a', 5200, 0))).toBe(false);
    expect(isSpilled(model('a', 5200, null))).toBe(false);
  });
});

describe('freedOutcome', () => {
  it('tells freed, taken, no change and unknown apart', () => {
    expect(freedOutcome(5325, 'en')).toEqual({ kind: 'freed', size: '5.2' });
    expect(freedOutcome(-6758, 'ja')).toEqual({ kind: 'took', size: '6.6' });
    expect(freedOutcome(30, 'en')).toEqual({ kind: 'none' });
    expect(freedOutcome(-30, 'en')).toEqual({ kind: 'none' });
    expect(freedOutcome(null, 'en')).toEqual({ kind: 'unknown' });
  });
});

describe('GpuHistory', () => {
  const T0 = 1_800_000_000_000;
  const tick = (s: number, used: number | null, util: number | null = 10): GpuTick => ({
    at: T0 + s * 1000,
    gpus: [rtx4070({ memoryUsed: used, memoryFree: null, utilization: util })],
  });

  it('keeps ticks in order, skipping ones already held (a backlog sent again)', () => {
    const h = new GpuHistory();
    expect(h.add([tick(0, 1024), tick(1, 2048)])).toBe(true);
    expect(h.add([tick(0, 1024), tick(1, 2048)])).toBe(false);
    expect(h.add([tick(1, 2048), tick(2, 3072)])).toBe(true);
    expect(h.size).toBe(3);
    expect(h.columns(0)).toEqual([
      [T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2],
      [1, 2, 3],
      [10, 10, 10],
    ]);
  });

  it('holds ten minutes and no more', () => {
    const h = new GpuHistory();
    h.add(Array.from({ length: 700 }, (_, i) => tick(i, 1024)));
    expect(h.size).toBe(HISTORY_MS / 1000 + 1);
    expect(h.columns(0)[0][0]).toBe(T0 / 1000 + 99);
    expect(h.spanMinutes()).toBe(10);
  });

  it('breaks the line over a silence and keeps unknown values unknown', () => {
    const h = new GpuHistory();
    h.add([tick(0, 1024), tick(1, null, null), tick(30, 2048)]);
    const [xs, used, util] = h.columns(0);
    expect(xs).toEqual([T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 15.5, T0 / 1000 + 30]);
    expect(used).toEqual([1, null, null, 2]);
    expect(util).toEqual([10, null, null, 10]);
  });

  it('gives a GPU missing from a tick no value, and finds the peak', () => {
    const h = new GpuHistory();
    h.add([tick(0, 4096), tick(1, 9000), tick(2, 5000)]);
    expect(h.peakUsed(0)).toBe(9000);
    expect(h.peakUsed(1)).toBeNull();
    expect(h.columns(1)[1]).toEqual([null, null, null]);
    expect(new GpuHistory().spanMinutes()).toBe(0);
  });
});
