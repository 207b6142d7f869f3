import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineTopics } from '../../../electron/core/contract-kit';
import { AppError } from '../../../electron/core/errors';
import type { SubscriptionBatch } from '../../../electron/core/subscription-contract';
import {
  BATCH_INTERVAL_MS,
  DEFAULT_MAX_QUEUE,
  SubscriptionHub,
  type TopicSink,
} from '../../../electron/core/subscriptions';

const topics = defineTopics({
  numbers: { params: z.object({ from: z.number().int() }).strict(), item: z.number() },
  words: { params: z.object({}).strict(), item: z.string() },
});

/** A source the test drives by hand: every open stream's sink, and which were stopped. */
function manualSource() {
  const sinks: Array<TopicSink<number>> = [];
  const params: Array<{ from: number }> = [];
  let stopped = 0;
  return {
    sinks,
    params,
    stopped: () => stopped,
    source: (p: { from: number }, sink: TopicSink<number>) => {
      params.push(p);
      sinks.push(sink);
      return () => void stopped++;
    },
  };
}

function receiver() {
  const batches: SubscriptionBatch[] = [];
  return { batches, receive: (b: SubscriptionBatch) => void batches.push(b) };
}

let hub: SubscriptionHub<typeof topics>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  hub = new SubscriptionHub(topics);
});
afterEach(() => {
  hub.dispose();
  vi.useRealTimers();
});

describe('SubscriptionHub batching', () => {
  it('delivers the first batch promptly, then at most one batch per interval', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    const id = hub.subscribe('win', 'numbers', { from: 0 });
    const sink = src.sinks[0]!;

    sink.push(1);
    sink.push(2);
    expect(win.batches).toEqual([]); // not synchronous: pushes in one tick share a batch
    vi.advanceTimersByTime(0);
    expect(win.batches).toEqual([{ id, items: [1, 2], dropped: 0, ended: false }]);

    // A steady stream: one push per ms for 500 ms gives one batch per interval, nothing lost.
    const deliveredAt: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 500; i++) {
      sink.push(100 + i);
      const before = win.batches.length;
      vi.advanceTimersByTime(1);
      if (win.batches.length > before) deliveredAt.push(Date.now() - start);
    }
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    for (let i = 1; i < deliveredAt.length; i++) {
      expect(deliveredAt[i]! - deliveredAt[i - 1]!).toBeGreaterThanOrEqual(BATCH_INTERVAL_MS);
    }
    expect(deliveredAt[0]).toBeGreaterThanOrEqual(BATCH_INTERVAL_MS - 1);
    const items = win.batches.flatMap((b) => b.items);
    expect(items).toEqual([1, 2, ...Array.from({ length: 500 }, (_, i) => 100 + i)]);
    expect(win.batches.length).toBeLessThanOrEqual(2 + Math.ceil(500 / BATCH_INTERVAL_MS));
  });

  it('after a quiet spell the next item goes out at once again', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    src.sinks[0]!.push(1);
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(10 * BATCH_INTERVAL_MS);
    src.sinks[0]!.push(2);
    vi.advanceTimersByTime(0);
    expect(win.batches.map((b) => b.items)).toEqual([[1], [2]]);
  });

  it('sends nothing while a stream is quiet', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    vi.advanceTimersByTime(20 * BATCH_INTERVAL_MS);
    expect(win.batches).toEqual([]);
  });
});

describe('SubscriptionHub bounded queue', () => {
  it('drops the oldest items beyond the limit and reports exactly how many in the next batch', () => {
    const small = new SubscriptionHub(topics, { maxQueue: 5 });
    const src = manualSource();
    small.register('numbers', src.source);
    const win = receiver();
    small.connect('win', win.receive);
    const id = small.subscribe('win', 'numbers', { from: 0 });
    for (let i = 1; i <= 12; i++) src.sinks[0]!.push(i);
    vi.advanceTimersByTime(0);
    expect(win.batches).toEqual([{ id, items: [8, 9, 10, 11, 12], dropped: 7, ended: false }]);

    // The count restarts with each batch; pushMany counts the same way as single pushes.
    src.sinks[0]!.pushMany([13, 14, 15]);
    src.sinks[0]!.pushMany([16, 17, 18, 19, 20, 21, 22]);
    src.sinks[0]!.push(23);
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(win.batches[1]).toEqual({ id, items: [19, 20, 21, 22, 23], dropped: 6, ended: false });
    small.dispose();
  });

  it('keeps a whole backlog under the default limit, and the default holds a log view', () => {
    expect(DEFAULT_MAX_QUEUE).toBeGreaterThanOrEqual(10_000);
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    const backlog = Array.from({ length: DEFAULT_MAX_QUEUE + 3 }, (_, i) => i);
    src.sinks[0]!.pushMany(backlog);
    vi.advanceTimersByTime(0);
    expect(win.batches[0]?.dropped).toBe(3);
    expect(win.batches[0]?.items).toHaveLength(DEFAULT_MAX_QUEUE);
    expect(win.batches[0]?.items[0]).toBe(3);
  });

  it('a topic may keep more than the default (a big log backlog)', () => {
    const src = manualSource();
    hub.register('numbers', src.source, { maxQueue: 50_000 });
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    for (let i = 0; i < 50_000; i++) src.sinks[0]!.push(i);
    vi.advanceTimersByTime(0);
    expect(win.batches[0]?.items).toHaveLength(50_000);
    expect(win.batches[0]?.dropped).toBe(0);
  });
});

describe('SubscriptionHub lifecycle', () => {
  it('unsubscribe stops the source and sends nothing more; only the owner may do it', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.connect('other', () => undefined);
    const id = hub.subscribe('win', 'numbers', { from: 0 });
    src.sinks[0]!.push(1);
    expect(hub.unsubscribe(id, 'other')).toBe(false);
    expect(hub.unsubscribe(id, 'win')).toBe(true);
    expect(src.stopped()).toBe(1);
    src.sinks[0]!.push(2);
    vi.advanceTimersByTime(10 * BATCH_INTERVAL_MS);
    expect(win.batches).toEqual([]);
    expect(hub.unsubscribe(id, 'win')).toBe(false);
    expect(hub.count()).toBe(0);
  });

  it('closeOwner (window closed or reloaded) removes every subscription of that receiver only', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    const other = receiver();
    hub.connect('win', win.receive);
    hub.connect('other', other.receive);
    hub.subscribe('win', 'numbers', { from: 1 });
    hub.subscribe('win', 'numbers', { from: 2 });
    const kept = hub.subscribe('other', 'numbers', { from: 3 });
    for (const sink of src.sinks) sink.push(7);

    expect(hub.closeOwner('win')).toBe(2);
    expect(src.stopped()).toBe(2);
    expect(hub.count('win')).toBe(0);
    expect(hub.count('other')).toBe(1);
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(win.batches).toEqual([]);
    expect(other.batches).toEqual([{ id: kept, items: [7], dropped: 0, ended: false }]);

    // The receiver stays connected: the reloaded page subscribes again.
    hub.subscribe('win', 'numbers', { from: 4 });
    src.sinks[3]!.push(8);
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(win.batches.map((b) => b.items)).toEqual([[8]]);
  });

  it('disconnecting a receiver closes its subscriptions; a receiver that throws is treated as gone', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const disconnect = hub.connect('win', () => undefined);
    hub.subscribe('win', 'numbers', { from: 0 });
    disconnect();
    expect(hub.count()).toBe(0);
    expect(src.stopped()).toBe(1);
    expect(() => hub.subscribe('win', 'numbers', { from: 0 })).toThrow(AppError);

    hub.connect('broken', () => {
      throw new Error('window destroyed');
    });
    hub.subscribe('broken', 'numbers', { from: 0 });
    hub.subscribe('broken', 'numbers', { from: 1 });
    src.sinks[1]!.push(1);
    vi.advanceTimersByTime(0);
    expect(hub.count('broken')).toBe(0);
    expect(src.stopped()).toBe(3);
  });

  it('a source that ends sends its last items with ended: true, then the subscription is gone', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    const id = hub.subscribe('win', 'numbers', { from: 0 });
    src.sinks[0]!.push(1);
    src.sinks[0]!.end();
    src.sinks[0]!.push(2); // after the end: ignored
    expect(src.stopped()).toBe(1);
    vi.advanceTimersByTime(0);
    expect(win.batches).toEqual([{ id, items: [1], dropped: 0, ended: true }]);
    expect(hub.count()).toBe(0);
    expect(hub.unsubscribe(id, 'win')).toBe(false);
    vi.advanceTimersByTime(10 * BATCH_INTERVAL_MS);
    expect(win.batches).toHaveLength(1);
  });

  it('a source may push a backlog and end before it returns its stop', () => {
    let stopped = 0;
    hub.register('numbers', ({ from }, sink) => {
      sink.pushMany([from, from + 1]);
      sink.end();
      return () => void stopped++;
    });
    const win = receiver();
    hub.connect('win', win.receive);
    const id = hub.subscribe('win', 'numbers', { from: 5 });
    expect(stopped).toBe(1);
    vi.advanceTimersByTime(0);
    expect(win.batches).toEqual([{ id, items: [5, 6], dropped: 0, ended: true }]);
  });

  it('the end of a stream respects the interval too', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    src.sinks[0]!.push(1);
    vi.advanceTimersByTime(0);
    src.sinks[0]!.end();
    vi.advanceTimersByTime(BATCH_INTERVAL_MS - 1);
    expect(win.batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(win.batches.at(-1)).toMatchObject({ items: [], ended: true });
  });

  it('many subscribers to one topic each get their own batches', () => {
    const sinks: Array<TopicSink<number>> = [];
    const listeners = new Set<TopicSink<number>>();
    hub.register('numbers', (_p, sink) => {
      sinks.push(sink);
      listeners.add(sink);
      return () => listeners.delete(sink);
    });
    const receivers = [receiver(), receiver(), receiver()];
    receivers.forEach((r, i) => hub.connect(`win${i}`, r.receive));
    const ids = receivers.map((_r, i) => hub.subscribe(`win${i}`, 'numbers', { from: 0 }));
    const second = hub.subscribe('win0', 'numbers', { from: 0 });
    expect(new Set([...ids, second]).size).toBe(4);
    for (const l of listeners) l.push(1);
    vi.advanceTimersByTime(0);
    hub.unsubscribe(ids[1]!, 'win1');
    for (const l of listeners) l.push(2);
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(receivers[0]!.batches.map((b) => [b.id, b.items])).toEqual([
      [ids[0], [1]],
      [second, [1]],
      [ids[0], [2]],
      [second, [2]],
    ]);
    expect(receivers[1]!.batches.map((b) => b.items)).toEqual([[1]]);
    expect(receivers[2]!.batches.map((b) => b.items)).toEqual([[1], [2]]);
  });

  it('flush delivers what is queued at once, for an in-process receiver keeping its order', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    const id = hub.subscribe('win', 'numbers', { from: 0 });
    src.sinks[0]!.push(1);
    hub.flush(id);
    expect(win.batches.map((b) => b.items)).toEqual([[1]]);
    hub.flush(id); // nothing queued: nothing sent
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(win.batches).toHaveLength(1);
  });

  it('unregistering a topic ends its open streams', () => {
    const src = manualSource();
    const unregister = hub.register('numbers', src.source);
    const win = receiver();
    hub.connect('win', win.receive);
    hub.subscribe('win', 'numbers', { from: 0 });
    unregister();
    vi.advanceTimersByTime(0);
    expect(win.batches).toMatchObject([{ items: [], ended: true }]);
    expect(src.stopped()).toBe(1);
    expect(() => hub.subscribe('win', 'numbers', { from: 0 })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', detail: 'topic "numbers" has no source' }),
    );
  });
});

describe('SubscriptionHub validation', () => {
  const refusal = (fn: () => unknown): { code: string; reason: unknown } => {
    try {
      fn();
    } catch (e) {
      if (e instanceof AppError) return { code: e.code, reason: e.params?.reason };
      throw e;
    }
    throw new Error('expected a refusal');
  };

  it('refuses unknown topics and params the topic schema refuses, without calling the source', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    hub.connect('win', () => undefined);
    expect(refusal(() => hub.subscribe('win', 'nope', {}))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'unknown topic "nope"',
    });
    expect(refusal(() => hub.subscribe('win', 'toString', {})).code).toBe('INVALID_ARGUMENT');
    expect(refusal(() => hub.subscribe('win', 'numbers', { from: 'x' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      reason: expect.stringMatching(/^numbers: from: /),
    });
    expect(refusal(() => hub.subscribe('win', 'numbers', { from: 1, extra: true })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(refusal(() => hub.subscribe('win', 'numbers', undefined)).code).toBe('INVALID_ARGUMENT');
    expect(src.params).toEqual([]);
    hub.subscribe('win', 'numbers', { from: 3 });
    expect(src.params).toEqual([{ from: 3 }]);
  });

  it('passes on a source’s refusal and keeps nothing of the subscription', () => {
    hub.register('words', () => {
      throw new AppError('INVALID_ARGUMENT', { params: { reason: 'no such thing' } });
    });
    hub.connect('win', () => undefined);
    expect(() => hub.subscribe('win', 'words', {})).toThrow(/no such thing/);
    expect(hub.count()).toBe(0);
  });

  it('registers only contract topics, once each', () => {
    const src = manualSource();
    hub.register('numbers', src.source);
    expect(() => hub.register('numbers', src.source)).toThrow(/already/);
    expect(() =>
      (hub as unknown as SubscriptionHub<Record<string, never>>).register('nope' as never, () => undefined),
    ).toThrow(/not in the contract/);
  });
});
