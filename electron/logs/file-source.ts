/**
 * A log file as a source (source.ts): Ollama's server.log, the output file of a program the app
 * supervises, a plugin's debug run. The last `tail` lines (the file read backwards, not whole), then
 * what is written after, followed across truncation, rotation by rename (Ollama renames server.log to
 * server-1.log at each start of its app: facts.md) and absence — core/file-follower.ts does the reading.
 *
 * A file's lines have no time of their own that every format agrees on, so `at` is when the line was
 * read. `since` is met as well as the file allows: backlog lines before the first line whose own
 * leading timestamp (`time=…`, ISO 8601, Go's `2006/01/02 15:04:05`) is at or after it are skipped;
 * when no backlog line carries one, the backlog is kept or skipped whole by the file's modification time.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FileFollower, type FollowEvent } from '../core/file-follower';
import type { OpenSource, RawLogLine, SourceSink } from './source';

export interface FileSourceOptions {
  /** How often the file is looked at while followed (default 500 ms: new lines within half a second). */
  pollMs?: number;
  /** Where a rotation renames the file; default: Ollama's `server-1.log` beside `server.log`, and `<file>.1`. */
  rotatedNames?: readonly string[];
  /** The clock for `at` (tests). */
  now?: () => number;
}

/** Ollama's app renames server.log → server-1.log (…-5); our supervisor's rotateLog renames x.log → x.log.1. */
export function defaultRotatedNames(file: string): string[] {
  const { dir, name, ext } = path.parse(file);
  return [path.join(dir, `${name}-1${ext}`), `${file}.1`];
}

const ISO_AT_START = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)/;
const GO_LOG_AT_START = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/;
const SLOG_TIME = /^time="?(\d{4}-\d\d-\d\dT[^\s"]+)/;

/** The time a line says it was written (ms), from a timestamp at its start; null when it has none. */
export function lineTime(text: string): number | null {
  const slog = SLOG_TIME.exec(text);
  const iso = slog?.[1] ?? ISO_AT_START.exec(text)?.[1];
  if (iso !== undefined) {
    const ms = Date.parse(iso.replace(',', '.').replace(' ', 'T'));
    return Number.isNaN(ms) ? null : ms;
  }
  const go = GO_LOG_AT_START.exec(text);
  if (!go) return null;
  // Go's log prints local time without a zone.
  const [, y, mo, d, h, mi, s] = go.map(Number) as number[];
  const ms = new Date(y as number, (mo as number) - 1, d, h, mi, s).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** The backlog's lines from the first one written at or after `since`; `undefined` when no line tells its time. */
function linesSince(lines: readonly string[], since: number): string[] | undefined {
  let dated = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lineTime(lines[i] as string);
    if (t === null) continue;
    dated = true;
    if (t >= since) return lines.slice(i);
  }
  return dated ? [] : undefined;
}

const MARK_OF: Record<FollowEvent, 'waiting' | 'rotated'> = {
  missing: 'waiting',
  truncated: 'rotated',
  replaced: 'rotated',
};

export function fileSource(file: string, options: FileSourceOptions = {}): OpenSource {
  return (open, sink) => {
    const now = options.now ?? Date.now;
    let stopped = false;
    /** Backlog lines are held until the first look ends, so that `since` can judge them together. */
    let backlog: string[] | null = open.since === undefined ? null : [];
    let failure: { error: unknown } | null = null;
    const hand = (texts: string[]): void => {
      if (stopped || texts.length === 0) return;
      const at = now();
      sink.lines(texts.map((text): RawLogLine => ({ stream: 'out', at, text })));
    };
    const follower = new FileFollower(
      file,
      {
        lines: (texts) => (backlog ? backlog.push(...texts) : hand(texts)),
        event: (event) => {
          if (!stopped) sink.mark(MARK_OF[event], file);
        },
        error: (error) => {
          failure = { error };
        },
      },
      {
        pollMs: options.pollMs,
        from: open.tail === undefined ? 'start' : { lines: Math.max(0, Math.floor(open.tail)) },
        rotatedNames: options.rotatedNames ?? defaultRotatedNames(file),
      },
    );
    const first = follower.poll().then(async () => {
      if (backlog && open.since !== undefined) {
        const held = backlog;
        backlog = null;
        hand(linesSince(held, open.since) ?? ((await modifiedSince(file, open.since)) ? held : []));
      }
    });
    void first.then(
      () => {
        if (stopped) return;
        // Following, a failed look (a file locked for a moment on Windows) is tried again.
        if (open.follow) follower.start();
        else end(follower, sink, failure?.error);
      },
      (error: unknown) => {
        if (!stopped) sink.end(error);
      },
    );
    return () => {
      stopped = true;
      follower.stop();
    };
  };
}

/** Not following: the line being written counts as one, and the source is done. */
function end(follower: FileFollower, sink: SourceSink, error: unknown): void {
  follower.flush();
  sink.end(error);
}

async function modifiedSince(file: string, since: number): Promise<boolean> {
  const s = await stat(file).catch(() => null);
  return s !== null && s.mtimeMs >= since;
}
