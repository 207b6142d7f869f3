/**
 * A compose service's log as one source that outlives its containers: the service's container is
 * followed; when its stream ends (the container stopped, a redeploy recreated it under another id,
 * the engine restarted) the source says `waiting`, waits for the service to run again, and continues
 * with that container `since` the last line it handed over — `recreated` when the container is a new
 * one, `reconnected` when it is the same. The engine's `since` is inclusive and several lines may share
 * a timestamp, so the seam is de-duplicated (docker/log-seam.ts): nothing repeats, nothing is skipped.
 *
 * Waiting is cheap: a look at the service's containers when the owner's change feed says something
 * happened (the stack's snapshot, kept live by Docker events) and otherwise now and then, backing off.
 */
import type Docker from 'dockerode';
import { streamContainerLogs, type ContainerLogLine } from '../docker/container-log-stream';
import { engineSince } from '../docker/engine-timestamp';
import { LogSeam } from '../docker/log-seam';
import type { OpenSource, OpenSourceOptions, RawLogLine, SourceSink } from './source';

/** A container of the service, as the project lookup lists it. */
export interface ServiceContainer {
  id: string;
  /** Docker's container name (`docker-plugin_daemon-1`). */
  name: string;
  /** Docker's state: running, exited, created, restarting, … */
  state: string;
  /** Creation time (seconds since the epoch, as the engine lists it). */
  created: number;
}

export interface ServiceSourceDeps {
  docker: Pick<Docker, 'getContainer'>;
  /**
   * The service's containers in the current project, in any state (none: it has no container now).
   * Throws when it cannot tell (engine down, no project): the source waits and asks again.
   */
  containers(service: string): Promise<ServiceContainer[]>;
  /** A nudge when containers may have changed (Docker events); without it the source only polls. */
  onChange?(listener: () => void): () => void;
  /** Waits between looks while the service is not running: the first, doubled up to the last. */
  retryMs?: { first: number; max: number };
}

/** With a change feed, polling is only the safety net; without one it is all there is. */
const RETRY_WITH_FEED = { first: 500, max: 30_000 };
const RETRY_WITHOUT_FEED = { first: 500, max: 5_000 };

/** The 12-character id `docker ps` shows. */
export const shortId = (id: string): string => id.slice(0, 12);

/**
 * With several containers for one service (`--scale`, or an old one left behind a failed recreate),
 * the running one is followed — the newest of those; when none runs, the newest.
 */
export function pickContainer(containers: readonly ServiceContainer[]): ServiceContainer | null {
  const ranked = [...containers].sort(
    (a, b) => Number(b.state === 'running') - Number(a.state === 'running') || b.created - a.created,
  );
  return ranked[0] ?? null;
}

/** What to call the followed container: its name, and the others when the service has several. */
export function containerDetail(picked: ServiceContainer, all: readonly ServiceContainer[]): string {
  if (all.length <= 1) return picked.name;
  const others = all.filter((c) => c.id !== picked.id).map((c) => c.name);
  return `${picked.name} (1 of ${all.length}; also ${others.join(', ')})`;
}

const toRaw = (line: ContainerLogLine): RawLogLine => ({ stream: line.stream, at: line.at, text: line.text });

export function openServiceSource(deps: ServiceSourceDeps, service: string): OpenSource {
  return (options, sink) => {
    const run = new ServiceFollow(deps, service, options, sink);
    void run.start();
    return () => run.stop();
  };
}

/** Doubling waits, from the first to the last, back to the first once something ran. */
class Backoff {
  private ms: number;

  constructor(private readonly range: { first: number; max: number }) {
    this.ms = range.first;
  }

  next(): number {
    const ms = this.ms;
    this.ms = Math.min(ms * 2, this.range.max);
    return ms;
  }

  reset(): void {
    this.ms = this.range.first;
  }
}

/** A stream that delivered a line or stayed open this long is established (not one failing at once). */
const ESTABLISHED_AFTER_MS = 1000;

/** One open of the source: the loop of stream → wait → stream, until stopped. */
class ServiceFollow {
  private readonly controller = new AbortController();
  private readonly seam = new LogSeam();
  /** The container streamed last (null before the first stream). */
  private current: string | null = null;
  /** When the first stream opened: where a resumed stream starts when no line has come yet. */
  private openedAt = 0;
  /** `waiting` was said for the current break (said once, however long the break). */
  private waitingSaid = false;
  private wake: (() => void) | null = null;
  private readonly offChange: (() => void) | null;

  constructor(
    private readonly deps: ServiceSourceDeps,
    private readonly service: string,
    private readonly options: OpenSourceOptions,
    private readonly sink: SourceSink,
  ) {
    this.offChange = deps.onChange?.(() => this.wake?.()) ?? null;
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  stop(): void {
    if (this.stopped) return;
    this.controller.abort();
    this.offChange?.();
    this.wake?.();
  }

  async start(): Promise<void> {
    try {
      await this.loop();
    } catch (error) {
      // A bug below (the sink threw): the source ends rather than spinning.
      if (!this.stopped) this.sink.end(error);
    }
    this.stop();
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff(
      this.deps.retryMs ?? (this.deps.onChange ? RETRY_WITH_FEED : RETRY_WITHOUT_FEED),
    );
    while (!this.stopped) {
      const found = await this.look();
      if (this.stopped) return;
      // Once a stream ran, only a running container has anything new; the first time, a stopped
      // container's log is worth reading too (it tells why it stopped).
      const target = found && (this.current === null || found.picked.state === 'running') ? found : null;
      if (!target) {
        if (!this.options.follow) return this.sink.end();
        this.sayWaiting();
        await this.pause(backoff.next());
        continue;
      }
      const outcome = await this.stream(target.picked, target.all);
      if (this.stopped) return;
      if (!this.options.follow) return this.sink.end(outcome.error);
      if (outcome.established) {
        backoff.reset();
        this.waitingSaid = false;
      }
      this.sayWaiting();
      // After a stream that ran, look again at once (a restart is usually already under way); after
      // one that failed at once (the engine still down), wait longer each time.
      await this.pause(outcome.established ? 0 : backoff.next());
    }
  }

  private sayWaiting(): void {
    if (this.waitingSaid) return;
    this.waitingSaid = true;
    this.sink.mark('waiting', this.service);
  }

  /** The service's container to follow now, or null (none, or the lookup failed). */
  private async look(): Promise<{ picked: ServiceContainer; all: ServiceContainer[] } | null> {
    try {
      const all = await this.deps.containers(this.service);
      const picked = pickContainer(all);
      return picked ? { picked, all } : null;
    } catch {
      return null;
    }
  }

  /**
   * Streams one container until its stream ends. A resumed stream is marked where it continues, once
   * it is established: a container that is stopping still lists as running for a moment, and a
   * stream opened on it ends at once — that is no reconnection to tell the view about.
   */
  private async stream(
    picked: ServiceContainer,
    all: readonly ServiceContainer[],
  ): Promise<{ established: boolean; error?: unknown }> {
    const previous = this.current;
    const resumed = previous !== null;
    this.current = picked.id;
    let established = false;
    const establish = (): void => {
      if (established || this.stopped) return;
      established = true;
      clearTimeout(timer);
      if (!resumed) return;
      if (picked.id === previous) this.sink.mark('reconnected', containerDetail(picked, all));
      else this.sink.mark('recreated', shortId(picked.id));
    };
    const timer = setTimeout(establish, ESTABLISHED_AFTER_MS);
    if (!resumed) this.openedAt = Date.now();
    // Without a line yet (a quiet service, or `tail: 0`), "since the last line" is since the first
    // open: never the container's whole log, which the first open did not ask for.
    const since = resumed
      ? (this.seam.since() ?? sinceOption(Math.max(this.openedAt, this.options.since ?? 0)))
      : sinceOption(this.options.since);
    if (resumed) this.seam.resume();
    const end = await streamContainerLogs(
      this.deps.docker,
      picked.id,
      {
        follow: this.options.follow,
        // Continuing after a break: everything since the last line (the seam drops the repeats).
        tail: resumed ? undefined : this.options.tail,
        since,
        signal: this.controller.signal,
      },
      (lines) => {
        const fresh = this.seam.fresh(lines);
        if (fresh.length === 0) return;
        this.seam.note(fresh);
        establish();
        this.sink.lines(fresh.map(toRaw));
      },
    );
    clearTimeout(timer);
    return { established, error: end.reason === 'error' ? end.error : undefined };
  }

  /** Until the change feed nudges, `ms` pass, or the source is stopped. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** ms since the epoch → the engine's "seconds.nanos" (undefined stays undefined). */
function sinceOption(since: number | undefined): string | undefined {
  if (since === undefined) return undefined;
  return engineSince(new Date(Math.max(0, since)).toISOString());
}
