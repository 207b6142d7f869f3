/**
 * Lines grouped into entries (electron/logs/entry-grouper.ts). Tracebacks and daemon lines are
 * verbatim from logs users posted (the issue named beside each) or exactly what the printing code
 * prints (the file named); `S(…)` marks what each line must come out as: a level, `+` for a line that
 * continues the entry before it.
 */
import { describe, expect, it } from 'vitest';
import { EntryGrouper, MAX_ENTRY_LINES } from '../../../electron/logs/entry-grouper';

const ESC = '\x1b';

/** A line and what the grouper must say of it: `error` (a new entry at that level), `error+` (continues it), `-` (no level). */
type Expect = [text: string, want: string];

const show = (step: { level: string | null; cont: boolean }): string =>
  `${step.level ?? '-'}${step.cont ? '+' : ''}`;

function grouped(lines: Expect[], grouper = new EntryGrouper()): void {
  const got = lines.map(([text]) => show(grouper.next(text)));
  expect(lines.map(([text], i) => `${got[i]}  ${text}`)).toEqual(
    lines.map(([text, want]) => `${want}  ${text}`),
  );
}

/** The daemon ≥ 0.5.3 relaying a plugin's stderr line (local_runtime/instance.go StartStderr, handler.go writeText). */
const relay = (instance: string, message: string, plugin = 'acme/weather:0.0.1@3f2a9c'): string => {
  const quoted = /[\s"]/.test(message) ? JSON.stringify(message) : message;
  return `2026-08-21T16:36:58.412873161Z WARN dify-plugin-daemon instance.go:326 plugin stderr instance=${instance} message=${quoted} plugin=${plugin}`;
};

describe('EntryGrouper: Python tracebacks', () => {
  it('a traceback on its own is one error entry up to and including its exception line', () => {
    grouped([
      ['Loading weights [6ce0161689] from /models/v1-5-pruned-emaonly.safetensors', '-'],
      ['Traceback (most recent call last):', 'error'],
      ['  File "/app/main.py", line 3, in <module>', 'error+'],
      ['    main()', 'error+'],
      ['  File "/app/main.py", line 2, in main', 'error+'],
      ['    raise ValueError("bad")', 'error+'],
      ['ValueError: bad', 'error+'],
      ['Model loaded in 4.2s (load weights from disk: 0.6s).', '-'],
    ]);
  });

  it("logger.exception: Dify's ERROR record and its chained traceback are one entry (dify#17952)", () => {
    grouped([
      [
        '2025-01-08 10:43:17,784.784 ERROR [Dummy-3] [app.py:875] - Exception on /console/api/setup [GET]',
        'error',
      ],
      ['Traceback (most recent call last):', 'error+'],
      [
        '  File "/app/api/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
        'error+',
      ],
      ['    self.dialect.do_execute(', 'error+'],
      ['psycopg2.errors.UndefinedTable: relation "dify_setups" does not exist', 'error+'],
      ['LINE 2: FROM dify_setups', 'error+'],
      ['', 'error+'],
      ['The above exception was the direct cause of the following exception:', 'error+'],
      ['', 'error+'],
      ['Traceback (most recent call last):', 'error+'],
      [
        '  File "/app/api/.venv/lib/python3.12/site-packages/flask/app.py", line 917, in full_dispatch_request',
        'error+',
      ],
      ['    rv = self.dispatch_request()', 'error+'],
      ['         ^^^^^^^^^^^^^^^^^^^^^^^', 'error+'],
      ['', 'error+'],
      ['During handling of the above exception, another exception occurred:', 'error+'],
      ['', 'error+'],
      ['Traceback (most recent call last):', 'error+'],
      ['  File "/app/api/controllers/console/setup.py", line 30, in get', 'error+'],
      [
        'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "dify_setups" does not exist',
        'error+',
      ],
      ['LINE 2: FROM dify_setups', 'error+'],
      ['             ^', 'error+'],
      ['', 'error+'],
      ['[SQL: SELECT dify_setups.version, dify_setups.setup_at', 'error+'],
      ['FROM dify_setups]', 'error+'],
      ['(Background on this error at: https://sqlalche.me/e/20/f405)', 'error+'],
      ['2025-01-08 10:43:18.001 INFO [MainThread] [app.py:12] - next request', 'info'],
    ]);
  });

  it('logger.warning(…, exc_info=True): the traceback belongs to the warning', () => {
    grouped([
      ['2025-01-08 10:43:17.784 WARNING [MainThread] [x.py:9] - retrying after', 'warn'],
      ['Traceback (most recent call last):', 'warn+'],
      ['  File "/app/x.py", line 1, in <module>', 'warn+'],
      ['TimeoutError: timed out', 'warn+'],
    ]);
  });

  it('a bare traceback ends at its exception line; output after it is not part of it', () => {
    grouped([
      ['Traceback (most recent call last):', 'error'],
      ['  File "/sd/modules/sd_models.py", line 1, in load_model', 'error+'],
      ['RuntimeError: Error(s) in loading state_dict', 'error+'],
      ['Loading weights [6ce0161689] from /models/v1-5-pruned-emaonly.safetensors', '-'],
    ]);
  });

  it('a traceback after a record without error or warning level is an entry of its own', () => {
    grouped([
      ['2025-01-08 10:43:17.784 INFO [MainThread] [app.py:12] - starting', 'info'],
      ['Traceback (most recent call last):', 'error'],
      ['  File "/app/x.py", line 1, in <module>', 'error+'],
      ['KeyboardInterrupt', 'error+'],
    ]);
  });

  it('a line with its own header ends a traceback, even one cut before its exception line', () => {
    grouped([
      ['Traceback (most recent call last):', 'error'],
      ['  File "/app/x.py", line 1, in <module>', 'error+'],
      ['2025-01-08 10:43:17.784 INFO [MainThread] [x.py:9] - retrying', 'info'],
      ['Traceback (most recent call last):', 'error'],
      ['  File "/app/x.py", line 1, in <module>', 'error+'],
      ['OSError: [Errno 98] Address already in use', 'error+'],
      ['[2025-01-08 10:43:17 +0000] [1] [INFO] Shutting down: Master', 'info'],
    ]);
  });

  it('after the exception line only a chaining line continues; its message may go on indented', () => {
    grouped([
      ['Traceback (most recent call last):', 'error'],
      ['  File "/app/x.py", line 1, in <module>', 'error+'],
      ['pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings', 'error+'],
      ['  Field required [type=missing, input_value={}, input_type=dict]', 'error+'],
      ['unrelated output', '-'],
    ]);
  });

  it('an exception group traceback (Python 3.11) is one entry', () => {
    grouped([
      ['  + Exception Group Traceback (most recent call last):', 'error'],
      ['  |   File "<stdin>", line 1, in <module>', 'error+'],
      ['  | ExceptionGroup: eg (2 sub-exceptions)', 'error+'],
      ['  +-+---------------- 1 ----------------', 'error+'],
      ['    | ValueError: 1', 'error+'],
      ['    +---------------- 2 ----------------', 'error+'],
      ['    | TypeError: 2', 'error+'],
      ['    +------------------------------------', 'error+'],
      ['done', '-'],
    ]);
  });

  it('AUTOMATIC1111 errors.report(): the *** lines, the indented traceback, then ---', () => {
    grouped([
      ['*** Error completing request', 'error'],
      ["*** Arguments: ('task(abc)', 'a cat') {}", 'error+'],
      ['    Traceback (most recent call last):', 'error+'],
      ['      File "/sd/modules/call_queue.py", line 57, in f', 'error+'],
      ['        res = list(func(*args, **kwargs))', 'error+'],
      ['    torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB', 'error+'],
      ['', 'error+'],
      ['---', 'error+'],
      ['Total progress: 100%', '-'],
    ]);
  });

  it('Postgres: the DETAIL and STATEMENT lines of an error belong to it, though they carry a header', () => {
    grouped([
      [
        '2025-01-08 10:43:17.784 UTC [63] ERROR:  duplicate key value violates unique constraint "accounts_pkey"',
        'error',
      ],
      ['2025-01-08 10:43:17.784 UTC [63] DETAIL:  Key (id)=(1) already exists.', 'error+'],
      ['2025-01-08 10:43:17.784 UTC [63] STATEMENT:  INSERT INTO accounts (id) VALUES (1)', 'error+'],
      ['2025-01-08 10:43:18.000 UTC [1] LOG:  checkpoint starting: time', 'info'],
    ]);
  });

  it('indented lines under a record continue it; under a plain line they do not', () => {
    grouped([
      ['2025-01-08 10:43:17.784 ERROR [MainThread] [x.py:1] - request failed:', 'error'],
      ['    status: 502', 'error+'],
      ['    body: bad gateway', 'error+'],
      ['Loading model', '-'],
      ['  0%|          | 0/20 [00:00<?, ?it/s]', '-'],
      ['WARNING: Running pip as the root user', 'warn'],
      ['  see https://pip.pypa.io/warnings/venv', 'warn+'],
    ]);
  });

  it(`stops grouping after ${MAX_ENTRY_LINES} lines`, () => {
    const grouper = new EntryGrouper();
    expect(grouper.next('Traceback (most recent call last):')).toEqual({ level: 'error', cont: false });
    for (let i = 1; i < MAX_ENTRY_LINES; i++) {
      expect(grouper.next(`  File "/app/x.py", line ${i}, in f`).cont).toBe(true);
    }
    expect(grouper.next('  File "/app/x.py", line 999, in f')).toEqual({ level: null, cont: false });
  });
});

describe('EntryGrouper: the plugin daemon', () => {
  it('≥ 0.5.3: a traceback relayed line by line is grouped by the text after the daemon header', () => {
    grouped([
      [relay('019d0925', 'Traceback (most recent call last):'), 'error'],
      [
        relay('019d0925', '  File "/app/storage/cwd/acme/weather-0.0.1@3f2a/main.py", line 3, in <module>'),
        'error+',
      ],
      [relay('019d0925', '    from tools.forecast import Forecast'), 'error+'],
      [relay('019d0925', "ModuleNotFoundError: No module named 'requests'"), 'error+'],
      [relay('019d0925', 'INFO:dify_plugin.plugin:Installed tool: forecast'), 'info'],
      [relay('019d0925', 'plain words on stderr'), 'warn'],
    ]);
  });

  it('≥ 0.5.3: a daemon record or another instance between relayed lines cuts the entry into pieces of the same level', () => {
    grouped([
      [relay('019d0925', 'Traceback (most recent call last):'), 'error'],
      [
        '[GIN] 2026/08/21 - 16:36:58 | 200 |      68.515µs |      172.18.0.6 | GET      "/health/check"',
        'info',
      ],
      [relay('019d0925', '  File "/app/main.py", line 3, in <module>'), 'error'],
      [relay('7f3e1a2b', 'Traceback (most recent call last):', 'acme/other:0.1.0@9e9e'), 'error'],
      [relay('019d0925', "KeyError: 'city'"), 'error'],
      [relay('7f3e1a2b', '  File "/app/other.py", line 9, in run', 'acme/other:0.1.0@9e9e'), 'error'],
      [relay('7f3e1a2b', 'RuntimeError: boom', 'acme/other:0.1.0@9e9e'), 'error+'],
    ]);
  });

  it('≥ 0.5.3 JSON output: the same grouping from the attributes', () => {
    const json = (message: string): string =>
      JSON.stringify({
        attributes: { instance: '019d0925', message, plugin: 'acme/weather:0.0.1@3f2a' },
        caller: 'instance.go:326',
        message: 'plugin stderr',
        service: 'dify-plugin-daemon',
        severity: 'WARN',
        ts: '2026-08-21T16:36:58.412873161Z',
      });
    grouped([
      [json('Traceback (most recent call last):'), 'error'],
      [json('  File "/app/main.py", line 3, in <module>'), 'error+'],
      [json('ValueError: x'), 'error+'],
    ]);
  });

  it('≥ 0.5.3: an ERROR record with its stack_trace (dify-plugin-daemon#647)', () => {
    grouped([
      [
        '2026-03-20T02:48:18.595342173Z ERROR dify-plugin-daemon patch.go:37 failed to get the version of the plugin sdk error="failed to find the version of the plugin sdk"',
        'error',
      ],
      [
        'github.com/langgenius/dify-plugin-daemon/internal/core/control_panel.(*ControlPanel).LaunchLocalPlugin',
        'error+',
      ],
      ['\t/app/internal/core/control_panel/launcher_local.go:93', 'error+'],
      ['github.com/langgenius/dify-plugin-daemon/pkg/utils/routine.Submit.func1.1', 'error+'],
      ['\t/app/pkg/utils/routine/pool.go:68', 'error+'],
      ['github.com/panjf2000/ants/v2.(*goWorker).run.func1', 'error+'],
      ['\t/go/pkg/mod/github.com/panjf2000/ants/v2@v2.10.0/worker.go:71', 'error+'],
      [
        '2026-03-20T02:49:04.392104444Z INFO dify-plugin-daemon logger.go:20 local runtime ready plugin=antv/visualization:0.1.8@701c173b',
        'info',
      ],
    ]);
  });

  it('≤ 0.5.2: an error with debug.Stack() in its message (dify#30529)', () => {
    grouped([
      [
        '2026/01/05 02:33:55 factory.go:28: [ERROR]PluginDaemonInternalServerError: no available node, plugin runtime not found',
        'error',
      ],
      ['goroutine 1165 [running]:', 'error+'],
      ['runtime/debug.Stack()', 'error+'],
      ['\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e', 'error+'],
      [
        'github.com/langgenius/dify-plugin-daemon/internal/types/exception.InternalServerError({0x2b1fd60, 0xc0029a4960})',
        'error+',
      ],
      ['\t/app/internal/types/exception/factory.go:27 +0x27', 'error+'],
      [
        '[GIN] 2026/01/05 - 02:33:55 | 404 |     999.199µs |     10.211.0.68 | POST     "/plugin/x/dispatch/model/schema"',
        'warn',
      ],
    ]);
  });

  it('≤ 0.5.2: "exited with error" and the stderr tail printed in red up to the reset (dify-official-plugins#1335)', () => {
    grouped([
      [
        `2025/07/24 02:25:43 run.go:135: ${ESC}[31m[ERROR]plugin langgenius/agent:0.0.21 exited with error: exit status 1`,
        'error',
      ],
      ['y_plugin/core/utils/class_loader.py", line 34, in import_module_from_source', 'error+'],
      ['', 'error+'],
      ['    raise e', 'error+'],
      ['', 'error+'],
      [
        '  File "/app/storage/cwd/langgenius/agent-0.0.21@74345c31/.venv/lib/python3.12/site-packages/dify_plugin/core/utils/class_loader.py", line 30',
        'error+',
      ],
      ["ModuleNotFoundError: No module named 'pydantic_settings'", 'error+'],
      [`${ESC}[0m`, 'error+'],
      ['plain output after the record', '-'],
      [
        `2025/07/24 02:25:44 run.go:147: ${ESC}[32m[INFO]plugin langgenius/agent:0.0.21 started${ESC}[0m`,
        'info',
      ],
    ]);
  });

  it('≤ 0.5.2 with the colours lost (a copied log): the dump ends at the next header', () => {
    grouped([
      [
        '2025/07/24 02:25:43 run.go:135: [ERROR]plugin langgenius/agent:0.0.21 exited with error: exit status 1',
        'error',
      ],
      ['y_plugin/core/utils/class_loader.py", line 34, in import_module_from_source', 'error+'],
      ['ImportError: cannot import name x', 'error+'],
      ['2025/07/24 02:25:44 run.go:147: [INFO]plugin langgenius/agent:0.0.21 started', 'info'],
    ]);
  });
});

describe('EntryGrouper: Go panics and streams', () => {
  it('a Go panic with its goroutines is one entry', () => {
    grouped([
      ['panic: runtime error: invalid memory address or nil pointer dereference', 'error'],
      ['[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a5b3c]', 'error+'],
      ['', 'error+'],
      ['goroutine 1 [running]:', 'error+'],
      ['main.main()', 'error+'],
      ['\t/app/main.go:12 +0x1c', 'error+'],
      ['created by runtime.gcBgMarkStartWorkers in goroutine 1', 'error+'],
      ['        runtime/mgc.go:1328 +0x25 fp=0xc0004867e0 sp=0xc0004867c8 pc=0x563765873745', 'error+'],
      ['exit status 2', 'error+'],
      [
        'time=2025-02-25T10:05:55.000Z level=INFO source=routes.go:1238 msg="Listening on 127.0.0.1:11434 (version 0.5.7)"',
        'info',
      ],
    ]);
  });

  it('interleaved stdout and stderr: a grouper per stream keeps each entry whole', () => {
    const streams = { out: new EntryGrouper(), err: new EntryGrouper() };
    const lines: ['out' | 'err', string, string][] = [
      ['out', '2025-01-08 10:43:17.784 INFO [MainThread] [app.py:1] - tick', 'info'],
      ['err', 'Traceback (most recent call last):', 'error'],
      ['out', '2025-01-08 10:43:17.785 INFO [MainThread] [app.py:1] - tick', 'info'],
      ['err', '  File "/app/x.py", line 1, in <module>', 'error+'],
      ['out', '    with an indented line', 'info+'],
      ['err', 'ValueError: x', 'error+'],
      ['out', '2025-01-08 10:43:17.786 INFO [MainThread] [app.py:1] - tick', 'info'],
      ['err', 'next stderr line', '-'],
    ];
    expect(lines.map(([stream, text]) => show(streams[stream].next(text)))).toEqual(
      lines.map(([, , want]) => want),
    );
  });

  it('reset(): a new stream continues nothing', () => {
    const grouper = new EntryGrouper();
    grouper.next('Traceback (most recent call last):');
    grouper.reset();
    expect(grouper.next('  File "/app/x.py", line 1, in <module>')).toEqual({ level: null, cont: false });
  });

  it('bad input never throws', () => {
    const grouper = new EntryGrouper();
    for (const line of [
      '',
      ESC,
      `${ESC}[`,
      'plugin stderr',
      '{"message":"plugin stderr"',
      relay('x', 'a'),
      '\t',
      ' '.repeat(10_000),
    ])
      expect(() => grouper.next(line)).not.toThrow();
  });
});
