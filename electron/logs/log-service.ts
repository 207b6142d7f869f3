/**
 * The log capability (`LogsApi`): which sources there are, the `log-lines` topic — one shared reader
 * per open source, however many views (and the error badge) follow it, closed with the last of them —
 * and the plugin daemon's error badge.
 */
import type { LogSource, LogsSummary } from '../core/contract';
import type { SnapshotPart } from '../core/app-snapshot';
import type { TopicSource } from '../core/subscriptions';
import type { SettingsApi } from '../settings/api';
import type { LogLinesParams, LogsApi } from './api';
import type { LogLine, LogSourceInfo } from './contract';
import { ErrorWatch } from './error-watch';
import { SharedReader } from './shared-reader';
import { SourceCatalog, sourceKey, type SourceCatalogDeps } from './source-catalog';
import type { OpenSource } from './source';

/**
 * Per view of a source, between two batches (core/subscriptions.ts): a view's first batch is its
 * backlog — up to the whole ring, `logBufferLines` lines, one million at most — so the queue must
 * hold that much or the backlog would arrive cut. It costs little: the queue holds the very line
 * objects the ring holds. Live lines at 5,000 a second fill it by 250 per 50 ms batch; only a view
 * stalled for minutes would lose its oldest lines (told as `dropped` in the next batch).
 */
export const LOG_LINES_MAX_QUEUE = 1_000_000;

export interface LogServiceOptions extends SourceCatalogDeps {
  settings: Pick<SettingsApi, 'get' | 'onChange'>;
  snapshot: SnapshotPart<'logs'>;
  /** Follow the plugin daemon for the error badge (the app; not a one-shot CLI run). */
  watchErrors: boolean;
  /** Tests: how to read a source instead of the catalog's way (containers, files). */
  openSource?: (source: LogSource) => OpenSource;
}

export class LogService implements LogsApi {
  private readonly catalog: SourceCatalog;
  private readonly readers = new Map<string, SharedReader>();
  private readonly errors: ErrorWatch;
  private readonly offSettings: () => void;
  private disposed = false;

  constructor(private readonly options: LogServiceOptions) {
    this.catalog = new SourceCatalog(options);
    this.errors = new ErrorWatch({
      stack: options.stack,
      lines: this.linesSource(),
      snapshot: options.snapshot,
    });
    this.offSettings = options.settings.onChange((view) => {
      for (const reader of this.readers.values()) reader.resize(view.settings.logBufferLines);
    });
    if (options.watchErrors) this.errors.start();
  }

  sources(): Promise<LogSourceInfo[]> {
    return this.catalog.list();
  }

  linesSource(): TopicSource<LogLinesParams, LogLine> {
    return (params, sink) => {
      if (this.disposed) {
        sink.end();
        return;
      }
      const key = sourceKey(params.source);
      const request = { tail: params.tail, since: params.since };
      let reader = this.readers.get(key);
      if (!reader) {
        const open = this.options.openSource?.(params.source) ?? this.catalog.opener(params.source);
        reader = new SharedReader({
          open,
          capacity: this.options.settings.get().settings.logBufferLines,
          initial: request,
          timesAreStable: params.source.kind === 'service',
          onClosed: () => {
            if (this.readers.get(key)?.isClosed) this.readers.delete(key);
          },
        });
        // A source that ended at once (inside its open) is not kept: the next view opens it afresh.
        if (!reader.isClosed) this.readers.set(key, reader);
      }
      return reader.attach(request, sink);
    };
  }

  summary(): LogsSummary {
    return this.errors.current();
  }

  ackErrors(): number {
    return this.errors.ack();
  }

  /** Sources open now (views and the badge share one each): for tests and diagnostics. */
  openSources(): string[] {
    return [...this.readers.keys()];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.offSettings();
    this.errors.dispose();
    for (const reader of [...this.readers.values()]) reader.close();
    this.readers.clear();
  }
}
