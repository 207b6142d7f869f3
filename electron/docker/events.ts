/**
 * Docker's event stream (`GET /events`), kept open while the engine lives: a stream that ends (the
 * engine stopped or restarted) or cannot be opened is retried whenever the owner's check says the
 * engine is back. The events themselves are only a nudge — the owner re-reads what it needs.
 *
 * A stream can also stall without ending (a half-open named pipe or TCP connection, an engine that
 * hung): while it is open the owner's check still runs every `watchMs` — it re-reads the state, so
 * nothing missed stays missed — and a failed check counts as a lost stream; after `maxSilenceMs`
 * without a single event the stream is replaced by a fresh one.
 */
import type Docker from 'dockerode';
import { LABEL_PROJECT } from './compose-labels';

/** Container events of Compose-created containers: all that the stack's status depends on. */
export const COMPOSE_CONTAINER_EVENTS: Record<string, string[]> = {
  type: ['container'],
  label: [LABEL_PROJECT],
};

/** How often to look for the engine while the stream is down. */
const RETRY_MS = 3000;
/** How often to check the engine (and re-read the state) while the stream is open. */
const WATCH_MS = 15_000;
/** A stream silent for this long is replaced (a cheap request; an idle engine is silent too). */
const MAX_SILENCE_MS = 5 * 60_000;

type EventSource = Pick<Docker, 'getEvents'>;
type Stream = NodeJS.ReadableStream & { destroy?: () => void };

export interface DockerEventStreamOptions {
  filters: Record<string, string[]>;
  /** Any event that matched the filters. */
  onEvent(): void;
  /** An open stream ended, failed or closed. */
  onLost(): void;
  /**
   * Asked every few seconds while there is no stream; true means the engine answers and opening
   * is worth another try. The owner's status refresh, so the views see the engine come back too.
   */
  engineUp(): Promise<boolean>;
  retryMs?: number;
  watchMs?: number;
  maxSilenceMs?: number;
  now?: () => number;
}

export class DockerEventStream {
  private stream: Stream | null = null;
  private opening: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private lastData = 0;
  private stopped = false;

  constructor(
    private readonly docker: EventSource,
    private readonly options: DockerEventStreamOptions,
  ) {}

  get isOpen(): boolean {
    return this.stream !== null;
  }

  /** Opens the stream (once; a failure schedules the retries). Resolves when the attempt is over. */
  start(): Promise<void> {
    if (this.stopped || this.stream) return Promise.resolve();
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.close();
  }

  private close(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    const stream = this.stream;
    this.stream = null;
    stream?.removeAllListeners();
    stream?.destroy?.();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async open(): Promise<void> {
    let stream: Stream;
    try {
      stream = (await this.docker.getEvents({ filters: this.options.filters })) as Stream;
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) {
      stream.destroy?.();
      return;
    }
    this.stream = stream;
    this.lastData = this.now();
    stream.on('data', () => {
      this.lastData = this.now();
      this.options.onEvent();
    });
    const lost = () => {
      if (this.stream !== stream) return;
      this.close();
      this.options.onLost();
      this.retryLater();
    };
    stream.on('end', lost);
    stream.on('close', lost);
    stream.on('error', lost);
    this.watch(stream, lost);
  }

  /** While `stream` is the open one: check the engine now and then; replace the stream when silent long. */
  private watch(stream: Stream, lost: () => void): void {
    this.watchTimer = setTimeout(async () => {
      this.watchTimer = null;
      const up = await this.options.engineUp().catch(() => false);
      if (this.stopped || this.stream !== stream) return;
      if (!up) return lost();
      if (this.now() - this.lastData >= (this.options.maxSilenceMs ?? MAX_SILENCE_MS)) {
        this.close();
        await this.start();
        return;
      }
      this.watch(stream, lost);
    }, this.options.watchMs ?? WATCH_MS);
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      const up = await this.options.engineUp().catch(() => false);
      if (this.stopped) return;
      if (up) await this.start();
      else this.retryLater();
    }, this.options.retryMs ?? RETRY_MS);
  }
}
