import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { AppError, toErrorInfo, type ErrorInfo } from './errors';
import type { TopicSink, TopicSource } from './subscriptions';

/**
 * Long operations (compose up/down, redeploys, plugin reinstalls) run as jobs: they report progress,
 * can be cancelled, and are serialized per resource (e.g. one compose operation per project at a
 * time) — a second job on the same resource waits in the queue instead of racing the first.
 */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobStep {
  key: string;
  params?: Record<string, string | number>;
}

export interface JobSnapshot {
  id: string;
  kind: string;
  resource: string;
  state: JobState;
  /** i18n key + params of the current step ("Starting containers…"). */
  step: JobStep | null;
  /** 0..1 when known. */
  progress: number | null;
  /**
   * How many output lines the job has printed so far, as of this snapshot. Printing a line does not
   * make a new snapshot (that would resend the job per line): the lines themselves stream through the
   * `job-output` topic (`followOutput`).
   */
  outputLines: number;
  error: ErrorInfo | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  log(line: string): void;
  step(key: string, params?: Record<string, string | number>): void;
  progress(fraction: number): void;
  /** Throws AppError('CANCELLED') when the job was cancelled; call between steps. */
  throwIfCancelled(): void;
}

export interface JobHandle<T> {
  id: string;
  done: Promise<T>;
}

export interface JobSpec {
  kind: string;
  resource: string;
}

/** Output lines a job keeps: what a view that subscribes late (or reopens) gets first. */
export const KEPT_OUTPUT_LINES = 400;
const MAX_FINISHED = 30;

interface Entry {
  snapshot: JobSnapshot;
  controller: AbortController;
  /** The last KEPT_OUTPUT_LINES lines, newest last. */
  lines: string[];
  followers: Set<TopicSink<string>>;
}

export class JobManager {
  private readonly events = new EventEmitter();
  private readonly entries = new Map<string, Entry>();
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Starts `fn` after every earlier job on the same resource has finished. */
  start<T>(spec: JobSpec, fn: (ctx: JobContext) => Promise<T>): JobHandle<T> {
    const id = randomUUID();
    const controller = new AbortController();
    const snapshot: JobSnapshot = {
      id,
      kind: spec.kind,
      resource: spec.resource,
      state: 'queued',
      step: null,
      progress: null,
      outputLines: 0,
      error: null,
      createdAt: Date.now(),
      startedAt: null,
      finishedAt: null,
    };
    const entry: Entry = { snapshot, controller, lines: [], followers: new Set() };
    this.entries.set(id, entry);
    this.emit(entry);

    const ctx: JobContext = {
      id,
      signal: controller.signal,
      log: (line) => {
        entry.lines.push(line);
        if (entry.lines.length > KEPT_OUTPUT_LINES)
          entry.lines.splice(0, entry.lines.length - KEPT_OUTPUT_LINES);
        snapshot.outputLines++;
        for (const follower of entry.followers) follower.push(line);
      },
      // A poll loop reports the same step or fraction again and again (waiting for health checks):
      // only a change is an update worth sending to every window.
      step: (key, params) => {
        const next = params ? { key, params } : { key };
        if (sameStep(snapshot.step, next)) return;
        snapshot.step = next;
        this.emit(entry);
      },
      progress: (fraction) => {
        const next = Math.max(0, Math.min(1, fraction));
        if (snapshot.progress === next) return;
        snapshot.progress = next;
        this.emit(entry);
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED');
      },
    };

    const previous = this.tails.get(spec.resource) ?? Promise.resolve();
    const done = previous.then(async () => {
      if (controller.signal.aborted) throw new AppError('CANCELLED');
      snapshot.state = 'running';
      snapshot.startedAt = Date.now();
      this.emit(entry);
      return fn(ctx);
    });
    const settled = done.then(
      () => this.finish(entry, 'succeeded', null),
      (e: unknown) => {
        const cancelled = controller.signal.aborted || (e instanceof AppError && e.code === 'CANCELLED');
        this.finish(
          entry,
          cancelled ? 'cancelled' : 'failed',
          toErrorInfo(cancelled ? cancellationError(e) : e),
        );
      },
    );
    this.tails.set(spec.resource, settled);
    void settled.then(() => {
      if (this.tails.get(spec.resource) === settled) this.tails.delete(spec.resource);
    });
    return { id, done };
  }

  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.snapshot.finishedAt !== null) return false;
    entry.controller.abort();
    return true;
  }

  get(id: string): JobSnapshot | undefined {
    const entry = this.entries.get(id);
    return entry ? clone(entry.snapshot) : undefined;
  }

  list(): JobSnapshot[] {
    return [...this.entries.values()].map((e) => clone(e.snapshot));
  }

  /** The output lines the job still keeps (its last KEPT_OUTPUT_LINES), newest last. */
  output(id: string): string[] | undefined {
    const entry = this.entries.get(id);
    return entry ? [...entry.lines] : undefined;
  }

  /**
   * Feeds a job's output into `sink`: the kept lines at once, then each new line; ends the sink when
   * the job finishes (at once when it has). Returns the stop. Throws INVALID_ARGUMENT for a job that
   * is unknown or was pruned (only the last few finished jobs are kept).
   */
  followOutput(id: string, sink: TopicSink<string>): () => void {
    const entry = this.entries.get(id);
    if (!entry) throw new AppError('INVALID_ARGUMENT', { params: { reason: `no job with id "${id}"` } });
    sink.pushMany([...entry.lines]);
    if (entry.snapshot.finishedAt !== null) {
      sink.end();
      return () => undefined;
    }
    entry.followers.add(sink);
    return () => entry.followers.delete(sink);
  }

  /** True while any job on the resource is queued or running. */
  isBusy(resource: string): boolean {
    return [...this.entries.values()].some(
      (e) => e.snapshot.resource === resource && e.snapshot.finishedAt === null,
    );
  }

  onUpdate(listener: (job: JobSnapshot) => void): () => void {
    this.events.on('update', listener);
    return () => this.events.off('update', listener);
  }

  /** Cancels everything and waits for running jobs to settle (app quit, end of a CLI run). */
  async dispose(): Promise<void> {
    for (const entry of this.entries.values()) entry.controller.abort();
    await Promise.allSettled([...this.tails.values()]);
  }

  private finish(entry: Entry, state: JobState, error: ErrorInfo | null): void {
    entry.snapshot.state = state;
    entry.snapshot.error = error;
    entry.snapshot.finishedAt = Date.now();
    if (state === 'succeeded') entry.snapshot.progress = 1;
    this.emit(entry);
    for (const follower of entry.followers) follower.end();
    entry.followers.clear();
    this.prune();
  }

  private prune(): void {
    const finished = [...this.entries.values()].filter((e) => e.snapshot.finishedAt !== null);
    for (const e of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED)))
      this.entries.delete(e.snapshot.id);
  }

  private emit(entry: Entry): void {
    this.events.emit('update', clone(entry.snapshot));
  }
}

/**
 * A cancelled job says "Cancelled", unless it explained more about how it stopped (a code such as
 * ENV_APPLY_CANCELLED_ROLLED_BACK): then the user keeps that explanation.
 */
function cancellationError(e: unknown): AppError {
  return e instanceof AppError && e.code.includes('CANCELLED') ? e : new AppError('CANCELLED');
}

function sameStep(a: JobStep | null, b: JobStep): boolean {
  if (!a || a.key !== b.key) return false;
  const pa = Object.entries(a.params ?? {});
  const pb = b.params ?? {};
  return pa.length === Object.keys(pb).length && pa.every(([k, v]) => pb[k] === v);
}

function clone(s: JobSnapshot): JobSnapshot {
  return { ...s, step: s.step ? { ...s.step } : null };
}

/** The `job-output` topic: a job's kept lines, then its new ones, until it finishes. */
export function jobOutputSource(jobs: JobManager): TopicSource<{ jobId: string }, string> {
  return ({ jobId }, sink) => jobs.followOutput(jobId, sink);
}
