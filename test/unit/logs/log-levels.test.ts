/**
 * Levels from real lines (electron/logs/log-levels.ts). Lines are verbatim from the logs users posted
 * (the issue named beside each), from facts.md, or — where no posted line exists — exactly what the
 * program's own formatting code prints (the source file is named).
 */
import { describe, expect, it } from 'vitest';
import { classifyLine, levelOf } from '../../../electron/logs/log-levels';

const ESC = '\x1b';

describe('levelOf: the plugin daemon', () => {
  it.each([
    // ≥ 0.5.3, pkg/utils/log/handler.go writeText: "<ts> <SEVERITY> dify-plugin-daemon <caller> <msg> k=v…"
    // (langgenius/dify-plugin-daemon#647, #641)
    [
      '2026-03-20T02:48:18.595342173Z ERROR dify-plugin-daemon patch.go:37 failed to get the version of the plugin sdk error="failed to find the version of the plugin sdk"',
      'error',
    ],
    [
      '2026-03-19T02:00:42.498496984Z ERROR dify-plugin-daemon logger.go:24 local runtime start failed plugin=bowenliang123/md_exporter:1.10.2@377bce8e69d392f28f1902032181461eba7a8424f7111e8ef01e3e940f43f7c4 error=<nil>',
      'error',
    ],
    [
      '2026-03-20T02:49:04.3901069Z INFO dify-plugin-daemon logger.go:61 plugin instance log plugin=antv/visualization:0.1.8@701c173bbf86347a5a49bb0ba1323a20a3accd971fab21fc7a24d6706f421078 instance=019d0925 message="Installed tool: visualization"',
      'info',
    ],
    // local_runtime/instance.go StartStderr: log.Warn("plugin stderr", …), attributes in map order
    [
      '2026-08-21T16:36:58.412873161+08:00 WARN dify-plugin-daemon instance.go:326 plugin stderr plugin=acme/weather:0.0.1@3f2a instance=019d0925 message="Traceback (most recent call last):"',
      'warn',
    ],
    // ≤ 0.5.2, internal/utils/log/log.go: Go's log (Ldate|Ltime|Lshortfile), then "[LEVEL]" in colour
    // (langgenius/dify-official-plugins#1335, dify-plugin-daemon#336, hjlarry/dify-plugin-storage#6)
    [
      '2025/07/24 02:25:43 run.go:135: [ERROR]plugin langgenius/agent:0.0.21 exited with error: exit status 1',
      'error',
    ],
    ['2025/06/05 03:35:49 run.go:147: [INFO]plugin antv/visualization:0.1.3 started', 'info'],
    [
      `2025/09/01 08:00:00 environment_python.go:363: ${ESC}[31m[ERROR]failed to get the version of the plugin sdk: failed to find the version of the plugin sdk${ESC}[0m`,
      'error',
    ],
    [
      `2025/06/05 03:35:49 run.go:147: ${ESC}[33m[WARN]plugin x is not active for 61.0 seconds, it may be dead${ESC}[0m`,
      'warn',
    ],
    [`2025/06/05 03:35:49 run.go:147: ${ESC}[34m[DEBUG]x${ESC}[0m`, 'debug'],
    [
      '2026/01/05 02:33:55 factory.go:28: [ERROR]PluginDaemonInternalServerError: no available node, plugin runtime not found',
      'error',
    ],
    // gin access lines (dify-plugin-daemon#336, dify#30529) and gnet's zap console line
    [
      '[GIN] 2025/08/26 - 08:22:35 | 200 |      68.515µs |   10.233.123.19 | GET      "/health/check"',
      'info',
    ],
    [
      '[GIN] 2026/01/05 - 02:33:55 | 404 |     999.199µs |     10.211.0.68 | POST     "/plugin/033d811e-0c51-416f-bbdf-e55bdb9127cd/dispatch/model/schema"',
      'warn',
    ],
    [
      '[GIN] 2026/01/05 - 02:33:55 | 500 |    1.021836ms |     10.211.0.68 | POST     "/plugin/x/dispatch/tool/invoke"',
      'error',
    ],
    ['[GIN-debug] [WARNING] Running in "debug" mode. Switch to "release" mode in production.', 'warn'],
    ['[GIN-debug] GET    /health/check             --> main.HealthCheck (3 handlers)', 'debug'],
    [
      '[gnet] 2025-08-26T08:22:35.149696452Z\tINFO\tlogging/logger.go:256\tLaunching gnet with 8 event-loops, listening on: tcp://0.0.0.0:5003',
      'info',
    ],
    ['/bin/bash: warning: setlocale: LC_ALL: cannot change locale (en_US.UTF-8)', 'warn'],
  ])('%s → %s', (line, level) => {
    expect(levelOf(line)).toBe(level);
  });

  it('JSON output (LOG_JSON): the severity key, wherever the sorted keys put it', () => {
    // json.Marshal of handler.go's map: keys sorted, "attributes" first.
    const line =
      '{"attributes":{"instance":"019d0925","message":"ValueError: bad input","plugin":"acme/weather:0.0.1@3f2a"},"caller":"instance.go:326","message":"plugin stderr","service":"dify-plugin-daemon","severity":"WARN","ts":"2026-08-21T16:36:58.412873161+08:00"}';
    expect(levelOf(line)).toBe('warn');
  });
});

describe('levelOf: Dify and the other services of its compose project', () => {
  it.each([
    // api/worker: LOG_FORMAT "%(asctime)s.%(msecs)03d %(levelname)s [%(threadName)s] [%(filename)s:%(lineno)d] …"
    [
      '2025-01-08 10:43:17,784.784 ERROR [Dummy-3] [app.py:875] - Exception on /console/api/setup [GET]',
      'error',
    ],
    ['2025-01-08 10:43:17.784 WARNING [MainThread] [ext_storage.py:52]  - storage not configured', 'warn'],
    ['2025-01-08 10:43:17.784 INFO [MainThread] [strategy.py:161]  - Task tasks.x[1] received', 'info'],
    [
      '2025-01-08 10:43:17.784 DEBUG [MainThread] [connectionpool.py:1049]  - Starting new HTTPS connection',
      'debug',
    ],
    ['2025-01-08 10:43:17.784 CRITICAL [MainThread] [app.py:1]  - out of memory', 'error'],
    // Dify's JSON output (core/logging/structured_formatter.py)
    [
      '{"ts":"2026-01-08T10:43:17.784Z","severity":"ERROR","service":"dify","caller":"app.py:875","message":"Exception on /console/api/setup [GET]","error_source":"system"}',
      'error',
    ],
    // Alembic at the api's start, uvicorn, gunicorn, celery
    ['INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.', 'info'],
    ['INFO:     Started server process [1]', 'info'],
    ['ERROR:    Exception in ASGI application', 'error'],
    ['[2025-01-08 10:43:17 +0000] [1] [INFO] Starting gunicorn 23.0.0', 'info'],
    [
      '[2025-01-08 10:43:17 +0000] [7] [ERROR] Worker (pid:8) was sent SIGKILL! Perhaps out of memory?',
      'error',
    ],
    ['[2025-01-08 10:43:17,784: ERROR/MainProcess] Received unregistered task of type x', 'error'],
    ['[2025-01-08 10:43:17,784: WARNING/ForkPoolWorker-1] soft time limit exceeded', 'warn'],
    // Python logging's defaults
    ['ERROR:root:boom', 'error'],
    ['WARNING:werkzeug: * Debugger is active!', 'warn'],
    ['2025-01-08 10:43:17,784 - httpx - INFO - HTTP Request: GET http://x "HTTP/1.1 200 OK"', 'info'],
    ['2025-01-08 10:43:17,784 - app.main - ERROR - boom', 'error'],
    ['[ERROR] something failed', 'error'],
    // postgres, redis, nginx, weaviate, squid, sandbox
    ['2025-01-08 10:43:17.784 UTC [1] LOG:  database system is ready to accept connections', 'info'],
    [
      '2025-01-08 10:43:17.784 UTC [63] ERROR:  relation "dify_setups" does not exist at character 15',
      'error',
    ],
    ['2025-01-08 10:43:17.784 UTC [63] FATAL:  password authentication failed for user "postgres"', 'error'],
    ['2025-01-08 10:43:17.784 UTC [1] PANIC:  could not locate a valid checkpoint record', 'error'],
    ['2025-01-08 10:43:17.784 UTC [63] WARNING:  there is no transaction in progress', 'warn'],
    ['1:C 08 Jan 2025 10:43:17.784 # WARNING Memory overcommit must be enabled!', 'warn'],
    ['1:M 08 Jan 2025 10:43:17.784 * Ready to accept connections tcp', 'info'],
    [
      '2025/01/08 10:43:17 [error] 29#29: *17 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: "GET /apps HTTP/1.1", upstream: "http://172.18.0.5:3000/apps", host: "localhost"',
      'error',
    ],
    [
      '2025/01/08 10:43:17 [crit] 29#29: *1 open() "/var/run/nginx.pid" failed (13: Permission denied)',
      'error',
    ],
    ['2025/01/08 10:43:17 [warn] 1#1: the "http2" directive is deprecated', 'warn'],
    ['2025/01/08 10:43:17 [notice] 1#1: start worker processes', 'info'],
    [
      '172.18.0.1 - - [08/Jan/2025:10:43:17 +0000] "GET /console/api/setup HTTP/1.1" 502 157 "-" "Mozilla/5.0" "-"',
      'error',
    ],
    [
      '172.18.0.1 - - [08/Jan/2025:10:43:17 +0000] "GET /apps HTTP/1.1" 200 1234 "-" "Mozilla/5.0" "-"',
      'info',
    ],
    [
      '{"action":"startup","default_vectorizer_module":"none","level":"info","msg":"the default vectorizer modules is set to \\"none\\"","time":"2025-01-08T10:43:17Z"}',
      'info',
    ],
    ['{"level":"warning","msg":"x","time":"2025-01-08T10:43:17Z"}', 'warn'],
    ['2025/01/08 10:43:17| WARNING: BCP 177 violation. Detected dead HTTP/1.1 server', 'warn'],
    ['2025/01/08 10:43:17 kid1| ERROR: No forward-proxy ports configured.', 'error'],
    ['2025/01/08 10:43:17 setup.go:29: [INFO]initializing nodejs runner environment...', 'info'],
  ])('%s → %s', (line, level) => {
    expect(levelOf(line)).toBe(level);
  });
});

describe('levelOf: Ollama and AUTOMATIC1111', () => {
  it.each([
    // ollama/ollama#8770, #8689, #6092, #1550
    ['time=2025-02-02T09:23:09.826+08:00 level=INFO source=images.go:432 msg="total blobs: 5"', 'info'],
    [
      'time=2025-02-03T05:52:46.700Z level=WARN source=sched.go:137 msg="mllama doesn\'t support parallel requests yet"',
      'warn',
    ],
    [
      'time=2024-07-31T15:21:10.259+08:00 level=DEBUG source=payload.go:71 msg="availableServers : found" file=/tmp/ollama1636953247/runners/rocm_v60102/ollama_llama_server',
      'debug',
    ],
    [
      'time=2025-02-25T10:05:54.000Z level=ERROR source=sched.go:455 msg="error loading llama server" error="llama runner process has terminated: exit status 2"',
      'error',
    ],
    [
      '2025/02/02 09:23:09 routes.go:1187: INFO server config env="map[CUDA_VISIBLE_DEVICES: OLLAMA_HOST:http://127.0.0.1:11434]"',
      'info',
    ],
    ['2023/12/15 15:33:10 routes.go:891: warning: gpu support may not be enabled', 'warn'],
    // facts.md: a second serve on a taken port
    [
      'Error: listen tcp 127.0.0.1:11434: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.',
      'error',
    ],
    ['panic: runtime error: invalid memory address or nil pointer dereference', 'error'],
    ['fatal error: all goroutines are asleep - deadlock!', 'error'],
    // AUTOMATIC1111: modules/errors.py report(), Python exceptions, warnings.warn
    ['*** Error completing request', 'error'],
    ['*** Error loading script: controlnet.py', 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB', 'error'],
    [
      'OSError: Cannot find empty port in range: 7860-7860. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the `server_port` parameter to `launch()`.',
      'error',
    ],
    ['KeyboardInterrupt', 'error'],
    [
      '/venv/lib/python3.10/site-packages/torch/cuda/__init__.py:138: UserWarning: CUDA initialization: The NVIDIA driver on your system is too old',
      'warn',
    ],
    ['FutureWarning: `resume_download` is deprecated and will be removed in version 1.0.0.', 'warn'],
    ["WARNING: Running pip as the 'root' user can result in broken permissions", 'warn'],
    ['ERROR: Could not find a version that satisfies the requirement dify_plugin==9.9.9', 'error'],
    ['E0501 10:00:00.123456       1 main.go:12] failed to connect', 'error'],
    ['W0501 10:00:00.123456       1 main.go:12] slow', 'warn'],
    ['[W 2024-05-01 10:00:00.123 ServerApp] Notebook x is not trusted', 'warn'],
    [`${ESC}[32mINFO${ESC}[0m:     Uvicorn running on http://0.0.0.0:7861`, 'info'],
  ])('%s → %s', (line, level) => {
    expect(levelOf(line)).toBe(level);
  });
});

describe('levelOf: words that are not in a level place are not levels', () => {
  it.each([
    'Model loaded in 4.2s (load weights from disk: 0.6s, create model: 0.4s, apply weights to model: 2.9s).',
    'Loading weights [6ce0161689] from /models/Stable-diffusion/v1-5-pruned-emaonly.safetensors',
    '2023/12/15 15:33:10 images.go:744: total unused blobs removed: 0',
    '2025/01/08 10:43:17 main.go:12: error_count=0',
    '2025/01/08 10:43:17 main.go:12: processed 10 items, 0 errors',
    '0 errors, 2 warnings',
    'Finished with 0 errors',
    'INFO_COUNT=3',
    'errors: 0',
    'my error handler is ready',
    'time=2025-02-02T09:23:09.826+08:00 source=x msg="error level is fine"',
    '{"msg":"level=error is not a key here","code":0}',
    '{"msg":"\\"level\\":\\"error\\" quoted inside a string"}',
    '100%|██████████| 20/20 [00:02<00:00,  8.01it/s]',
    '    raise ValueError("x")',
    '  File "/app/main.py", line 3, in <module>',
    '',
  ])('%j → null', (line) => {
    expect(levelOf(line)).toBeNull();
  });
});

describe('classifyLine: what kind of line', () => {
  it.each([
    ['2025-01-08 10:43:17.784 UTC [63] STATEMENT:  SELECT 1', 'detail', null],
    ['2025-01-08 10:43:17.784 UTC [63] DETAIL:  Key (id)=(1) already exists.', 'detail', null],
    ['2023/12/15 15:33:10 images.go:744: total unused blobs removed: 0', 'headed', null],
    ['Traceback (most recent call last):', 'traceback', 'error'],
    ['    Traceback (most recent call last):', 'traceback', 'error'],
    ['  + Exception Group Traceback (most recent call last):', 'group-traceback', 'error'],
    ['panic: boom', 'panic', 'error'],
    ['*** Arguments: (1, 2) {}', 'report', 'error'],
    ['ValueError: x', 'content', 'error'],
    ['just text', 'content', null],
    ['[ERROR] 2025-01-08 10:43:17 something', 'headed', 'error'],
  ])('%j → %s, %s', (line, kind, level) => {
    expect(classifyLine(line)).toEqual({ kind, level });
  });

  it('answers are shared, frozen objects (nothing allocated per line)', () => {
    const a = classifyLine('ERROR:root:a');
    expect(classifyLine('ERROR:root:b')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('bad input never throws: control characters, lone escapes, very long lines', () => {
    for (const line of [
      `${ESC}`,
      `${ESC}[`,
      '\u0000\u0001',
      '[',
      '{',
      't',
      '9',
      'x'.repeat(1_000_000),
      `${'1'.repeat(50_000)}-`,
    ]) {
      expect(() => classifyLine(line)).not.toThrow();
    }
  });
});
