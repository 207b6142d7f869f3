/**
 * The quiet error badge: while the Dify project has a plugin_daemon container, its log is followed
 * from "now" (one stream, shared with any view that has it open) and each new error (daemon-errors.ts)
 * is counted into the snapshot's `logs` part with the newest one's line. No notifications: the tray
 * and the dashboard show the count, and opening the viewer at that line acknowledges it.
 */
import type { LogsSummary, StatusSnapshot } from '../core/contract';
import type { SnapshotPart } from '../core/app-snapshot';
import type { TopicSource } from '../core/subscriptions';
import type { StackApi } from '../stack/api';
import type { LogLinesParams } from './api';
import type { LogLine } from './contract';
import { DaemonErrorCounter } from './daemon-errors';

/** Dify's compose name for the plugin daemon. */
export const PLUGIN_DAEMON = 'plugin_daemon';

/** The badge's line is for finding it in the view (which matches on a part of it) and for a tooltip. */
const MAX_LAST_TEXT = 1000;

export interface ErrorWatchDeps {
  stack: Pick<StackApi, 'getSnapshot' | 'onSnapshot'>;
  /** The log service's `log-lines` source: the watch is one more subscriber of the daemon's reader. */
  lines: TopicSource<LogLinesParams, LogLine>;
  snapshot: SnapshotPart<'logs'>;
}

/** The project lists a plugin_daemon service that has a container (running or not). */
export function hasPluginDaemon(snapshot: Pick<StatusSnapshot, 'components'>): boolean {
  const dify = snapshot.components.find((c) => c.id === 'dify');
  return (dify?.services ?? []).some((s) => s.name === PLUGIN_DAEMON && s.state !== 'missing');
}

export class ErrorWatch {
  private summary: LogsSummary = { watching: false, errors: 0, last: null };
  private stopLines: (() => void) | null = null;
  private readonly counter = new DaemonErrorCounter();
  private offSnapshot: (() => void) | null = null;
  /** The newest line's time: a watch that stopped (no container for a moment) resumes after it. */
  private seenUntil: number | null = null;

  constructor(private readonly deps: ErrorWatchDeps) {
    deps.snapshot.set(this.summary);
  }

  /** Follows the stack's snapshot: watching while the daemon has a container. */
  start(): void {
    if (this.offSnapshot) return;
    this.offSnapshot = this.deps.stack.onSnapshot((s) => this.follow(s));
    this.follow(this.deps.stack.getSnapshot());
  }

  current(): LogsSummary {
    return this.summary;
  }

  /** The user saw the errors: the count goes to 0, the watch goes on. Returns how many there were. */
  ack(): number {
    const seen = this.summary.errors;
    if (seen > 0) this.write({ ...this.summary, errors: 0 });
    return seen;
  }

  dispose(): void {
    this.offSnapshot?.();
    this.offSnapshot = null;
    this.unwatch();
  }

  private follow(snapshot: StatusSnapshot): void {
    if (hasPluginDaemon(snapshot)) this.watch();
    else this.unwatch();
  }

  private watch(): void {
    if (this.stopLines) return;
    this.counter.reset();
    let ended = false;
    let stop: (() => void) | void;
    try {
      stop = this.deps.lines(
        {
          source: { kind: 'service', service: PLUGIN_DAEMON },
          // From now the first time; after a pause (a recreate lists no container for a moment, a
          // `compose down`), from just after the last line seen, so that nothing in between is missed.
          ...(this.seenUntil === null ? { tail: 0 } : { since: this.seenUntil + 1 }),
        },
        {
          push: (line) => this.take([line]),
          pushMany: (lines) => this.take(lines),
          // The reader ended (it does not while following, unless closed): watch again at the next snapshot.
          end: () => {
            ended = true;
            this.stopLines = null;
            if (this.summary.watching) this.write({ ...this.summary, watching: false });
          },
        },
      );
    } catch {
      // No engine client in these services (tests, a CLI assembly): nothing to watch.
      return;
    }
    if (ended || !stop) return;
    this.stopLines = stop;
    this.write({ ...this.summary, watching: true });
  }

  private unwatch(): void {
    const stop = this.stopLines;
    this.stopLines = null;
    stop?.();
    if (this.summary.watching) this.write({ ...this.summary, watching: false });
  }

  private take(lines: readonly LogLine[]): void {
    let errors = 0;
    let last: LogLine | null = null;
    for (const line of lines) {
      if (line.at !== null && !line.mark) this.seenUntil = Math.max(this.seenUntil ?? 0, line.at);
      if (line.mark) {
        // A new or restarted container: a traceback in progress is not continued there.
        this.counter.reset();
        continue;
      }
      if (this.counter.next(line)) {
        errors++;
        last = line;
      }
    }
    if (!last) return;
    this.write({
      ...this.summary,
      errors: this.summary.errors + errors,
      last: { service: PLUGIN_DAEMON, at: last.at ?? Date.now(), text: last.text.slice(0, MAX_LAST_TEXT) },
    });
  }

  private write(summary: LogsSummary): void {
    this.summary = summary;
    this.deps.snapshot.set(summary);
  }
}
