/**
 * The renderer's `subscribe` over a fake bridge: batches routed by id, batches that overtake the
 * subscribe answer kept until it comes, and unsubscribing (also before the answer, as React's
 * StrictMode does) closes the stream in main.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_KEY } from '../../../electron/bridge-key';
import type { SubscriptionBatch } from '../../../electron/contract';

interface FakeBridge {
  invoke: ReturnType<typeof vi.fn>;
  on: (event: string, listener: (payload: unknown) => void) => () => void;
  emit(batch: SubscriptionBatch): void;
  /** Answers the pending subscribe calls in order, with these ids (or a refusal). */
  answers: Array<(result: unknown) => void>;
}

function fakeBridge(): FakeBridge {
  const listeners = new Set<(payload: unknown) => void>();
  const answers: FakeBridge['answers'] = [];
  const bridge: FakeBridge = {
    answers,
    invoke: vi.fn((channel: string) => {
      if (channel === 'subscriptions:subscribe') return new Promise((resolve) => answers.push(resolve));
      return Promise.resolve({ ok: true, value: { closed: true } });
    }),
    on: (event, listener) => {
      if (event === 'subscription') listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (batch) => {
      for (const l of listeners) l(batch);
    },
  };
  return bridge;
}

const batch = (id: string, items: string[], ended = false): SubscriptionBatch => ({
  id,
  items,
  dropped: 0,
  ended,
});
const flush = () => new Promise((r) => setTimeout(r, 0));

let bridge: FakeBridge;
let api: typeof import('../../../renderer/src/api');

beforeEach(async () => {
  vi.resetModules();
  bridge = fakeBridge();
  vi.stubGlobal(BRIDGE_KEY, bridge);
  api = await import('../../../renderer/src/api');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('subscribe', () => {
  it('routes batches by id, keeping those that overtook the answer, in order', async () => {
    const a: string[][] = [];
    const b: string[][] = [];
    api.subscribe('job-output', { jobId: 'j1' }, (x) => a.push(x.items));
    api.subscribe('job-output', { jobId: 'j2' }, (x) => b.push(x.items));
    expect(bridge.invoke).toHaveBeenCalledWith('subscriptions:subscribe', {
      topic: 'job-output',
      params: { jobId: 'j1' },
    });
    bridge.emit(batch('s1', ['early 1']));
    bridge.emit(batch('s1', ['early 2']));
    bridge.answers[0]!({ ok: true, value: { id: 's1' } });
    bridge.answers[1]!({ ok: true, value: { id: 's2' } });
    await flush();
    expect(a).toEqual([['early 1'], ['early 2']]);
    bridge.emit(batch('s2', ['for b']));
    bridge.emit(batch('s1', ['late']));
    expect(a).toEqual([['early 1'], ['early 2'], ['late']]);
    expect(b).toEqual([['for b']]);
  });

  it('unsubscribe closes the stream in main and stops deliveries', async () => {
    const got: string[][] = [];
    const off = api.subscribe('job-output', { jobId: 'j' }, (x) => got.push(x.items));
    bridge.answers[0]!({ ok: true, value: { id: 's1' } });
    await flush();
    off();
    off();
    expect(bridge.invoke).toHaveBeenCalledWith('subscriptions:unsubscribe', { id: 's1' });
    expect(bridge.invoke.mock.calls.filter((c) => c[0] === 'subscriptions:unsubscribe')).toHaveLength(1);
    bridge.emit(batch('s1', ['after']));
    expect(got).toEqual([]);
  });

  it('unsubscribing before the answer closes the stream once the id is known, delivering nothing', async () => {
    const got: string[][] = [];
    const off = api.subscribe('job-output', { jobId: 'j' }, (x) => got.push(x.items));
    bridge.emit(batch('s1', ['early']));
    off();
    bridge.answers[0]!({ ok: true, value: { id: 's1' } });
    await flush();
    expect(bridge.invoke).toHaveBeenCalledWith('subscriptions:unsubscribe', { id: 's1' });
    expect(got).toEqual([]);
  });

  it('an ended stream needs no unsubscribe', async () => {
    const got: Array<{ items: string[]; ended: boolean }> = [];
    const off = api.subscribe('job-output', { jobId: 'j' }, (x) =>
      got.push({ items: x.items, ended: x.ended }),
    );
    bridge.answers[0]!({ ok: true, value: { id: 's1' } });
    await flush();
    bridge.emit(batch('s1', ['last'], true));
    off();
    expect(got).toEqual([{ items: ['last'], ended: true }]);
    expect(bridge.invoke.mock.calls.some((c) => c[0] === 'subscriptions:unsubscribe')).toBe(false);
  });

  it('a refused subscribe reaches onError as an ApiError with its code', async () => {
    const errors: string[] = [];
    api.subscribe(
      'job-output',
      { jobId: 'gone' },
      () => undefined,
      (e) => errors.push(e.code),
    );
    bridge.answers[0]!({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'no job' } });
    await flush();
    expect(errors).toEqual(['INVALID_ARGUMENT']);
  });

  it('without the bridge (a page opened outside the app) it reports the refusal instead of throwing', () => {
    vi.stubGlobal(BRIDGE_KEY, undefined);
    const errors: string[] = [];
    const off = api.subscribe(
      'job-output',
      { jobId: 'j' },
      () => undefined,
      (e) => errors.push(e.code),
    );
    expect(errors).toEqual(['INTERNAL']);
    expect(() => off()).not.toThrow();
  });
});
