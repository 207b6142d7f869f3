/**
 * The Logs page without main: a stand-in for the preload bridge, put into the page as an init script,
 * that answers the window's first load and `logs:sources`, gives each `log-lines` subscription a
 * backlog made in the page (100,000 lines a source by default, the setting's default ring), and lets
 * Node start a live stream of lines at a given rate, batched every 50 ms as main's subscription hub
 * sends them. The page measures itself meanwhile (animation frames, long tasks, heap). The
 * logs-render bench drives it; nothing here runs in the app.
 */
import type {
  AppInfo,
  LogSourceInfo,
  ServiceStatus,
  SettingsView,
  StatusSnapshot,
} from '../../electron/contract';
import { SettingsSchema } from '../../electron/settings/schema';
import { bridgeObjectScript, stubPreludeScript } from './stub-page';

export interface LogsPageFixture {
  appInfo: AppInfo;
  settingsView: SettingsView;
  snapshot: StatusSnapshot;
  sources: LogSourceInfo[];
  /** Lines each source has when subscribed (capped by the subscription's `tail`). */
  backlog: number;
  /** The time of the newest backlog line (ms); live lines follow it. */
  now: number;
}

/** The page-side names; not part of the app. */
const DRIVER = '__logsPageStub';

/** What the page measured while lines streamed in (or while nothing did). */
export interface PageMeasure {
  /** Intervals between animation frames (ms): a frame's length as the user sees it. */
  frames: number[];
  /** Tasks over 50 ms (ms), from PerformanceObserver 'longtask'. */
  longTasks: number[];
  /** Used JS heap, sampled every 250 ms (bytes). */
  heap: number[];
  /** Lines the stub sent. */
  sent: number;
}

const SERVICES = ['api', 'worker', 'web', 'plugin_daemon', 'db_postgres', 'redis', 'nginx'];

export function logsPageFixture(
  options: { backlog?: number; now?: number; lang?: 'en' | 'ja' } = {},
): LogsPageFixture {
  const now = options.now ?? Date.now();
  const service = (name: string): ServiceStatus => ({
    name,
    state: 'running',
    health: null,
    containerId: `${name.replace(/_/g, '')}0123456789abcdef`,
    exitCode: null,
    oneShot: false,
  });
  return {
    appInfo: { version: 'bench', platform: 'win32', systemLocale: options.lang === 'ja' ? 'ja-JP' : 'en-US' },
    settingsView: {
      // The default ring: 100,000 lines a source, in main and in the view.
      settings: SettingsSchema.parse({ language: options.lang ?? 'en' }),
      path: 'C:\\Users\\me\\AppData\\Roaming\\dify-stack-tray\\settings.json',
      warning: null,
    },
    snapshot: {
      components: [
        { id: 'docker', state: 'running', detail: 'Docker Engine', reason: null, error: null },
        {
          id: 'dify',
          state: 'running',
          detail: 'running',
          reason: null,
          error: null,
          services: SERVICES.map(service),
        },
      ],
      project: { name: 'docker', dir: 'D:\\dify\\docker', composeVersion: '2.26.1' },
      plugins: { folders: [] },
      gpu: null,
      logs: { watching: true, errors: 0, last: null },
      updatedAt: now,
    },
    sources: SERVICES.map((name) => ({
      source: { kind: 'service' as const, service: name },
      key: `service:${name}`,
      state: 'running' as const,
      detail: `docker-${name}-1`,
    })),
    backlog: options.backlog ?? 100_000,
    now,
  };
}

/**
 * The init script: the bridge (`invoke`, `on`) over the fixture, and `window.__logsPageStub` for
 * Node: `stream(perSecond, seconds)` sends that many lines a second split over the open sources and
 * resolves with what the page measured; `idle(ms)` measures without sending. A string, not a
 * function: the page gets exactly this code, nothing a transpiler added.
 */
export function logsStubScript(bridgeKey: string, fixture: LogsPageFixture): string {
  return `(() => {
    ${stubPreludeScript(fixture)}
    // Open log-lines subscriptions: id -> { key, seq, at }.
    const streams = new Map();
    let next = 0;

    // Lines shaped like a Dify stack's: the plugin daemon's, gunicorn's, with levels, ANSI colour now
    // and then, and a Python traceback (continuation lines) every 400 lines. Deterministic per seq.
    const WORDS = ['plugin', 'invoke', 'session', 'endpoint', 'tool', 'model', 'workflow', 'cluster', 'heartbeat', 'runtime'];
    const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'INFO', 'ERROR', 'INFO'];
    const TRACE = [
      'Traceback (most recent call last):',
      '  File "/app/plugin/main.py", line 42, in _invoke',
      '    result = await self.tool.invoke(params)',
      '  File "/app/plugin/tools/draw.py", line 17, in invoke',
      '    raise ValueError("width must be a multiple of 8")',
      'ValueError: width must be a multiple of 8',
    ];
    const make = (s, key, at) => {
      const seq = s.seq++;
      if (s.trace > 0) {
        const text = TRACE[TRACE.length - s.trace];
        s.trace--;
        return { seq, at, stream: 'err', text, level: null, cont: true };
      }
      if (seq % 400 === 399) {
        s.trace = TRACE.length - 1;
        return { seq, at, stream: 'err', text: TRACE[0], level: 'error', cont: false };
      }
      const lvl = LEVELS[seq % LEVELS.length];
      const w = (i) => WORDS[(seq * 7 + i * 3) % WORDS.length];
      const tag = seq % 9 === 0 ? '\\u001b[32m' + lvl + '\\u001b[0m' : '[' + lvl + ']';
      // Joined, not concatenated: one flat string, as a line arriving over IPC is (a '+' chain would
      // leave a tree of string pieces per line for the heap and the collector).
      const text = ['2026/12/03 06:45:05', tag, key, w(1), w(2), 'id=' + (seq * 2654435761 % 4294967296).toString(16),
        w(3) + '=' + (seq % 997), 'took', (seq % 113) + 'ms', 'while handling', w(4) + '/' + w(5), 'request', seq].join(' ');
      return { seq, at, stream: lvl === 'ERROR' || lvl === 'WARN' ? 'err' : 'out', text, level: lvl === 'WARN' ? 'warn' : lvl.toLowerCase(), cont: false };
    };

    const answers = {
      'app:info': () => fx.appInfo,
      'settings:get': () => fx.settingsView,
      'status:get': () => fx.snapshot,
      'jobs:list': () => [],
      'logs:sources': () => fx.sources,
      'subscriptions:subscribe': (input) => {
        const id = 'stub-' + ++next;
        if (input.topic === 'log-lines') {
          const key = input.params.source.kind === 'service' ? 'service:' + input.params.source.service : input.params.source.kind;
          const s = { key, seq: 0, trace: 0 };
          streams.set(id, s);
          const n = Math.min(fx.backlog, input.params.tail ?? fx.backlog);
          const items = new Array(n);
          // Ten lines a second of history, the sources' times interleaved.
          const start = fx.now - n * 100 + streams.size * 7;
          for (let i = 0; i < n; i++) items[i] = make(s, key, start + i * 100);
          setTimeout(() => emit('subscription', { id, items, dropped: 0, ended: false }), 0);
        }
        return { id };
      },
      'subscriptions:unsubscribe': (input) => ({ closed: streams.delete(input.id) }),
    };

    const measure = (ms, send) => new Promise((resolve) => {
      const frames = [];
      const longTasks = [];
      const heap = [];
      let last = null;
      let done = false;
      const frame = (t) => {
        if (last !== null) frames.push(t - last);
        last = t;
        if (!done) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longTasks.push(e.duration);
      });
      observer.observe({ type: 'longtask' });
      const sampler = setInterval(() => heap.push(performance.memory ? performance.memory.usedJSHeapSize : 0), 250);
      const stop = send ? send() : () => 0;
      setTimeout(() => {
        done = true;
        const sent = stop();
        clearInterval(sampler);
        heap.push(performance.memory ? performance.memory.usedJSHeapSize : 0);
        // Long tasks are reported after they end: give the last one its callback.
        setTimeout(() => {
          observer.disconnect();
          resolve({ frames, longTasks, heap, sent });
        }, 100);
      }, ms);
    });

    let liveAt = fx.now;
    const sendBatch = (lines) => {
      const ids = [...streams.keys()];
      liveAt += 50;
      let sent = 0;
      ids.forEach((id, i) => {
        const s = streams.get(id);
        const n = Math.floor(lines / ids.length) + (i < lines % ids.length ? 1 : 0);
        const items = new Array(n);
        for (let j = 0; j < n; j++) items[j] = make(s, s.key, liveAt + j * (50 / n));
        sent += n;
        emit('subscription', { id, items, dropped: 0, ended: false });
      });
      return sent;
    };
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

    window.${DRIVER} = {
      idle: (ms) => measure(ms, null),
      // One batch of the given lines split over the open sources, then two frames: the cost of one batch.
      batch: async (lines) => {
        const sent = sendBatch(lines);
        await frame();
        await frame();
        return sent;
      },
      stream: (perSecond, seconds) => measure(seconds * 1000, () => {
        let sent = 0;
        const timer = setInterval(() => {
          sent += sendBatch(Math.round(perSecond / 20));
        }, 50);
        return () => {
          clearInterval(timer);
          return sent;
        };
      }),
    };
    ${bridgeObjectScript(bridgeKey, 'Logs page stub')}
  })();`;
}

/** Page-side expressions for Node's `page.evaluate`. */
export const logsStubDriver = {
  idle: (ms: number): string => `window.${DRIVER}.idle(${ms})`,
  batch: (lines: number): string => `window.${DRIVER}.batch(${lines})`,
  stream: (perSecond: number, seconds: number): string => `window.${DRIVER}.stream(${perSecond}, ${seconds})`,
};
