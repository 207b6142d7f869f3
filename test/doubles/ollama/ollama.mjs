/**
 * A stand-in for Ollama's CLI and server (`ollama serve`, `ollama --version`), written against
 * ollama/ollama v0.33 (commit fb30760, Aug 2026). What it copies, and from where:
 *
 * - `envconfig/config.go` Host(): OLLAMA_HOST with an optional scheme (http → port 80, https → 443,
 *   none → 11434), any path dropped, anything unparsable → 127.0.0.1; Var() trims spaces and quotes.
 * - `cmd/cmd.go` RunServer(): the port is bound BEFORE anything is printed; a bind error is returned and
 *   `cobra.CheckErr` prints `Error: listen tcp 127.0.0.1:11434: bind: address already in use` (exit 1).
 * - `server/routes.go` Serve(): slog lines on stderr (`time=… level=INFO source=routes.go:2008
 *   msg="Listening on 127.0.0.1:11434 (version 0.33.0)"`, `[::]:11434` for 0.0.0.0), printed before GPU
 *   discovery and before `srvr.Serve` — a client connecting then waits until serving begins
 *   (DOUBLE_START_DELAY_MS here).
 * - GenerateRoutes(): `GET|HEAD /` "Ollama is running", `/api/version`, `/api/tags`, `GET /api/ps`,
 *   `POST /api/generate` (empty prompt + keep_alive 0 = unload: answered at once, the runner goes
 *   asynchronously); gin's 404 "404 page not found" and 405; allowedHostsMiddleware (a server bound to
 *   loopback answers 403 to a Host header that is not local — `host.docker.internal` is allowed).
 * - `cmd.go` versionHandler(): `ollama version is X` from the running server, warnings otherwise.
 *
 * Models: OLLAMA_DOUBLE_MODELS (installed) and OLLAMA_DOUBLE_LOADED (already loaded), JSON arrays of
 * names or `{name, size, size_vram, remote_host}`; OLLAMA_DOUBLE_UNLOAD_MS: how long an unload takes.
 * Also honours test/doubles/process-behaviours.mjs. Writes no files (not even ~/.ollama's key pair).
 */
import http from 'node:http';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { applyProcessBehaviours, scheduleCrash, sleep, startDelayMs } from '../process-behaviours.mjs';

const VERSION = '0.33.0';
const env = process.env;
const GIB = 1024 ** 3;

async function main(args) {
  if (args[0] === 'serve' || args[0] === 'start') {
    if (args.length > 1) fail(`accepts 0 arg(s), received ${args.length - 1}`);
    return serve();
  }
  if (args.includes('--version') || args.includes('-v')) return versionCommand();
  if (args.length === 0) {
    process.stdout.write('Usage:\n  ollama [flags]\n  ollama [command]\n');
    return;
  }
  fail(`unknown command "${args[0]}" for "ollama"`);
}

/** cobra.CheckErr: `Error: …` on stderr, exit 1. */
function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

// --- OLLAMA_HOST, as envconfig.Host() reads it ---------------------------------------------------

function configuredHost() {
  const raw = (env.OLLAMA_HOST ?? '')
    .trim()
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  let s = raw.trim();
  let scheme = 'http';
  let defaultPort = '11434';
  const sep = s.indexOf('://');
  if (sep === -1) {
    if (s === 'ollama.com') [scheme, s] = ['https', 'ollama.com:443'];
  } else {
    scheme = s.slice(0, sep);
    s = s.slice(sep + 3);
    defaultPort = scheme === 'http' ? '80' : scheme === 'https' ? '443' : '11434';
  }
  const hostport = s.split('/')[0];
  let host;
  let port;
  const m = /^(?:\[([^[\]]*)\]|([^:[\]]*)):([^:[\]]*)$/.exec(hostport);
  if (m) {
    host = m[1] ?? m[2];
    port = m[3];
  } else {
    const bare = hostport.replace(/^\[+/, '').replace(/\]+$/, '');
    host = isIP(bare)
      ? new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}/`).hostname.replace(/^\[|\]$/g, '')
      : hostport || '127.0.0.1';
    port = defaultPort;
  }
  const n = /^[+-]?\d+$/.test(port) ? Number(port) : NaN;
  if (!(n >= 0 && n <= 65535)) {
    slog('WARN', 'config.go:59', 'invalid port, using default', `port=${port} default=${defaultPort}`);
    port = defaultPort;
  }
  return { scheme, host, port: Number(port), hostport: joinHostPort(host, port) };
}

const joinHostPort = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
const unspecified = (host) => host === '' || host === '0.0.0.0' || host === '::';

// --- logging -------------------------------------------------------------------------------------

/** Go's slog TextHandler with AddSource, on stderr. */
function slog(level, source, msg, attrs = '') {
  const quoted = /[\s"=]/.test(msg) ? JSON.stringify(msg) : msg;
  process.stderr.write(
    `time=${goTime(new Date(), 3)} level=${level} source=${source} msg=${quoted}${attrs ? ` ${attrs}` : ''}\n`,
  );
}

/** A time as Go formats it: RFC 3339 in local time with `digits` fractional digits (nanoseconds: 9). */
function goTime(date, digits = 9) {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const frac = String(date.getMilliseconds()).padStart(3, '0').padEnd(digits, '0');
  const zone =
    offset === 0
      ? 'Z'
      : `${offset > 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  return `${local}.${frac}${zone}`;
}

/** gin's default logger line (stdout), without colours as when not on a terminal. */
function ginLine(status, startedAt, client, method, path) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const when = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} - ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const took = goDurationText(Number(process.hrtime.bigint() - startedAt));
  process.stdout.write(
    `[GIN] ${when} | ${status} | ${took.padStart(13)} | ${client.padStart(15)} | ${method.padEnd(7)} ${JSON.stringify(path)}\n`,
  );
}

/** time.Duration's String(): `812ns`, `12.5µs`, `463.377791ms`, `1.5s`. */
function goDurationText(ns) {
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${+(ns / 1e3).toFixed(3)}µs`;
  if (ns < 1e9) return `${+(ns / 1e6).toFixed(6)}ms`;
  return `${+(ns / 1e9).toFixed(9)}s`;
}

// --- models ----------------------------------------------------------------------------------------

const DEFAULT_MODELS = [
  {
    name: 'gpt-oss:20b',
    size: 13_793_441_244,
    family: 'gptoss',
    parameter_size: '20.9B',
    quantization_level: 'MXFP4',
  },
  {
    name: 'gemma3:12b',
    size: 8_149_190_253,
    family: 'gemma3',
    parameter_size: '12.2B',
    quantization_level: 'Q4_K_M',
  },
  {
    name: 'llama3.3:latest',
    size: 42_520_413_916,
    family: 'llama',
    parameter_size: '70.6B',
    quantization_level: 'Q4_K_M',
  },
];

/** `llama3.3` and `library/llama3.3:latest` name the same model (the tag defaults to latest; case-insensitive). */
function modelKey(name) {
  const n = String(name)
    .trim()
    .toLowerCase()
    .replace(/^registry\.ollama\.ai\//, '')
    .replace(/^library\//, '');
  return n.slice(n.lastIndexOf('/') + 1).includes(':') ? n : `${n}:latest`;
}

function fromEnv(name, fallback) {
  if (!env[name]) return fallback;
  return JSON.parse(env[name]).map((m) => (typeof m === 'string' ? { name: m } : m));
}

const installed = fromEnv('OLLAMA_DOUBLE_MODELS', DEFAULT_MODELS).map((m, i) => ({
  ...m,
  name: m.name.slice(m.name.lastIndexOf('/') + 1).includes(':') ? m.name : `${m.name}:latest`,
  size: m.size ?? 4_000_000_000 + i,
  digest: m.digest ?? hexDigest(m.name),
  modifiedAt: new Date(Date.now() - (i + 1) * 86_400_000),
}));

// A fresh `serve` holds nothing: models load on the first request (or come from OLLAMA_DOUBLE_LOADED).
const loaded = new Map();

function hexDigest(name) {
  let h = 0x811c9dc5;
  for (const c of String(name)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

function details(m) {
  return {
    parent_model: '',
    format: 'gguf',
    family: m.family ?? 'llama',
    families: [m.family ?? 'llama'],
    parameter_size: m.parameter_size ?? '8.0B',
    quantization_level: m.quantization_level ?? 'Q4_K_M',
  };
}

/** The RTX 4070's 12 GiB less what the driver keeps: models beyond it spill into RAM (size_vram < size). */
const VRAM = 11.5 * GIB;
// After VRAM: loading one uses it (a `const` read before its line is a ReferenceError in a module).
for (const m of fromEnv('OLLAMA_DOUBLE_LOADED', [])) load(m.name, envKeepAliveMs(), m);

function load(name, keepMs, given = {}) {
  const key = modelKey(name);
  const model = installed.find((m) => modelKey(m.name) === key) ?? { name, size: given.size ?? 5 * GIB };
  const old = loaded.get(key);
  if (old) clearTimeout(old.timer);
  const size = given.size ?? Math.round(model.size * 1.12);
  const used = [...loaded.values()].filter((l) => l.key !== key).reduce((sum, l) => sum + l.sizeVram, 0);
  const entry = {
    key,
    model,
    size,
    sizeVram: given.size_vram ?? Math.max(0, Math.min(size, VRAM - used)),
    expiresAt: new Date(Date.now() + Math.min(keepMs, 292 * 365 * 86_400_000)),
    timer: null,
  };
  if (keepMs < 2 ** 31) entry.timer = setTimeout(() => loaded.delete(key), keepMs).unref();
  loaded.set(key, entry);
}

/** OLLAMA_KEEP_ALIVE (envconfig.KeepAlive): a Go duration, else whole seconds, else 5m; negative = forever. */
function envKeepAliveMs() {
  const s = (env.OLLAMA_KEEP_ALIVE ?? '')
    .trim()
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  const ms = goDuration(s) ?? (/^[+-]?\d+$/.test(s) ? Number(s) * 1000 : 5 * 60_000);
  return ms < 0 ? Infinity : ms;
}

/** A request's keep_alive (api.Duration.UnmarshalJSON): a number is seconds, a string a Go duration. */
function requestKeepAliveMs(value) {
  const ms = typeof value === 'number' ? value * 1000 : goDuration(String(value));
  if (ms === null) throw new Error(`time: invalid duration ${JSON.stringify(String(value))}`);
  return ms < 0 ? Infinity : ms;
}

function goDuration(s) {
  if (s === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) return null;
  const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, u] of m[2].matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * unit[u];
  return m[1] === '-' ? -total : total;
}

// --- HTTP --------------------------------------------------------------------------------------------

function send(res, status, body, type = 'application/json; charset=utf-8') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

const text = (res, status, body) => send(res, status, body, 'text/plain; charset=utf-8');

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return { missing: true };
  try {
    return { body: JSON.parse(raw) };
  } catch (e) {
    return { error: e.message };
  }
}

const routes = {
  '/': {
    GET: (req, res) => text(res, 200, 'Ollama is running'),
    HEAD: (req, res) => text(res, 200, 'Ollama is running'),
  },
  '/api/version': {
    GET: (req, res) => send(res, 200, { version: VERSION }),
    HEAD: (req, res) => send(res, 200, { version: VERSION }),
  },
  '/api/tags': { GET: tags, HEAD: tags },
  '/api/ps': { GET: ps },
  '/api/generate': { POST: generate },
};

function tags(req, res) {
  send(res, 200, {
    models: installed.map((m) => ({
      name: m.name,
      model: m.name,
      ...(m.remote_host ? { remote_model: m.remote_model ?? m.name, remote_host: m.remote_host } : {}),
      modified_at: goTime(m.modifiedAt),
      size: m.size,
      digest: m.digest,
      details: details(m),
    })),
  });
}

function ps(req, res) {
  const models = [...loaded.values()]
    .sort((a, b) => b.expiresAt - a.expiresAt)
    .map((l) => ({
      name: l.model.name,
      model: l.model.name,
      size: l.size,
      digest: l.model.digest ?? hexDigest(l.model.name),
      details: details(l.model),
      expires_at: goTime(l.expiresAt),
      size_vram: l.sizeVram,
      context_length: 4096,
    }));
  send(res, 200, { models });
}

async function generate(req, res) {
  const { body, missing, error } = await readJson(req);
  if (missing) return send(res, 400, { error: 'missing request body' });
  if (error) return send(res, 400, { error });
  const key = modelKey(body.model ?? '');
  const model = installed.find((m) => modelKey(m.name) === key);
  if (!body.model || !model) return send(res, 404, { error: `model '${body.model ?? ''}' not found` });
  let keepMs;
  try {
    keepMs =
      body.keep_alive === undefined || body.keep_alive === null
        ? envKeepAliveMs()
        : requestKeepAliveMs(body.keep_alive);
  } catch (e) {
    return send(res, 400, { error: e.message });
  }
  const created_at = new Date().toISOString();
  if (!body.prompt && keepMs === 0) {
    // expireRunner: the runner is unloaded once the requests it serves are done, after this answer.
    const unloadMs = Number(env.OLLAMA_DOUBLE_UNLOAD_MS ?? 300);
    setTimeout(() => {
      clearTimeout(loaded.get(key)?.timer);
      loaded.delete(key);
    }, unloadMs).unref();
    return send(res, 200, { model: body.model, created_at, response: '', done: true, done_reason: 'unload' });
  }
  load(model.name, keepMs);
  const answer = body.prompt ? 'Hello from the Ollama double.' : '';
  const done = {
    model: body.model,
    created_at,
    response: answer,
    done: true,
    done_reason: body.prompt ? 'stop' : 'load',
  };
  if (body.stream === false || !body.prompt) return send(res, 200, done);
  send(res, 200, `${JSON.stringify(done)}\n`, 'application/x-ndjson');
}

/** allowedHostsMiddleware: only a loopback-bound server checks the Host header. */
function hostAllowed(boundLoopback, hostHeader) {
  if (!boundLoopback) return true;
  const host = (hostHeader ?? '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (isIP(host)) return isLocalAddress(host);
  if (host === '' || host === 'localhost' || host === hostname().toLowerCase()) return true;
  return ['.localhost', '.local', '.internal'].some((tld) => host.endsWith(tld));
}

function isLocalAddress(ip) {
  if (/^(127\.|10\.|192\.168\.|0\.0\.0\.0$)/.test(ip) || /^172\.(1[6-9]|2\d|3[01])\./.test(ip)) return true;
  if (ip === '::1' || ip === '::' || /^f[cd]/.test(ip)) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === ip));
}

// --- the commands -----------------------------------------------------------------------------------

async function serve() {
  applyProcessBehaviours();
  const { host, port, hostport, scheme } = configuredHost();
  let address = host;
  let ipv6Only = false;
  if (unspecified(host)) address = '::';
  else if (!isIP(host)) {
    try {
      // Go listens on one address of a name, preferring IPv4.
      address = (await lookup(host, { family: 4 }).catch(() => lookup(host))).address;
    } catch {
      fail(`listen tcp: lookup ${host}: no such host`);
    }
  } else if (isIP(host) === 6) ipv6Only = true;

  let serving = false;
  const waiters = [];
  const ready = () => (serving ? Promise.resolve() : new Promise((r) => waiters.push(r)));
  const boundLoopback = /^(127\.|::1$)/.test(address);
  const server = http.createServer(async (req, res) => {
    const startedAt = process.hrtime.bigint();
    await ready();
    const path = new URL(req.url, 'http://x').pathname;
    res.on('finish', () =>
      ginLine(res.statusCode, startedAt, req.socket.remoteAddress ?? '', req.method, path),
    );
    if (!hostAllowed(boundLoopback, req.headers.host)) {
      res.writeHead(403).end();
      return;
    }
    const route = routes[path];
    if (!route) return text(res, 404, '404 page not found');
    const handler = route[req.method];
    if (!handler) return text(res, 405, '405 method not allowed');
    try {
      await handler(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, { error: String(e?.message ?? e) });
    }
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, ipv6Only }, resolve);
    });
  } catch (e) {
    const reason =
      {
        EADDRINUSE: 'address already in use',
        EACCES: 'permission denied',
        EADDRNOTAVAIL: 'cannot assign requested address',
      }[e.code] ?? e.message;
    fail(`listen tcp ${hostport}: bind: ${reason}`);
  }
  const bound = server.address();
  const shown = address === '::' ? `[::]:${bound.port}` : joinHostPort(bound.address, bound.port);

  slog(
    'INFO',
    'routes.go:1951',
    'server config',
    `env="map[OLLAMA_CONTEXT_LENGTH:0 OLLAMA_DEBUG:INFO OLLAMA_HOST:${scheme}://${joinHostPort(host, port)} OLLAMA_KEEP_ALIVE:${env.OLLAMA_KEEP_ALIVE || '5m0s'} OLLAMA_MAX_LOADED_MODELS:0 OLLAMA_MODELS:${env.OLLAMA_MODELS || '~/.ollama/models'} OLLAMA_NUM_PARALLEL:1]"`,
  );
  slog('INFO', 'routes.go:1953', 'Ollama cloud disabled: false');
  slog('INFO', 'images.go:919', `total blobs: ${installed.length * 4}`);
  slog('INFO', 'images.go:926', 'total unused blobs removed: 0');
  slog('INFO', 'routes.go:2008', `Listening on ${shown} (version ${VERSION})`);

  // GPU discovery runs between the "Listening on" line and srvr.Serve.
  slog('INFO', 'runner.go:60', 'discovering available GPUs...');
  await sleep(startDelayMs);
  slog(
    'INFO',
    'types.go:32',
    'inference compute',
    'id=GPU-8f1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d filter_id="" library=CUDA compute=8.9 name=CUDA0 description="NVIDIA GeForce RTX 4070" libdirs=ollama,cuda_v12 driver=12.8 pci_id=0000:01:00.0 type=discrete total="12.0 GiB" available="10.9 GiB"',
  );
  slog('INFO', 'routes.go:2058', 'vram-based default context', 'total_vram="12.0 GiB" default_num_ctx=4096');
  serving = true;
  for (const w of waiters.splice(0)) w();
  scheduleCrash();
}

async function versionCommand() {
  const { scheme, host, port } = configuredHost();
  // ConnectableHost(): an unspecified bind address is reached through loopback.
  const connect = unspecified(host)
    ? host === '::'
      ? '[::1]'
      : '127.0.0.1'
    : host.includes(':')
      ? `[${host}]`
      : host;
  let serverVersion = '';
  try {
    const res = await fetch(`${scheme === 'https' ? 'https' : 'http'}://${connect}:${port}/api/version`, {
      signal: AbortSignal.timeout(3000),
    });
    serverVersion = (await res.json()).version ?? '';
  } catch {
    process.stdout.write('Warning: could not connect to a running Ollama instance\n');
  }
  if (serverVersion) process.stdout.write(`ollama version is ${serverVersion}\n`);
  if (serverVersion !== VERSION) process.stdout.write(`Warning: client version is ${VERSION}\n`);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`Error: ${e.message}\n`);
  process.exit(1);
});
