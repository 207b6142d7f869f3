import { describe, expect, it } from 'vitest';
import { engineSince } from '../../../electron/docker/engine-timestamp';
import { LogSeam } from '../../../electron/docker/log-seam';

const ts = (n: number) => `2026-12-03T06:45:05.${String(n).padStart(9, '0')}Z`;
const line = (n: number, text = `line ${n}`) => ({ ts: ts(n), text });

describe('LogSeam', () => {
  it('has no `since` before a line with a timestamp', () => {
    const seam = new LogSeam();
    const untimed = { ts: '', text: 'no time' };
    seam.note([untimed]);
    expect(seam.since()).toBeUndefined();
    seam.resume();
    const all = [line(1)];
    expect(seam.fresh(all)).toBe(all);
  });

  it('drops what a stream resumed `since` the last line repeats, and nothing after it', () => {
    const seam = new LogSeam();
    seam.note([line(1), line(2), line(3)]);
    expect(seam.since()).toBe(engineSince(ts(3)));
    seam.resume();
    // The engine's `since` is inclusive: line 3 comes again (and an engine may send older ones).
    expect(seam.fresh([line(2), line(3)])).toEqual([]);
    expect(seam.fresh([line(4), line(5)])).toEqual([line(4), line(5)]);
    // Past the seam every line is new, even one whose time goes back (a clock step).
    expect(seam.fresh([line(1, 'after a clock step')])).toEqual([line(1, 'after a clock step')]);
  });

  it('keeps a new line that shares the last timestamp', () => {
    const seam = new LogSeam();
    seam.note([line(1), line(7, 'a'), line(7, 'b')]);
    seam.resume();
    expect(seam.fresh([line(7, 'a'), line(7, 'b'), line(7, 'c'), line(8)])).toEqual([line(7, 'c'), line(8)]);
  });

  it('counts the lines at the last time across batches', () => {
    const seam = new LogSeam();
    seam.note([line(6), line(7, 'a')]);
    seam.note([line(7, 'b')]);
    seam.resume();
    expect(seam.fresh([line(7, 'a')])).toEqual([]);
    expect(seam.fresh([line(7, 'b'), line(9)])).toEqual([line(9)]);
  });
});
