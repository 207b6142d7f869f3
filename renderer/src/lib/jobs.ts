import type { JobSnapshotDto } from '../../../electron/contract';

/** Main keeps about 30 finished jobs; the window needs no more than that either. */
const KEEP_JOBS = 30;

export function isFinished(job: JobSnapshotDto): boolean {
  return job.finishedAt !== null;
}

export function hasActiveJob(jobs: readonly JobSnapshotDto[]): boolean {
  return jobs.some((j) => !isFinished(j));
}

/**
 * Folds one `job` event into the list. Events for one job arrive in order, but a `jobs:list` answer may
 * cross a newer event: an update never replaces a snapshot that is further along.
 */
export function mergeJob(jobs: readonly JobSnapshotDto[], update: JobSnapshotDto): JobSnapshotDto[] {
  const index = jobs.findIndex((j) => j.id === update.id);
  let next: JobSnapshotDto[];
  if (index === -1) {
    next = [...jobs, update];
  } else {
    const existing = jobs[index] as JobSnapshotDto;
    if (isFinished(existing) && !isFinished(update)) return [...jobs];
    next = jobs.map((j, i) => (i === index ? update : j));
  }
  next.sort((a, b) => a.createdAt - b.createdAt);
  return next.slice(Math.max(0, next.length - KEEP_JOBS));
}

export function mergeJobs(
  jobs: readonly JobSnapshotDto[],
  updates: readonly JobSnapshotDto[],
): JobSnapshotDto[] {
  return updates.reduce<JobSnapshotDto[]>((acc, u) => mergeJob(acc, u), [...jobs]);
}

/**
 * The job the dashboard shows: the oldest unfinished one (it is the one running; later ones wait in
 * its queue), otherwise the most recent finished one so its outcome stays visible.
 */
export function currentJob(jobs: readonly JobSnapshotDto[]): JobSnapshotDto | null {
  const sorted = [...jobs].sort((a, b) => a.createdAt - b.createdAt);
  const active = sorted.find((j) => !isFinished(j));
  if (active) return active;
  return sorted.length > 0 ? (sorted[sorted.length - 1] as JobSnapshotDto) : null;
}

/** The output panel shows only the tail: long compose runs must not grow the DOM without bound. */
export function tailLines(lines: readonly string[], max: number): string[] {
  return lines.length <= max ? [...lines] : lines.slice(lines.length - max);
}

/** Folds one `job-output` batch into the kept tail (newest last, at most `max` lines). */
export function appendOutput(lines: readonly string[], batch: readonly string[], max: number): string[] {
  if (batch.length >= max) return batch.slice(batch.length - max);
  return tailLines([...lines, ...batch], max);
}
