/**
 * What every log source (a compose service's container, a log file, a supervised program's output)
 * gives the log service and the CLI: raw lines and notes about the stream, nothing else. Levels,
 * traceback grouping, sequence numbers and the ring buffer are added by the service (log-service.ts)
 * or the CLI, the same way for every source.
 */
import type { LogMark } from './contract';

/** A line as its source read it: which stream, when (ms since the epoch, null if unknown), the text. */
export interface RawLogLine {
  stream: 'out' | 'err';
  at: number | null;
  text: string;
}

export interface SourceSink {
  /** Lines in the order the source printed them (a batch per read, so a busy source costs one call per chunk). */
  lines(lines: readonly RawLogLine[]): void;
  /** A note for the view: the stream broke, waits, continues, or a file was rotated. `detail` is for people. */
  mark(mark: LogMark, detail: string): void;
  /** The source will send nothing more (not following, or it is gone for good). */
  end(error?: unknown): void;
}

export interface OpenSourceOptions {
  /** Lines to read back before following (`undefined`: the source's own default). */
  tail?: number;
  /** Only lines at or after this time (ms since the epoch). */
  since?: number;
  /** Keep reading new lines until stopped (the view; `logs --follow`), or end after the backlog. */
  follow: boolean;
}

/** Opens one source into a sink; returns the stop, after which the sink hears nothing. */
export type OpenSource = (options: OpenSourceOptions, sink: SourceSink) => () => void;
