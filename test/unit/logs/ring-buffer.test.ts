/** The bounded line store of an open log source (electron/logs/ring-buffer.ts). */
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../electron/logs/ring-buffer';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** What a ring of `capacity` must hold after these pushes: the newest `capacity` values, in order. */
function filled(capacity: number, values: number[], byBatch: number): RingBuffer<number> {
  const ring = new RingBuffer<number>(capacity);
  for (let i = 0; i < values.length; i += byBatch) {
    const batch = values.slice(i, i + byBatch);
    if (byBatch === 1) ring.push(batch[0] as number);
    else ring.pushMany(batch);
  }
  return ring;
}

describe('RingBuffer', () => {
  it('below its capacity: everything, in order; nothing dropped', () => {
    const ring = filled(5, [1, 2, 3], 1);
    expect(ring.toArray()).toEqual([1, 2, 3]);
    expect([ring.size, ring.capacity, ring.dropped]).toEqual([3, 5, 0]);
  });

  it.each([1, 2, 3, 7, 10, 11, 25])(
    'wraps: the newest items, in order, whatever the batch size (%i)',
    (batch) => {
      const ring = filled(10, range(0, 37), batch);
      expect(ring.toArray()).toEqual(range(27, 37));
      expect(ring.size).toBe(10);
      expect(ring.dropped).toBe(27);
    },
  );

  it('last(n): the newest n in order, across the wrap, clamped', () => {
    const ring = filled(4, range(0, 6), 1); // holds 2 3 4 5, its array wrapped
    expect(ring.last(3)).toEqual([3, 4, 5]);
    expect(ring.last(4)).toEqual([2, 3, 4, 5]);
    expect(ring.last(99)).toEqual([2, 3, 4, 5]);
    expect(ring.last(0)).toEqual([]);
    expect(ring.last(-1)).toEqual([]);
    expect(filled(4, [1, 2], 1).last(1)).toEqual([2]);
  });

  it('resize smaller keeps the newest and counts the rest as dropped; larger keeps all and grows again', () => {
    const ring = filled(6, range(0, 9), 1); // 3..8
    ring.resize(4);
    expect(ring.toArray()).toEqual([5, 6, 7, 8]);
    expect(ring.dropped).toBe(3 + 2);
    ring.resize(8);
    expect(ring.toArray()).toEqual([5, 6, 7, 8]);
    ring.pushMany([9, 10, 11, 12, 13]);
    expect(ring.toArray()).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(ring.capacity).toBe(8);
    expect(ring.dropped).toBe(6);
  });

  it('clear empties it without counting drops', () => {
    const ring = filled(3, range(0, 5), 1);
    ring.clear();
    expect([ring.size, ring.dropped]).toEqual([0, 2]);
    ring.push(9);
    expect(ring.toArray()).toEqual([9]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
    expect(() => filled(2, [1], 1).resize(-3)).toThrow(RangeError);
  });

  it('a million pushes into 100,000 slots keep exactly the newest 100,000', () => {
    const ring = new RingBuffer<number>(100_000);
    for (let i = 0; i < 1_000_000; i++) ring.push(i);
    const kept = ring.toArray();
    expect(kept.length).toBe(100_000);
    expect(kept[0]).toBe(900_000);
    expect(kept.at(-1)).toBe(999_999);
    expect(ring.dropped).toBe(900_000);
  });
});
