import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { topicContract } from '../../../electron/contract';
import {
  JobManager,
  jobOutputSource,
  KEPT_OUTPUT_LINES,
  type JobSnapshot,
} from '../../../electron/core/jobs';
import type { SubscriptionBatch } from '../../../electron/core/subscription-contract';
import { BATCH_INTERVAL_MS, SubscriptionHub } from '../../../electron/core/subscriptions';

let jobs: JobManager;
let hub: SubscriptionHub<typeof topicContract>;
let batches: SubscriptionBatch[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  jobs = new JobManager();
  hub = new SubscriptionHub(topicContract);
  hub.register('job-output', jobOutputSource(jobs));
  batches = [];
  hub.connect('win', (b) => void batches.push(b));
});
afterEach(async () => {
  hub.dispose();
  vi.useRealTimers();
  await jobs.dispose();
});

/** A job that prints what the test tells it to, and finishes when told. */
function controlledJob() {
  let print!: (line: string) => void;
  let finish!: () => void;
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const handle = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
    print = (line) => ctx.log(line);
    started();
    await new Promise<void>((r) => (finish = r));
  });
  return { handle, running, print: (l: string) => print(l), finish: () => finish() };
}

const lines = (): unknown[] => batches.flatMap((b) => b.items);

describe('job-output topic', () => {
  it('sends the kept backlog first, then new lines as they come, and ends when the job finishes', async () => {
    const job = controlledJob();
    await job.running;
    job.print('one');
    job.print('two');
    const id = hub.subscribe('win', 'job-output', { jobId: job.handle.id });
    job.print('three');
    vi.advanceTimersByTime(0);
    expect(batches).toEqual([{ id, items: ['one', 'two', 'three'], dropped: 0, ended: false }]);

    job.print('four');
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(batches.at(-1)).toEqual({ id, items: ['four'], dropped: 0, ended: false });

    job.print('five');
    job.finish();
    await job.handle.done;
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(batches.at(-1)).toEqual({ id, items: ['five'], dropped: 0, ended: true });
    expect(hub.count()).toBe(0);
    expect(lines()).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('a finished job sends what it kept and ends at once', async () => {
    const handle = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      for (let i = 0; i < KEPT_OUTPUT_LINES + 5; i++) ctx.log(`line ${i}`);
    });
    await handle.done;
    const id = hub.subscribe('win', 'job-output', { jobId: handle.id });
    vi.advanceTimersByTime(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ id, dropped: 0, ended: true });
    expect(batches[0]?.items).toHaveLength(KEPT_OUTPUT_LINES);
    expect(batches[0]?.items[0]).toBe('line 5');
    expect(jobs.get(handle.id)?.outputLines).toBe(KEPT_OUTPUT_LINES + 5);
  });

  it('a failed or cancelled job ends the stream too', async () => {
    const job = controlledJob();
    await job.running;
    hub.subscribe('win', 'job-output', { jobId: job.handle.id });
    job.print('before cancel');
    jobs.cancel(job.handle.id);
    job.finish();
    await job.handle.done.catch(() => undefined);
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(batches.at(-1)?.ended).toBe(true);
    expect(lines()).toEqual(['before cancel']);
  });

  it('refuses an unknown job and bad params', () => {
    expect(() => hub.subscribe('win', 'job-output', { jobId: 'nope' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', params: { reason: 'no job with id "nope"' } }),
    );
    expect(() => hub.subscribe('win', 'job-output', {})).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('each subscriber gets the whole stream; unsubscribing one leaves the others', async () => {
    const job = controlledJob();
    await job.running;
    const other: SubscriptionBatch[] = [];
    hub.connect('other', (b) => void other.push(b));
    const a = hub.subscribe('win', 'job-output', { jobId: job.handle.id });
    hub.subscribe('other', 'job-output', { jobId: job.handle.id });
    job.print('x');
    vi.advanceTimersByTime(0);
    hub.unsubscribe(a, 'win');
    job.print('y');
    job.finish();
    await job.handle.done;
    vi.advanceTimersByTime(BATCH_INTERVAL_MS);
    expect(lines()).toEqual(['x']);
    expect(other.flatMap((b) => b.items)).toEqual(['x', 'y']);
    expect(other.at(-1)?.ended).toBe(true);
  });

  it('job events carry no output: a line alone sends no update, the next state change has the count', async () => {
    const updates: JobSnapshot[] = [];
    jobs.onUpdate((j) => updates.push(j));
    const job = controlledJob();
    await job.running;
    const before = updates.length;
    for (let i = 0; i < 50; i++) job.print(`line ${i}`);
    expect(updates.length).toBe(before);
    job.finish();
    await job.handle.done;
    expect(updates.at(-1)).toMatchObject({ state: 'succeeded', outputLines: 50 });
    for (const u of updates) expect(u).not.toHaveProperty('lines');
  });
});
