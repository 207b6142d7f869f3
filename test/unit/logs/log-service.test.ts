/**
 * LogService over fake sources: one reader per source shared by its views (ref-counted), the ring's
 * bound, tail/since backlogs, sequence numbers, entry grouping per stream, marks, the read-back of
 * older lines for a view that wants more than the reader was opened for, and the error badge.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogSource, StatusSnapshot } from '../../../electron/core/contract';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { SubscriptionHub } from '../../../electron/core/subscriptions';
import type { LogLine } from '../../../electron/logs/contract';
import { logsTopics } from '../../../electron/logs/contract';
import { LOG_LINES_MAX_QUEUE, LogService } from '../../../electron/logs/log-service';
import { MAX_LINE_CHARS, MAX_RING_LINES, READ_BACK_SETTLE_MS } from '../../../electron/logs/shared-reader';
import type { OpenSourceOptions, RawLogLine, SourceSink } from '../../../electron/logs/source';
import type { SettingsView } from '../../../electron/settings/contract';
import { SettingsSchema } from '../../../electron/settings/schema';

/** A source the test drives: each open is recorded with its options and sink. */
class FakeSources {
  readonly opens: Array<{ key: string; options: OpenSourceOptions; sink: SourceSink; stopped: boolean }> = [];
  /** What a non-following open (the read-back) reads: the source's whole history so far. */
  readonly history = new Map<string, RawLogLine[]>();

  open = (source: LogSource) => (options: OpenSourceOptions, sink: SourceSink) => {
    const key = source.kind === 'service' ? source.service : source.kind;
    const entry = { key, options, sink, stopped: false };
    this.opens.push(entry);
    if (!options.follow) {
      const all = this.history.get(key) ?? [];
      sink.lines(all.slice(Math.max(0, all.length - (options.tail ?? all.length))));
      sink.end();
    }
    return () => {
      entry.stopped = true;
    };
  };

  /** The live (following) open of `key`. */
  live(key: string) {
    const found = this.opens.filter((o) => o.key === key && o.options.follow && !o.stopped).at(-1);
    if (!found) throw new Error(`no live reader of ${key}`);
    return found;
  }

  /** Lines the source prints: into its history and to the live reader. */
  print(key: string, lines: RawLogLine[]): void {
    const history = this.history.get(key) ?? [];
    history.push(...lines);
    this.history.set(key, history);
    this.live(key).sink.lines(lines);
  }
}

const out = (text: string, at: number | null = 1000): RawLogLine => ({ stream: 'out', at, text });
const numbered = (from: number, count: number, at = 1000): RawLogLine[] =>
  Array.from({ length: count }, (_, i) => out(`line ${from + i}`, at + from + i));

function settingsOf(logBufferLines: number) {
  const events = new EventEmitter();
  let view: SettingsView = {
    settings: SettingsSchema.parse({ logBufferLines }),
    path: '/tmp/settings.json',
    warning: null,
  };
  return {
    get: () => view,
    onChange: (listener: (v: SettingsView) => void) => {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
    set(lines: number) {
      view = { ...view, settings: { ...view.settings, logBufferLines: lines } };
      events.emit('change', view);
    },
  };
}

const daemonSnapshot = (daemonState: string | null, store: AppSnapshotStore): StatusSnapshot => ({
  ...store.get(),
  components: [
    {
      id: 'dify',
      state: 'running',
      detail: '',
      reason: null,
      error: null,
      services:
        daemonState === null
          ? []
          : [
              {
                name: 'plugin_daemon',
                state: daemonState,
                health: null,
                containerId: 'abc',
                oneShot: false,
                exitCode: null,
              },
            ],
    },
  ],
});

function fakeStack(store: AppSnapshotStore) {
  const events = new EventEmitter();
  let snapshot = daemonSnapshot(null, store);
  return {
    getSnapshot: () => snapshot,
    onSnapshot: (listener: (s: StatusSnapshot) => void) => {
      events.on('s', listener);
      return () => events.off('s', listener);
    },
    openProject: () => Promise.reject(new Error('no project in these tests')),
    emit(daemonState: string | null) {
      snapshot = daemonSnapshot(daemonState, store);
      events.emit('s', snapshot);
    },
  };
}

const services: LogService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
});

function build(options: { lines?: number; watchErrors?: boolean } = {}) {
  const sources = new FakeSources();
  const store = new AppSnapshotStore();
  const stack = fakeStack(store);
  const settings = settingsOf(options.lines ?? 1000);
  const service = new LogService({
    settings,
    snapshot: store.part('logs'),
    stack,
    docker: () => {
      throw new Error('no engine in these tests');
    },
    programLog: () => ({ file: null, running: false }),
    plugins: { debugLogFile: () => null },
    openFile: () => {
      throw new Error('no files in these tests');
    },
    watchErrors: options.watchErrors ?? false,
    openSource: sources.open,
  });
  services.push(service);
  return { service, sources, store, stack, settings };
}

/** A view: what it received, and its unsubscribe. */
function view(service: LogService, params: { source?: LogSource; tail?: number; since?: number } = {}) {
  const got = { lines: [] as LogLine[], ended: false };
  const stop = service.linesSource()(
    { source: params.source ?? { kind: 'service', service: 'api' }, tail: params.tail, since: params.since },
    {
      push: (l) => got.lines.push(l),
      pushMany: (ls) => got.lines.push(...ls),
      end: () => {
        got.ended = true;
      },
    },
  );
  return { got, stop: () => stop?.() };
}

const texts = (lines: LogLine[]) => lines.map((l) => l.text);

describe('LogService readers', () => {
  it('opens one reader per source for all its views and stops it with the last', () => {
    const { service, sources } = build();
    const a = view(service, { tail: 10 });
    const b = view(service, { tail: 10 });
    expect(sources.opens).toHaveLength(1);
    expect(sources.opens[0]?.options).toEqual({ follow: true, tail: 10, since: undefined });
    sources.print('api', [out('hello')]);
    expect(texts(a.got.lines)).toEqual(['hello']);
    expect(texts(b.got.lines)).toEqual(['hello']);
    a.stop();
    expect(sources.opens[0]?.stopped).toBe(false);
    b.stop();
    expect(sources.opens[0]?.stopped).toBe(true);
    expect(service.openSources()).toEqual([]);
    view(service);
    expect(sources.opens).toHaveLength(2);
  });

  it('gives a later view the ring’s last `tail` lines, or those since a time, then live lines', () => {
    const { service, sources } = build();
    view(service, { tail: 1000 });
    sources.print('api', numbered(1, 20));
    const tail = view(service, { tail: 5 });
    expect(texts(tail.got.lines)).toEqual(['line 16', 'line 17', 'line 18', 'line 19', 'line 20']);
    const since = view(service, { since: 1018 });
    expect(texts(since.got.lines)).toEqual(['line 18', 'line 19', 'line 20']);
    sources.print('api', [out('line 21')]);
    expect(tail.got.lines.at(-1)?.text).toBe('line 21');
    expect(since.got.lines.at(-1)?.text).toBe('line 21');
  });

  it('numbers lines one by one, marks included', () => {
    const { service, sources } = build();
    const v = view(service);
    sources.print('api', numbered(1, 3));
    sources.live('api').sink.mark('recreated', '0123456789ab');
    sources.print('api', numbered(4, 2));
    const seqs = v.got.lines.map((l) => l.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    expect(v.got.lines[3]).toMatchObject({
      mark: 'recreated',
      text: '0123456789ab',
      level: null,
      cont: false,
    });
  });

  it('keeps memory bounded: the ring holds `logBufferLines`, a view asking for more learns how many went', () => {
    const { service, sources } = build({ lines: 1000 });
    view(service, { tail: 1000 });
    sources.print('api', numbered(1, 2500));
    const v = view(service, { tail: 5000 });
    expect(v.got.lines).toHaveLength(1001);
    expect(v.got.lines[0]).toMatchObject({ mark: 'dropped', text: '1500' });
    expect(v.got.lines[1]?.text).toBe('line 1501');
    expect(v.got.lines.at(-1)?.text).toBe('line 2500');
  });

  it('follows a smaller setting at once, keeping the newest lines', () => {
    const { service, sources, settings } = build({ lines: 2000 });
    view(service, { tail: 2000 });
    sources.print('api', numbered(1, 2000));
    settings.set(1000);
    const v = view(service, { tail: 2000 });
    expect(v.got.lines[0]).toMatchObject({ mark: 'dropped', text: '1000' });
    expect(v.got.lines[1]?.text).toBe('line 1001');
  });

  it('never reads more than the ring holds', () => {
    const { service, sources } = build({ lines: 1000 });
    view(service, { tail: 1_000_000 });
    expect(sources.opens[0]?.options.tail).toBe(1000);
  });

  it('cuts a line longer than the bound, saying how much is missing', () => {
    const { service, sources } = build();
    const v = view(service);
    sources.print('api', [out('x'.repeat(MAX_LINE_CHARS + 10))]);
    expect(v.got.lines[0]?.text).toBe(`${'x'.repeat(MAX_LINE_CHARS)} … (10 more characters)`);
  });

  it('groups a traceback into one entry per stream, even with the other stream between its lines', () => {
    const { service, sources } = build();
    const v = view(service);
    sources.print('api', [
      out('2026-12-03 06:45:05.123 ERROR [MainThread] [app.py:12] - request failed'),
      { stream: 'err', at: 1, text: 'Traceback (most recent call last):' },
      out('2026-12-03 06:45:05.124 INFO [MainThread] [app.py:13] - next request'),
      { stream: 'err', at: 1, text: '  File "app.py", line 3, in <module>' },
      { stream: 'err', at: 1, text: 'ValueError: bad' },
    ]);
    expect(v.got.lines.map((l) => [l.stream, l.level, l.cont])).toEqual([
      ['out', 'error', false],
      ['err', 'error', false],
      ['out', 'info', false],
      ['err', 'error', true],
      ['err', 'error', true],
    ]);
  });

  it('does not continue an entry across a mark', () => {
    const { service, sources } = build();
    const v = view(service);
    sources.print('api', [out('Traceback (most recent call last):'), out('  File "a.py", line 1')]);
    sources.live('api').sink.mark('reconnected', 'docker-api-1');
    sources.print('api', [out('  File "b.py", line 2')]);
    expect(v.got.lines.at(-1)?.cont).toBe(false);
  });

  it('reads older lines back once when a view wants more than the reader was opened for', () => {
    const { service, sources } = build();
    sources.history.set('api', numbered(1, 50));
    // The badge's way: from now.
    view(service, { tail: 0 });
    sources.print('api', numbered(51, 3));
    // Printed after the ring's lines, before the read-back is taken: in the read-back, and live too.
    sources.history.get('api')?.push(out('line 54', 1054));
    const v = view(service, { tail: 100 });
    const readBack = sources.opens.at(-1);
    expect(readBack?.options).toEqual({ follow: false, tail: 100 });
    return Promise.resolve().then(() => {
      expect(texts(v.got.lines)).toEqual(numbered(1, 53).map((l) => l.text));
      sources.live('api').sink.lines([out('line 54', 1054)]);
      expect(texts(v.got.lines.slice(-2))).toEqual(['line 53', 'line 54']);
      const seqs = v.got.lines.map((l) => l.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
      expect(seqs[0]).toBe(MAX_RING_LINES - 50);
      // Once is enough: the next view gets the joined ring without reading again.
      const opens = sources.opens.length;
      expect(texts(view(service, { tail: 100 }).got.lines)).toHaveLength(54);
      expect(sources.opens).toHaveLength(opens);
    });
  });

  it('reads back only once the live stream follows, when a view comes right after the reader opened', () => {
    const { service, sources } = build();
    sources.history.set('api', numbered(1, 50));
    view(service, { tail: 0 });
    const v = view(service, { tail: 100 });
    // Nothing read back yet: the engine may not be following yet.
    expect(sources.opens.filter((o) => !o.options.follow)).toEqual([]);
    // Printed before the engine began following: only in the container's stored log.
    sources.history.get('api')?.push(out('line 51', 1051));
    sources.print('api', [out('line 52', 1052)]);
    expect(sources.opens.filter((o) => !o.options.follow)).toHaveLength(1);
    return Promise.resolve().then(() => {
      expect(texts(v.got.lines)).toEqual(numbered(1, 52).map((l) => l.text));
      const seqs = v.got.lines.map((l) => l.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    });
  });

  it('reads a quiet source back after the settling time, and at once when the reader is older', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { service, sources } = build();
      sources.history.set('api', numbered(1, 5));
      view(service, { tail: 0 });
      const early = view(service, { tail: 100 });
      await vi.advanceTimersByTimeAsync(READ_BACK_SETTLE_MS - 1);
      expect(early.got.lines).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(texts(early.got.lines)).toEqual(numbered(1, 5).map((l) => l.text));

      // Another source's reader, opened long enough ago: its read-back is not held back.
      sources.history.set('web', numbered(1, 3));
      view(service, { source: { kind: 'service', service: 'web' }, tail: 0 });
      await vi.advanceTimersByTimeAsync(READ_BACK_SETTLE_MS);
      const late = view(service, { source: { kind: 'service', service: 'web' }, tail: 100 });
      await Promise.resolve();
      expect(texts(late.got.lines)).toEqual(numbered(1, 3).map((l) => l.text));
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives the ring alone when the stream breaks while the read-back waits', () => {
    const { service, sources } = build();
    sources.history.set('api', numbered(1, 50));
    view(service, { tail: 0 });
    const v = view(service, { tail: 100 });
    sources.live('api').sink.mark('recreated', 'abc');
    sources.print('api', [out('fresh 1', 2000)]);
    expect(sources.opens.filter((o) => !o.options.follow)).toEqual([]);
    expect(v.got.lines.map((l) => l.mark ?? l.text)).toEqual(['recreated', 'fresh 1']);
  });

  it('reads nothing back after the stream broke (the older lines are another container’s)', () => {
    const { service, sources } = build();
    view(service, { tail: 0 });
    sources.live('api').sink.mark('recreated', 'abc');
    view(service, { tail: 100 });
    expect(sources.opens.filter((o) => !o.options.follow)).toEqual([]);
  });

  it('ends every view of a source that ends, and opens it afresh for the next', () => {
    const { service, sources } = build();
    const v = view(service);
    sources.live('api').sink.end();
    expect(v.got.ended).toBe(true);
    expect(service.openSources()).toEqual([]);
    view(service);
    expect(sources.opens.filter((o) => o.options.follow)).toHaveLength(2);
  });

  it('delivers a view’s whole backlog through the hub in its first batch (the topic’s queue)', async () => {
    const { service, sources } = build({ lines: 100_000 });
    view(service, { tail: 100_000 });
    sources.print('api', numbered(1, 100_000));
    const hub = new SubscriptionHub(logsTopics);
    hub.register('log-lines', service.linesSource(), { maxQueue: LOG_LINES_MAX_QUEUE });
    const batches: Array<{ items: unknown[]; dropped: number }> = [];
    hub.connect('view', (b) => batches.push(b));
    hub.subscribe('view', 'log-lines', { source: { kind: 'service', service: 'api' }, tail: 100_000 });
    await new Promise((r) => setImmediate(r));
    expect(batches[0]?.items).toHaveLength(100_000);
    expect(batches[0]?.dropped).toBe(0);
    hub.dispose();
  });
});

describe('the error badge', () => {
  const TS = '2026-12-03T06:45:05.123456789Z';
  const relay = (line: string) =>
    `${TS} WARN dify-plugin-daemon instance.go:326 plugin stderr instance=0a1b2c3d message=${JSON.stringify(line)} plugin=acme/tool:0.0.1@abc`;

  it('follows plugin_daemon from now while it has a container, counts its errors, and acks them', async () => {
    const { service, sources, store, stack } = build({ watchErrors: true });
    expect(service.summary()).toEqual({ watching: false, errors: 0, last: null });
    stack.emit('running');
    expect(sources.live('plugin_daemon').options).toEqual({ follow: true, tail: 0, since: undefined });
    expect(service.summary().watching).toBe(true);

    sources.print('plugin_daemon', [
      out(`${TS} INFO dify-plugin-daemon plugin.go:138 scheduling plugins count=0`, 1),
      out(relay('Traceback (most recent call last):'), 2),
      out(relay('  File "/app/main.py", line 3, in <module>'), 3),
      out(relay("ModuleNotFoundError: No module named 'x'"), 4),
    ]);
    expect(service.summary()).toEqual({
      watching: true,
      errors: 1,
      last: { service: 'plugin_daemon', at: 2, text: relay('Traceback (most recent call last):') },
    });
    await Promise.resolve();
    expect(store.get().logs?.errors).toBe(1);

    expect(service.ackErrors()).toBe(1);
    expect(service.summary()).toMatchObject({ watching: true, errors: 0 });
    expect(service.ackErrors()).toBe(0);

    // A view of the daemon shares the badge's reader.
    const v = view(service, { source: { kind: 'service', service: 'plugin_daemon' }, tail: 0 });
    expect(sources.opens.filter((o) => o.options.follow)).toHaveLength(1);
    v.stop();
    expect(sources.live('plugin_daemon').stopped).toBe(false);

    stack.emit(null);
    expect(service.summary().watching).toBe(false);
    expect(sources.opens[0]?.stopped).toBe(true);

    // Back (a recreate lists no container for a moment): from just after the last line seen, not "now".
    stack.emit('running');
    expect(sources.live('plugin_daemon').options).toEqual({ follow: true, tail: undefined, since: 5 });
    expect(service.summary().watching).toBe(true);
  });

  it('does not watch in a one-shot run', () => {
    const { service, sources, stack } = build({ watchErrors: false });
    stack.emit('running');
    expect(sources.opens).toEqual([]);
    expect(service.summary().watching).toBe(false);
  });
});
