import { describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import { sleep } from '../../../electron/docker/ensure-engine';

describe('JobManager', () => {
  it('runs jobs on one resource one after another, others in parallel', async () => {
    const jobs = new JobManager();
    const order: string[] = [];
    const task = (name: string, ms: number) => async () => {
      order.push(`${name}:start`);
      await sleep(ms);
      order.push(`${name}:end`);
    };
    const a = jobs.start({ kind: 'k', resource: 'compose:/a' }, task('a1', 30));
    const b = jobs.start({ kind: 'k', resource: 'compose:/a' }, task('a2', 1));
    const c = jobs.start({ kind: 'k', resource: 'compose:/b' }, task('b1', 1));
    expect(jobs.get(b.id)?.state).toBe('queued');
    expect(jobs.isBusy('compose:/a')).toBe(true);
    await Promise.all([a.done, b.done, c.done]);
    expect(order.indexOf('a1:end')).toBeLessThan(order.indexOf('a2:start'));
    expect(order.indexOf('b1:end')).toBeLessThan(order.indexOf('a1:end'));
    expect(jobs.isBusy('compose:/a')).toBe(false);
  });

  it('reports steps, output, progress and the final state', async () => {
    const jobs = new JobManager();
    const seen: string[] = [];
    jobs.onUpdate((j) => seen.push(j.state));
    const job = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      ctx.step('stack.steps.composeUp');
      ctx.log('Container x Started');
      ctx.progress(0.5);
      return 42;
    });
    expect(await job.done).toBe(42);
    const snap = jobs.get(job.id);
    expect(snap).toMatchObject({
      state: 'succeeded',
      step: { key: 'stack.steps.composeUp' },
      outputLines: 1,
      progress: 1,
      error: null,
    });
    expect(snap).not.toHaveProperty('lines');
    expect(jobs.output(job.id)).toEqual(['Container x Started']);
    expect(seen[0]).toBe('queued');
    expect(seen).toContain('running');
  });

  it('sends an update only when the step or progress really changed (poll loops repeat them)', async () => {
    const jobs = new JobManager();
    const seen: string[] = [];
    jobs.onUpdate((j) => seen.push(`${j.step?.key}:${JSON.stringify(j.step?.params ?? {})}:${j.progress}`));
    const job = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      ctx.step('stack.steps.waitingForServices');
      for (let i = 0; i < 5; i++) ctx.progress(0.5);
      ctx.step('stack.steps.waitingForServices');
      ctx.progress(0.75);
      ctx.step('stack.steps.restartingService', { service: 'api' });
      ctx.step('stack.steps.restartingService', { service: 'api' });
      ctx.step('stack.steps.restartingService', { service: 'worker' });
    });
    await job.done;
    expect(seen.slice(2, -1)).toEqual([
      'stack.steps.waitingForServices:{}:null',
      'stack.steps.waitingForServices:{}:0.5',
      'stack.steps.waitingForServices:{}:0.75',
      'stack.steps.restartingService:{"service":"api"}:0.75',
      'stack.steps.restartingService:{"service":"worker"}:0.75',
    ]);
  });

  it('keeps the code and detail of a failure', async () => {
    const jobs = new JobManager();
    const job = jobs.start({ kind: 'k', resource: 'r' }, async () => {
      throw new AppError('COMPOSE_FAILED', { params: { command: 'up', exitCode: 1 }, detail: 'boom' });
    });
    await expect(job.done).rejects.toMatchObject({ code: 'COMPOSE_FAILED' });
    expect(jobs.get(job.id)?.error).toMatchObject({
      code: 'COMPOSE_FAILED',
      detail: 'boom',
      params: { command: 'up', exitCode: 1 },
    });
  });

  it('keeps a cancelled job’s own explanation of how it stopped', async () => {
    const jobs = new JobManager();
    const job = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      while (!ctx.signal.aborted) await sleep(5);
      throw new AppError('ENV_APPLY_CANCELLED_ROLLED_BACK');
    });
    while (jobs.get(job.id)?.state !== 'running') await sleep(1);
    jobs.cancel(job.id);
    await expect(job.done).rejects.toMatchObject({ code: 'ENV_APPLY_CANCELLED_ROLLED_BACK' });
    expect(jobs.get(job.id)).toMatchObject({
      state: 'cancelled',
      error: { code: 'ENV_APPLY_CANCELLED_ROLLED_BACK' },
    });
  });

  it('cancels a running job through its signal and a queued one before it starts', async () => {
    const jobs = new JobManager();
    let ranSecond = false;
    const first = jobs.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      while (!ctx.signal.aborted) await sleep(5);
      ctx.throwIfCancelled();
    });
    const second = jobs.start({ kind: 'k', resource: 'r' }, async () => {
      ranSecond = true;
    });
    expect(jobs.cancel(second.id)).toBe(true);
    expect(jobs.cancel(first.id)).toBe(true);
    await expect(first.done).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(second.done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ranSecond).toBe(false);
    expect(jobs.get(first.id)?.state).toBe('cancelled');
    expect(jobs.cancel(first.id)).toBe(false);
  });
});
