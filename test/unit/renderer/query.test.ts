/**
 * startQuery (renderer/src/lib/query.ts), the rules under useQuery: first fetch, events folded in or
 * triggering a refetch, and no answer applied once it is no longer wanted (superseded, or stopped).
 */
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../../electron/contract';
import { startQuery, type QuerySink, type QuerySpec, type Subscribe } from '../../../renderer/src/lib/query';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A stand-in for the bridge's `on`: emit by hand, see who listens. */
function fakeEvents() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  // The fake does not check payload shapes: tests emit what the folds under test expect.
  const subscribe = ((event: EventName, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  }) as Subscribe;
  return {
    subscribe,
    emit(event: EventName, payload: unknown) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    count(event: EventName) {
      return listeners.get(event)?.size ?? 0;
    },
  };
}

/** A sink that records what a component would hold. */
function recorder<T>() {
  const seen = { data: null as T | null, answers: 0, failures: [] as unknown[] };
  const sink: QuerySink<T> = {
    change: (next) => {
      seen.data = next(seen.data);
    },
    answered: () => {
      seen.answers += 1;
    },
    failed: (reason) => {
      seen.failures.push(reason);
    },
  };
  return { seen, sink };
}

/** Fetches answered by hand, in the order they were made. */
function manualFetch<T>() {
  const calls: Array<{ signal: AbortSignal; answer: Deferred<T> }> = [];
  const fetch = (signal: AbortSignal) => {
    const answer = deferred<T>();
    calls.push({ signal, answer });
    return answer.promise;
  };
  return { calls, fetch };
}

describe('startQuery', () => {
  it('fetches once at the start and hands the answer over', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    startQuery({ fetch }, sink, events.subscribe);
    expect(calls).toHaveLength(1);
    calls[0]!.answer.resolve('first');
    await flush();
    expect(seen).toEqual({ data: 'first', answers: 1, failures: [] });
  });

  it('a failed fetch reports its reason and keeps the data held', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    startQuery({ fetch, refetchOn: ['settings'] }, sink, events.subscribe);
    calls[0]!.answer.resolve('kept');
    await flush();
    events.emit('settings', {});
    const reason = new Error('main said no');
    calls[1]!.answer.reject(reason);
    await flush();
    expect(seen).toEqual({ data: 'kept', answers: 1, failures: [reason] });
  });

  it('a fetch that throws instead of rejecting fails the same way', async () => {
    const events = fakeEvents();
    const { seen, sink } = recorder<string>();
    const reason = new Error('thrown');
    startQuery(
      {
        fetch: () => {
          throw reason;
        },
      },
      sink,
      events.subscribe,
    );
    await flush();
    expect(seen.failures).toEqual([reason]);
  });

  it('stopped: the late answer is ignored, the fetch is aborted, listeners are removed', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    const stop = startQuery(
      { fetch, refetchOn: ['job'], fold: { status: (_held, _s) => 'folded' } },
      sink,
      events.subscribe,
    );
    expect([events.count('job'), events.count('status')]).toEqual([1, 1]);
    stop();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect([events.count('job'), events.count('status')]).toEqual([0, 0]);
    calls[0]!.answer.resolve('too late');
    await flush();
    expect(seen).toEqual({ data: null, answers: 0, failures: [] });
  });

  it('a refetch supersedes the fetch under way: only the newest answer counts', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    startQuery({ fetch, refetchOn: ['job', 'settings'] }, sink, events.subscribe);
    events.emit('job', {});
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[1]!.signal.aborted).toBe(false);
    calls[1]!.answer.resolve('newer');
    calls[0]!.answer.resolve('older, answered last');
    await flush();
    expect(seen).toEqual({ data: 'newer', answers: 1, failures: [] });
    events.emit('settings', {});
    calls[2]!.answer.resolve('after settings');
    await flush();
    expect(seen.data).toBe('after settings');
  });

  it('a superseded fetch that fails reports nothing', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    startQuery({ fetch, refetchOn: ['job'] }, sink, events.subscribe);
    events.emit('job', {});
    calls[0]!.answer.reject(new Error('aborted'));
    await flush();
    expect(seen.failures).toEqual([]);
  });

  it('events fold in before and after the answer; merge decides how the answer meets them', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string[]>();
    const { seen, sink } = recorder<string[]>();
    const spec: QuerySpec<string[]> = {
      fetch,
      // The fake emits plain strings as payloads.
      fold: { status: (held, s) => [...(held ?? []), `event:${s as unknown as string}`] },
      merge: (held, answer) => [...answer, ...(held ?? [])],
    };
    startQuery(spec, sink, events.subscribe);
    // Subscribed before the fetch answered: nothing sent meanwhile is lost.
    events.emit('status', 'early');
    expect(seen.data).toEqual(['event:early']);
    calls[0]!.answer.resolve(['answer']);
    await flush();
    expect(seen.data).toEqual(['answer', 'event:early']);
    events.emit('status', 'late');
    expect(seen.data).toEqual(['answer', 'event:early', 'event:late']);
  });

  it('without merge the answer replaces what events brought', async () => {
    const events = fakeEvents();
    const { calls, fetch } = manualFetch<string>();
    const { seen, sink } = recorder<string>();
    startQuery({ fetch, fold: { status: () => 'from event' } }, sink, events.subscribe);
    events.emit('status', {});
    calls[0]!.answer.resolve('from answer');
    await flush();
    expect(seen.data).toBe('from answer');
  });
});
