import { describe, expect, it } from 'vitest';
import type { JobSnapshotDto } from '../../../electron/contract';
import {
  appendOutput,
  currentJob,
  hasActiveJob,
  mergeJob,
  mergeJobs,
  tailLines,
} from '../../../renderer/src/lib/jobs';

function job(id: string, createdAt: number, patch: Partial<JobSnapshotDto> = {}): JobSnapshotDto {
  return {
    id,
    kind: 'stack.start',
    resource: 'compose:/d',
    state: 'running',
    step: null,
    progress: null,
    outputLines: 0,
    error: null,
    createdAt,
    startedAt: createdAt,
    finishedAt: null,
    ...patch,
  };
}
const done = (id: string, createdAt: number, patch: Partial<JobSnapshotDto> = {}) =>
  job(id, createdAt, { state: 'succeeded', finishedAt: createdAt + 5, ...patch });

describe('mergeJob', () => {
  it('adds new jobs in creation order and replaces known ones', () => {
    let jobs = mergeJob([], job('b', 2));
    jobs = mergeJob(jobs, job('a', 1));
    expect(jobs.map((j) => j.id)).toEqual(['a', 'b']);
    jobs = mergeJob(jobs, job('a', 1, { outputLines: 3 }));
    expect(jobs.find((j) => j.id === 'a')?.outputLines).toBe(3);
    expect(jobs).toHaveLength(2);
  });

  it('never turns a finished job back into a running one (a late list answer)', () => {
    const finished = mergeJob([], done('a', 1, { state: 'failed' }));
    const after = mergeJob(finished, job('a', 1));
    expect(after[0]?.state).toBe('failed');
  });

  it('keeps only the newest 30 jobs', () => {
    const jobs = mergeJobs(
      [],
      Array.from({ length: 40 }, (_, i) => done(`j${i}`, i)),
    );
    expect(jobs).toHaveLength(30);
    expect(jobs[0]?.id).toBe('j10');
    expect(jobs[29]?.id).toBe('j39');
  });

  it('does not mutate its input', () => {
    const input = [job('a', 1)];
    mergeJob(input, job('b', 0));
    expect(input.map((j) => j.id)).toEqual(['a']);
  });
});

describe('currentJob', () => {
  it('is null without jobs', () => {
    expect(currentJob([])).toBeNull();
  });

  it('prefers the oldest unfinished job (the one running; later ones queue behind it)', () => {
    const jobs = [done('old', 1), job('running', 2), job('queued', 3, { state: 'queued', startedAt: null })];
    expect(currentJob(jobs)?.id).toBe('running');
    expect(hasActiveJob(jobs)).toBe(true);
  });

  it('otherwise shows the most recent finished job', () => {
    const jobs = [done('b', 5), done('a', 1, { state: 'failed' })];
    expect(currentJob(jobs)?.id).toBe('b');
    expect(hasActiveJob(jobs)).toBe(false);
  });
});

describe('tailLines', () => {
  it('keeps the last lines only', () => {
    const lines = Array.from({ length: 250 }, (_, i) => `line ${i}`);
    const tail = tailLines(lines, 200);
    expect(tail).toHaveLength(200);
    expect(tail[0]).toBe('line 50');
    expect(tail[199]).toBe('line 249');
    expect(tailLines(['a'], 200)).toEqual(['a']);
  });
});

describe('appendOutput', () => {
  it('adds a job-output batch after the lines so far, keeping the last ones, newest last', () => {
    expect(appendOutput([], ['a', 'b'], 3)).toEqual(['a', 'b']);
    expect(appendOutput(['a', 'b'], ['c', 'd'], 3)).toEqual(['b', 'c', 'd']);
    expect(appendOutput(['a'], [], 3)).toEqual(['a']);
    // A batch longer than the panel (the backlog of a long run) keeps only its own tail.
    expect(appendOutput(['a'], ['1', '2', '3', '4', '5'], 3)).toEqual(['3', '4', '5']);
  });

  it('does not mutate its input', () => {
    const lines = ['a'];
    const batch = ['b'];
    appendOutput(lines, batch, 1);
    expect(lines).toEqual(['a']);
    expect(batch).toEqual(['b']);
  });
});
