/** The history ring (electron/gpu/gpu-history.ts): a window on the ticks' own clock. */
import { describe, expect, it } from 'vitest';
import type { GpuTick } from '../../../electron/gpu/contract';
import { GpuHistory } from '../../../electron/gpu/gpu-history';

const tick = (at: number): GpuTick => ({ at, gpus: [] });
const ats = (h: GpuHistory): number[] => h.ticks().map((t) => t.at);

describe('GpuHistory', () => {
  it('keeps 10 minutes by default, oldest first', () => {
    const h = new GpuHistory();
    for (let s = 0; s <= 900; s++) h.push(tick(s * 1000));
    const kept = ats(h);
    expect(kept[0]).toBe(300_000);
    expect(kept.at(-1)).toBe(900_000);
    expect(kept).toHaveLength(601);
  });

  it('a pause in sampling keeps what was there; the next tick ages it out', () => {
    const h = new GpuHistory(10_000);
    [0, 1000, 2000].forEach((at) => h.push(tick(at)));
    expect(ats(h)).toEqual([0, 1000, 2000]);
    h.push(tick(11_500));
    expect(ats(h)).toEqual([2000, 11_500]);
  });

  it('stays bounded over a long run and returns copies', () => {
    const h = new GpuHistory(5_000);
    for (let at = 0; at < 1_000_000; at += 1000) h.push(tick(at));
    const list = h.ticks();
    expect(list).toHaveLength(6);
    list.length = 0;
    expect(h.ticks()).toHaveLength(6);
  });

  it('a clock set back drops the ticks that now lie in the future', () => {
    const h = new GpuHistory(60_000);
    [10_000, 11_000, 12_000].forEach((at) => h.push(tick(at)));
    h.push(tick(10_500));
    expect(ats(h)).toEqual([10_000, 10_500]);
  });

  it('clear empties it', () => {
    const h = new GpuHistory();
    h.push(tick(1));
    h.clear();
    expect(h.ticks()).toEqual([]);
  });
});
