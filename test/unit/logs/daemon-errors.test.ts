/**
 * The error badge's counting over the plugin daemon's own lines (formats read from
 * langgenius/dify-plugin-daemon 0.5.1, 0.5.3, 0.6.10: pkg/utils/log/handler.go, local_runtime/
 * instance.go, control_panel/logger.go), fed through the real EntryGrouper as the log service does.
 */
import { describe, expect, it } from 'vitest';
import { DaemonErrorCounter, foreignText } from '../../../electron/logs/daemon-errors';
import { EntryGrouper } from '../../../electron/logs/entry-grouper';

const TS = '2026-12-03T06:45:05.123456789Z';
const daemon = (severity: string, caller: string, rest: string) =>
  `${TS} ${severity} dify-plugin-daemon ${caller} ${rest}`;
/** A plugin's stderr line as 0.5.3+ relays it (attributes in Go map order: any). */
const relay = (line: string, instance = '0a1b2c3d') =>
  daemon(
    'WARN',
    'instance.go:326',
    `plugin stderr instance=${instance} message=${JSON.stringify(line)} plugin=acme/tool:0.0.1@abc`,
  );

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/storage/cwd/acme/tool-0.0.1@abc/main.py", line 3, in <module>',
  '    import missing_module',
  "ModuleNotFoundError: No module named 'missing_module'",
];
const STACK = [
  'github.com/langgenius/dify-plugin-daemon/internal/core/control_panel.(*StandardLogger).OnLocalRuntimeStartFailed',
  '\t/app/internal/core/control_panel/logger.go:24',
];
const START_FAILED = daemon(
  'ERROR',
  'logger.go:24',
  `local runtime start failed plugin=acme/tool:0.0.1@abc error="plugin failed to start: ${TRACEBACK.join('\\n')}\\n"`,
);
const SHUTDOWN = daemon(
  'WARN',
  'subprocess.go:162',
  `local runtime instance shutdown plugin=acme/tool:0.0.1@abc instance=0a1b2c3d started=false instance_error="${TRACEBACK.join('\\n')}"`,
);

/** Which of `lines` count, through the grouper and the counter as the service feeds them (stdout). */
function counted(lines: readonly string[], stream: 'out' | 'err' = 'out'): string[] {
  const grouper = new EntryGrouper();
  const counter = new DaemonErrorCounter();
  return lines.filter((text) => counter.next({ stream, text, ...grouper.next(text) }));
}

describe('DaemonErrorCounter', () => {
  it('counts a failing plugin twice: its relayed traceback once, the daemon’s ERROR line once', () => {
    const lines = [
      daemon('INFO', 'logger.go:15', 'local runtime starting plugin=acme/tool:0.0.1@abc'),
      ...TRACEBACK.map((l) => relay(l)),
      SHUTDOWN,
      START_FAILED,
      ...STACK,
      daemon('INFO', 'plugin.go:138', 'scheduling plugins count=1'),
    ];
    expect(counted(lines)).toEqual([relay(TRACEBACK[0] as string), START_FAILED]);
  });

  it('counts nothing on an ordinary day: start lines, heartbeats, warnings that are not failures', () => {
    expect(
      counted([
        daemon('INFO', 'manager.go:121', 'start plugin manager daemon'),
        daemon('INFO', 'server_local.go:18', 'start to handle new plugins path=/app/storage/cwd'),
        daemon('WARN', 'node.go:163', 'no plugin states found in redis node_id=abc'),
        daemon('INFO', 'plugin.go:138', 'scheduling plugins count=0'),
        daemon('INFO', 'logger.go:20', 'local runtime ready plugin=acme/tool:0.0.1@abc'),
      ]),
    ).toEqual([]);
  });

  it('counts a chained traceback once', () => {
    const chained = [
      ...TRACEBACK,
      'During handling of the above exception, another exception occurred:',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 9, in <module>',
      'RuntimeError: cannot start',
    ];
    expect(counted(chained.map((l) => relay(l)))).toEqual([relay(TRACEBACK[0] as string)]);
    // Printed as is (a plugin's own stderr, Python straight to the terminal), blank lines included.
    const raw = [...TRACEBACK, '', ...chained.slice(TRACEBACK.length)];
    expect(counted(raw, 'err')).toEqual([TRACEBACK[0]]);
  });

  it('follows two plugins’ interleaved tracebacks and the daemon’s own lines between them', () => {
    const a = TRACEBACK.map((l) => relay(l, 'aaaaaaaa'));
    const b = TRACEBACK.map((l) => relay(l, 'bbbbbbbb'));
    const between = daemon('INFO', 'plugin.go:138', 'scheduling plugins count=2');
    const lines = [a[0], b[0], between, a[1], b[1], a[2], between, b[2], a[3], b[3]] as string[];
    expect(counted(lines)).toEqual([a[0], b[0]]);
  });

  it('counts two tracebacks in a row as two', () => {
    const lines = [...TRACEBACK, ...TRACEBACK].map((l) => relay(l));
    expect(counted(lines)).toHaveLength(2);
  });

  it('reads the old daemon’s coloured [ERROR] record with the plugin’s stderr after it as one', () => {
    const old = [
      `2025/03/01 10:00:00 notifier_logger.go:19: \x1b[31m[ERROR]plugin acme/tool:0.0.1@abc: instance 0a1b2c3d failed: ${TRACEBACK[0]}`,
      ...TRACEBACK.slice(1),
      '\x1b[0m',
      '2025/03/01 10:00:01 cluster.go:40: \x1b[32m[INFO]scheduling plugins\x1b[0m',
    ];
    expect(counted(old)).toEqual([old[0]]);
    const exited = `2025/03/01 10:00:00 launcher.go:80: \x1b[31m[ERROR]plugin acme/tool exited with error: exit status 1\x1b[0m`;
    expect(counted([exited])).toEqual([exited]);
  });

  it('counts what nobody prefixed by its words: a Go panic, an import failure, "exited with error"', () => {
    const panic = [
      'panic: runtime error: invalid memory address',
      '',
      'goroutine 1 [running]:',
      'main.main()',
    ];
    expect(counted(panic, 'err')).toEqual([panic[0]]);
    expect(counted(["ImportError: cannot import name 'x' from 'y'"], 'err')).toHaveLength(1);
    expect(counted([relay("ModuleNotFoundError: No module named 'dify_plugin'")])).toHaveLength(1);
    expect(counted(['the plugin exited with error: exit status 2'])).toHaveLength(1);
  });

  it('judges the daemon’s own records by their severity only (its words are its business)', () => {
    const warnQuoting = daemon('WARN', 'x.go:1', 'retrying import error="ImportError: x" attempt=1');
    expect(counted([warnQuoting, SHUTDOWN])).toEqual([]);
    const json = JSON.stringify({
      ts: TS,
      severity: 'ERROR',
      service: 'dify-plugin-daemon',
      caller: 'logger.go:24',
      message: 'local runtime start failed',
      attributes: { plugin: 'acme/tool:0.0.1@abc', error: 'plugin failed to start' },
    });
    expect(counted([json])).toEqual([json]);
    const jsonRelay = JSON.stringify({
      ts: TS,
      severity: 'WARN',
      service: 'dify-plugin-daemon',
      caller: 'instance.go:326',
      message: 'plugin stderr',
      attributes: { plugin: 'acme/tool:0.0.1@abc', instance: '0a1b2c3d', message: TRACEBACK[0] },
    });
    expect(counted([jsonRelay])).toEqual([jsonRelay]);
  });

  it('starts clean after reset (a new container): a traceback in progress is not continued', () => {
    const counter = new DaemonErrorCounter();
    const feed = (text: string) => counter.next({ stream: 'out', text, level: null, cont: false });
    expect(feed(relay(TRACEBACK[0] as string))).toBe(true);
    counter.reset();
    expect(feed(relay('Traceback (most recent call last):'))).toBe(true);
  });
});

describe('foreignText', () => {
  it('is the relayed message, the whole of an unprefixed line, and null for a daemon record', () => {
    expect(foreignText(relay('  File "x.py", line 1'))).toEqual({
      text: '  File "x.py", line 1',
      instance: '0a1b2c3d',
    });
    expect(foreignText('goroutine 1 [running]:')).toEqual({ text: 'goroutine 1 [running]:', instance: null });
    expect(foreignText(START_FAILED)).toBeNull();
  });
});
