/**
 * Docker's event stream (`GET /events`), kept open while the engine lives: a stream that ends (the
 * engine stopped or restarted) or cannot be opened is retried whenever the owner's check says the
 * engine is back. The events themselves are only a nudge — the owner re-reads what it needs.
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
}

export class DockerEventStream {
  private stream: Stream | null = null;
  private opening: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
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
    const stream = this.stream;
    this.stream = null;
    stream?.removeAllListeners();
    stream?.destroy?.();
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
    stream.on('data', () => this.options.onEvent());
    const lost = () => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.options.onLost();
      this.retryLater();
    };
    stream.on('end', lost);
    stream.on('close', lost);
    stream.on('error', lost);
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
