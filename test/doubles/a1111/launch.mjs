/**
 * The double's launch.py: AUTOMATIC1111 stable-diffusion-webui v1.10 as the app sees it — what it prints,
 * when each endpoint exists, how it binds and stops. Run by webui.sh (`node launch.mjs "$@"`). Sources:
 *
 * - `modules/paths_internal.py`: `shlex.split(COMMANDLINE_ARGS)` is appended to sys.argv; argparse keeps
 *   the last value of a repeated option and ignores unknown ones (parse_known_args).
 * - `modules/launch_utils.py`: `Python …`, `Version:`, `Commit hash:`, first-run installs
 *   (`Installing torch and torchvision` with pip's live output), then
 *   `Launching Web UI with arguments: <sys.argv[1:]>` (`API server` with --nowebui).
 * - `modules/initialize.py`: the checkpoint loads on a background thread (`Loading weights [hash] from …`,
 *   `Model loaded in …`), so it may finish before or after the UI is up.
 * - `webui.py` webui(): Gradio's `launch(prevent_thread_lock=True)` binds and prints
 *   `Running on local URL:  http://127.0.0.1:7860` (0.0.0.0 with --listen); only then are `/internal/*`
 *   (ui.setup_ui_api) and, with --api, `/sdapi/*` (modules/api/api.py) added, and `Startup time: …` printed.
 *   A busy explicit port: Gradio's `OSError: Cannot find empty port in range: N-N…` (exit 1, after the
 *   loading thread ends, as Python waits for non-daemon threads).
 * - `modules/api/api.py`: routes, HTTP Basic auth with --api-auth (401), server-stop/server-kill only with
 *   --api-server-stop; `/sdapi/v1/memory`, `/progress`, `/options` shapes.
 *
 * Env: A1111_DOUBLE_INSTALL_MS (a first-run install lasting that long), A1111_DOUBLE_MODEL_MS (checkpoint
 * load time, default 800), A1111_DOUBLE_MOUNT_MS (from `Running on local URL` to the API, default 300),
 * A1111_DOUBLE_JOB_MS (a txt2img job, default 1500), A1111_DOUBLE_MODELS (JSON list of checkpoint file
 * names; [] = none), A1111_DOUBLE_CUDA=0 (no GPU). Also honours test/doubles/process-behaviours.mjs.
 * Writes no files. A copy of this folder elsewhere (a path with spaces, a changed webui-user.sh) needs
 * launch.mjs as a symbolic link to this one: it imports ../process-behaviours.mjs.
 */
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyProcessBehaviours, scheduleCrash, sleep, startDelayMs } from '../process-behaviours.mjs';

const env = process.env;
const scriptPath = dirname(fileURLToPath(import.meta.url));
const say = (line = '') => process.stdout.write(`${line}\n`);
const ms = (name, fallback) => Number(env[name] ?? fallback) || 0;

// --- argv, as launch.py sees it -------------------------------------------------------------------

/** Python's shlex.split (POSIX): quotes, and backslash escapes outside single quotes. */
function shlexSplit(s) {
  const out = [];
  let cur = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (/\s/.test(c)) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      cur = (cur ?? '') + s.slice(i + 1, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end;
    } else if (c === '"') {
      cur ??= '';
      for (i++; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) i++;
        cur += s[i];
      }
    } else if (c === '\\' && i + 1 < s.length) cur = (cur ?? '') + s[++i];
    else cur = (cur ?? '') + c;
  }
  if (cur !== null) out.push(cur);
  return out;
}

const argv = [...process.argv.slice(2), ...shlexSplit(env.COMMANDLINE_ARGS ?? '')];

/** The options the double knows (modules/cmd_args.py); the last occurrence wins, unknown ones are ignored. */
function parseArgs(args) {
  const opts = {
    port: null,
    listen: false,
    api: false,
    api_auth: null,
    api_server_stop: false,
    nowebui: false,
    server_name: null,
    f: false,
  };
  const valued = { '--port': 'port', '--api-auth': 'api_auth', '--server-name': 'server_name' };
  const flags = {
    '--listen': 'listen',
    '--api': 'api',
    '--api-server-stop': 'api_server_stop',
    '--nowebui': 'nowebui',
    '-f': 'f',
  };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].includes('=')
      ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)]
      : [args[i], null];
    if (flags[name] && inline === null) opts[flags[name]] = true;
    else if (valued[name]) {
      const value = inline ?? args[++i];
      if (value === undefined) usageError(`argument ${name}: expected one argument`);
      if (name === '--port' && !/^[+-]?\d+$/.test(value.trim()))
        usageError(`argument --port: invalid int value: '${value}'`);
      opts[valued[name]] = name === '--port' ? Number(value) : value;
    }
  }
  return opts;
}

function usageError(message) {
  process.stderr.write(
    `usage: launch.py [-h] [--port PORT] [--listen] [--api] ...\nlaunch.py: error: ${message}\n`,
  );
  process.exit(2);
}

const opts = parseArgs(argv);

// --- checkpoints and state ---------------------------------------------------------------------------

const KNOWN_SHA256 = {
  'v1-5-pruned-emaonly.safetensors': '6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa',
};

function sha256Of(file) {
  if (KNOWN_SHA256[file]) return KNOWN_SHA256[file];
  let h = 0x811c9dc5;
  for (const c of file) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

const checkpoints = JSON.parse(env.A1111_DOUBLE_MODELS ?? '["v1-5-pruned-emaonly.safetensors"]').map(
  (file) => {
    const sha256 = sha256Of(file);
    return {
      title: `${file} [${sha256.slice(0, 10)}]`,
      model_name: file.replace(/\.(safetensors|ckpt)$/, ''),
      hash: sha256.slice(0, 10),
      sha256,
      filename: join(scriptPath, 'models', 'Stable-diffusion', file),
      config: null,
    };
  },
);

const state = {
  loaded: null, // the checkpoint in VRAM
  inRam: null, // unloaded to RAM by unload-checkpoint
  loading: Promise.resolve(),
  options: { samples_save: true, samples_format: 'png', sd_vae: 'Automatic', CLIP_stop_at_last_layers: 1 },
  job: {
    job: '',
    job_count: 0,
    job_no: 0,
    sampling_step: 0,
    sampling_steps: 0,
    timeStart: 0,
    timestamp: '0',
  },
};

/** The loading thread of modules/initialize.py (and a checkpoint switch through /options). */
function loadCheckpoint(checkpoint, { first }) {
  state.loading = (async () => {
    say(`Loading weights [${checkpoint.hash}] from ${checkpoint.filename}`);
    const total = ms('A1111_DOUBLE_MODEL_MS', 800);
    if (first) {
      await sleep(Math.min(100, total));
      say(`Creating model from config: ${join(scriptPath, 'configs', 'v1-inference.yaml')}`);
      await sleep(Math.max(0, total - 100));
      say('Applying attention optimization: Doggettx... done.');
    } else await sleep(total);
    state.loaded = checkpoint;
    state.inRam = null;
    state.options.sd_model_checkpoint = checkpoint.title;
    state.options.sd_checkpoint_hash = checkpoint.sha256;
    const secs = (total / 1000).toFixed(1);
    say(
      first
        ? `Model loaded in ${secs}s (load weights from disk: 0.4s, create model: 0.4s, apply weights to model: ${secs}s, calculate empty prompt: 0.1s).`
        : `Weights loaded in ${secs}s (send model to cpu: 0.5s, load weights from disk: 0.2s, apply weights to model: ${secs}s).`,
    );
  })();
  return state.loading;
}

// --- HTTP --------------------------------------------------------------------------------------------

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const notFound = (res) => json(res, 404, { detail: 'Not Found' });

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/** api.py's auth(): HTTP Basic against --api-auth `user:pass[,user:pass]`; errors through its handle_exception. */
function authorized(req, res) {
  if (!opts.api_auth) return true;
  const creds = Object.fromEntries(opts.api_auth.split(',').map((pair) => pair.split(':')));
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  const detail = m ? 'Incorrect username or password' : 'Not authenticated';
  if (m) {
    const [user, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
    if (user in creds && creds[user] === rest.join(':')) return true;
  }
  json(
    res,
    401,
    { error: 'HTTPException', detail, body: '', errors: `401: ${detail}` },
    { 'www-authenticate': 'Basic' },
  );
  return false;
}

function progressBody() {
  const j = state.job;
  let progress = 0;
  let eta = 0;
  if (j.job_count > 0) {
    progress =
      0.01 +
      j.job_no / j.job_count +
      (j.sampling_steps > 0 ? j.sampling_step / j.sampling_steps / j.job_count : 0);
    const elapsed = (Date.now() - j.timeStart) / 1000;
    eta = elapsed / progress - elapsed;
    progress = Math.min(progress, 1);
  }
  return {
    progress,
    eta_relative: eta,
    state: {
      skipped: false,
      interrupted: false,
      stopping_generation: false,
      job: j.job,
      job_count: j.job_count,
      job_timestamp: j.timestamp,
      job_no: j.job_no,
      sampling_step: j.sampling_step,
      sampling_steps: j.sampling_steps,
    },
    current_image: null,
    textinfo: null,
  };
}

const GIB = 1024 ** 3;

function memoryBody() {
  const rss = process.memoryUsage().rss;
  const ramTotal = 32 * GIB;
  const ram = { free: ramTotal - rss, used: rss, total: ramTotal };
  if (env.A1111_DOUBLE_CUDA === '0') return { ram, cuda: { error: 'unavailable' } };
  const reserved = state.loaded ? 2_904_555_520 : 16_777_216;
  const allocated = state.loaded ? 2_631_891_968 : 0;
  const total = 12_878_086_144; // an RTX 4070: nvidia-smi's 12282 MiB
  const used = Number(env.A1111_DOUBLE_GPU_OTHERS ?? 0) + reserved + 420_000_000;
  const pair = (current) => ({ current, peak: Math.max(current, reserved) });
  return {
    ram,
    cuda: {
      system: { free: total - used, used, total },
      active: pair(allocated),
      allocated: pair(allocated),
      reserved: pair(reserved),
      inactive: pair(reserved - allocated),
      events: { retries: 0, oom: 0 },
    },
  };
}

const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

async function txt2img(req, res) {
  const body = await readBody(req);
  await state.loading;
  const steps = Number(body.steps ?? 20);
  const j = state.job;
  Object.assign(j, {
    job: 'scripts_txt2img',
    job_count: 1,
    job_no: 0,
    sampling_step: 0,
    sampling_steps: steps,
    timeStart: Date.now(),
  });
  j.timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const stepMs = ms('A1111_DOUBLE_JOB_MS', 1500) / steps;
  for (let s = 1; s <= steps; s++) {
    await sleep(stepMs);
    j.sampling_step = s;
  }
  Object.assign(j, { job: '', job_count: 0, job_no: 0, sampling_step: 0, sampling_steps: 0 });
  json(res, 200, {
    images: [ONE_PIXEL_PNG],
    parameters: body,
    info: JSON.stringify({ prompt: body.prompt ?? '', steps }),
  });
}

/** The /sdapi routes (api.py), present only with --api. */
const api = {
  'GET /sdapi/v1/sd-models': (req, res) => json(res, 200, checkpoints),
  'GET /sdapi/v1/options': (req, res) => json(res, 200, state.options),
  'POST /sdapi/v1/options': async (req, res) => {
    const body = await readBody(req);
    const name = body.sd_model_checkpoint;
    const wanted =
      name === undefined
        ? null
        : checkpoints.find((c) => [c.title, c.model_name, c.hash, c.sha256].includes(name));
    if (name !== undefined && !wanted) {
      // RuntimeError through api_middleware's exception_handling.
      return json(res, 500, {
        error: 'RuntimeError',
        detail: '',
        body: '',
        errors: `model ${JSON.stringify(name)} not found`,
      });
    }
    Object.assign(state.options, body);
    if (wanted && wanted !== state.loaded) await loadCheckpoint(wanted, { first: false });
    json(res, 200, null);
  },
  'GET /sdapi/v1/progress': (req, res) => json(res, 200, progressBody()),
  'GET /sdapi/v1/memory': (req, res) => json(res, 200, memoryBody()),
  'GET /sdapi/v1/cmd-flags': (req, res) => json(res, 200, opts),
  'POST /sdapi/v1/txt2img': txt2img,
  'POST /sdapi/v1/interrupt': (req, res) => json(res, 200, {}),
  'POST /sdapi/v1/unload-checkpoint': (req, res) => {
    if (state.loaded) [state.inRam, state.loaded] = [state.loaded, null];
    json(res, 200, {});
  },
  'POST /sdapi/v1/reload-checkpoint': (req, res) => {
    if (state.inRam) [state.loaded, state.inRam] = [state.inRam, null];
    json(res, 200, {});
  },
};
if (opts.api_server_stop) {
  api['POST /sdapi/v1/server-stop'] = (req, res) => {
    // stop_webui sets server_command; webui()'s loop wakes on it (UI mode only) and stops the server.
    res.writeHead(200, { 'content-length': 9 }).end('Stopping.');
    if (!opts.nowebui) setTimeout(() => stopServer(), 50);
  };
  api['POST /sdapi/v1/server-kill'] = (req) => {
    // restart.stop_program(): os._exit(0), no answer.
    req.socket.destroy();
    process.exit(0);
  };
}

let mounted = false;
let server = null;

function handle(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  if (!opts.nowebui && path === '/' && req.method === 'GET') {
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>Stable Diffusion</title>');
    return;
  }
  if (!mounted) return notFound(res);
  if (!opts.nowebui && path === '/internal/ping' && req.method === 'GET') return json(res, 200, {});
  if (!opts.api || !path.startsWith('/sdapi/')) return notFound(res);
  const route = api[`${req.method} ${path}`];
  if (!route) {
    const other = Object.keys(api).some((key) => key.endsWith(` ${path}`));
    return other ? json(res, 405, { detail: 'Method Not Allowed' }) : notFound(res);
  }
  if (!authorized(req, res)) return;
  Promise.resolve(route(req, res)).catch((e) => {
    if (!res.headersSent) json(res, 500, { error: e.name, detail: '', body: '', errors: String(e.message) });
  });
}

function listen(host, port) {
  return new Promise((resolve, reject) => {
    const s = http.createServer(handle);
    s.once('error', reject);
    s.listen({ host, port }, () => resolve(s));
  });
}

async function stopServer() {
  say('Stopping server...');
  server?.closeAllConnections();
  server?.close();
  await state.loading;
  process.exit(0);
}

// --- the run ---------------------------------------------------------------------------------------

async function install(totalMs) {
  const lines = [
    'Installing torch and torchvision',
    'Looking in indexes: https://pypi.org/simple, https://download.pytorch.org/whl/cu121',
    'Collecting torch==2.1.2',
    '  Downloading https://download.pytorch.org/whl/cu121/torch-2.1.2%2Bcu121-cp310-cp310-linux_x86_64.whl (2200.7 MB)',
    'Collecting torchvision==0.16.2',
    '  Downloading https://download.pytorch.org/whl/cu121/torchvision-0.16.2%2Bcu121-cp310-cp310-linux_x86_64.whl (6.8 MB)',
    'Installing collected packages: mpmath, typing-extensions, sympy, networkx, MarkupSafe, fsspec, filelock, torch, torchvision',
    'Successfully installed MarkupSafe-2.1.5 filelock-3.13.1 fsspec-2024.2.0 mpmath-1.3.0 networkx-3.2.1 sympy-1.12 torch-2.1.2+cu121 torchvision-0.16.2+cu121 typing-extensions-4.9.0',
    'Installing clip',
    'Installing open_clip',
    `Cloning assets into ${join(scriptPath, 'repositories', 'stable-diffusion-webui-assets')}...`,
    `Cloning Stable Diffusion into ${join(scriptPath, 'repositories', 'stable-diffusion-stability-ai')}...`,
    'Installing requirements',
  ];
  for (const line of lines) {
    say(line);
    await sleep(totalMs / lines.length);
  }
}

async function main() {
  applyProcessBehaviours();
  const installMs = ms('A1111_DOUBLE_INSTALL_MS', 0);
  if (installMs > 0) say(`Creating venv in directory venv using python "/usr/bin/python3.10"`);
  say('Python 3.10.6 (main, Nov 14 2022, 16:10:14) [GCC 11.3.0]');
  say('Version: v1.10.1');
  say('Commit hash: 82a973c04367123ae98bd9abdf80d9eda9b910e2');
  if (installMs > 0) await install(installMs);
  say(`Launching ${opts.nowebui ? 'API server' : 'Web UI'} with arguments: ${argv.join(' ')}`);
  await sleep(startDelayMs); // importing torch, gradio, the scripts

  if (checkpoints.length > 0) loadCheckpoint(checkpoints[0], { first: true });
  else {
    say('No checkpoints found. When searching for checkpoints, looked at:');
    say(` - file ${join(scriptPath, 'model.ckpt')}`);
    say(` - directory ${join(scriptPath, 'models', 'Stable-diffusion')}`);
    say(
      "Can't run without a checkpoint. Find and place a .ckpt or .safetensors file into any of those locations.",
    );
  }

  const host = opts.server_name ?? (opts.listen ? '0.0.0.0' : '127.0.0.1');
  if (opts.nowebui) {
    // api_only(): everything is mounted before uvicorn serves; uvicorn's own lines go to stderr.
    mounted = true;
    say(
      'Startup time: 6.1s (prepare environment: 1.6s, import torch: 2.0s, import gradio: 0.5s, setup paths: 0.6s, initialize shared: 0.2s, other imports: 0.3s, load scripts: 0.4s).',
    );
    const port = opts.port ?? 7861;
    try {
      server = await listen(host, port);
    } catch {
      process.stderr.write(
        `ERROR:    [Errno 98] error while attempting to bind on address ('${host}', ${port}): address already in use\n`,
      );
      await state.loading;
      process.exit(1);
    }
    process.stderr.write(
      `INFO:     Started server process [${process.pid}]\nINFO:     Waiting for application startup.\nINFO:     Application startup complete.\n`,
    );
    process.stderr.write(`INFO:     Uvicorn running on http://${host}:${port} (Press CTRL+C to quit)\n`);
    scheduleCrash();
    return;
  }

  // Gradio: an explicit port is tried alone; without one, 7860 and the next 99.
  const ports = opts.port !== null ? [opts.port] : Array.from({ length: 100 }, (_, i) => 7860 + i);
  for (const port of ports) {
    try {
      server = await listen(host, port);
      break;
    } catch {
      // the next one
    }
  }
  if (!server) {
    const range = `${ports[0]}-${ports.at(-1)}`;
    process.stderr.write(
      `Traceback (most recent call last):\n  File "${join(scriptPath, 'launch.py')}", line 48, in <module>\n    main()\n` +
        `  File "${join(scriptPath, 'venv', 'lib', 'python3.10', 'site-packages', 'gradio', 'networking.py')}", line 134, in start_server\n    raise OSError(\n` +
        `OSError: Cannot find empty port in range: ${range}. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the \`server_port\` parameter to \`launch()\`.\n`,
    );
    await state.loading;
    process.exit(1);
  }
  say(`Running on local URL:  http://${host}:${server.address().port}`);
  say();
  say('To create a public link, set `share=True` in `launch()`.');
  await sleep(ms('A1111_DOUBLE_MOUNT_MS', 300));
  mounted = true;
  say(
    'Startup time: 6.1s (prepare environment: 1.6s, import torch: 2.0s, import gradio: 0.5s, setup paths: 0.6s, initialize shared: 0.2s, other imports: 0.3s, load scripts: 0.4s, create ui: 0.3s, gradio launch: 0.2s).',
  );
  scheduleCrash();
}

main();
