/**
 * The Ollama and AUTOMATIC1111 doubles, run for real the way the supervisors run them (the A1111 one
 * through a1111LaunchSpec), talked to with the app's own clients on 127.0.0.1. Each test starts its
 * processes in their own process group and kills the group at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { A1111Client } from '../../../electron/processes/a1111-client';
import { a1111LaunchSpec } from '../../../electron/processes/a1111-launch';
import {
  INITIAL_A1111_PROGRESS,
  foldA1111Line,
  type A1111Progress,
} from '../../../electron/processes/a1111-output';
import { OllamaClient } from '../../../electron/processes/ollama-client';
import { parseOllamaHost } from '../../../electron/processes/ollama-host';
import { freePort } from '../../helpers/free-port';
import { useTempDir } from '../../helpers/use-temp-dir';

const OLLAMA = resolve(__dirname, '../../doubles/ollama/ollama');
const A1111_DIR = resolve(__dirname, '../../doubles/a1111');
const isRoot = process.getuid?.() === 0;

interface Running {
  child: ChildProcess;
  pid: number;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

const running: Running[] = [];

function start(command: string, args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): Running {
  // Its own process group, so the whole tree (bash → node → a grandchild) can be killed at once.
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const l of listeners) l();
    });
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = (re: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolveLine, reject) => {
      const check = () => {
        const line = lines.find((l) => re.test(l));
        if (line === undefined) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolveLine(line);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms; got:\n${lines.join('\n')}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const r: Running = { child, pid: child.pid as number, lines, exited, waitFor };
  running.push(r);
  return r;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    killGroup(r.pid);
    await r.exited;
  }
});

async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** GET with a Host header of our choice (fetch does not allow setting it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = http.get(url, { headers: { host } }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

// Neither double may write into its folder (they run from the repository).
const before = { ollama: [] as string[], a1111: [] as string[] };
beforeAll(() => {
  before.ollama = readdirSync(resolve(OLLAMA, '..'));
  before.a1111 = readdirSync(A1111_DIR);
});
afterAll(() => {
  expect(readdirSync(resolve(OLLAMA, '..'))).toEqual(before.ollama);
  expect(readdirSync(A1111_DIR)).toEqual(before.a1111);
});

describe('the ollama double', () => {
  const serve = (port: number, env: NodeJS.ProcessEnv = {}) =>
    start(OLLAMA, ['serve'], { env: { ...process.env, OLLAMA_HOST: `127.0.0.1:${port}`, ...env } });

  it('prints "Listening on" before it serves, then answers as Ollama', async () => {
    const port = await freePort();
    const ollama = serve(port, { DOUBLE_START_DELAY_MS: '2000' });
    const line = await ollama.waitFor(/Listening on/);
    expect(line).toMatch(
      new RegExp(
        `^time=\\S+ level=INFO source=routes\\.go:2008 msg="Listening on 127\\.0\\.0\\.1:${port} \\(version 0\\.33\\.0\\)"$`,
      ),
    );
    const client = new OllamaClient(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
    // Bound but not serving yet: the connection is accepted and nothing answers.
    expect(await client.ping()).toBe(false);
    await until(
      'ping',
      () => client.ping(),
      (up) => up,
    );
    expect(await client.version()).toBe('0.33.0');
    const tags = await client.tags();
    expect(tags.map((m) => m.name)).toEqual(['gpt-oss:20b', 'gemma3:12b', 'llama3.3:latest']);
    expect(tags.every((m) => m.size > 1e9 && !m.remote)).toBe(true);
    expect(await client.ps()).toEqual([]);
    const head = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    // gin's request log on stdout.
    expect(ollama.lines).toContainEqual(
      expect.stringMatching(
        /^\[GIN\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \| 200 \|\s+\S+ \|\s+127\.0\.0\.1 \| GET\s+"\/api\/tags"$/,
      ),
    );
  });

  it('loads a model on /api/generate and unloads it a moment after answering keep_alive 0', async () => {
    const port = await freePort();
    serve(port, { OLLAMA_DOUBLE_UNLOAD_MS: '2000' });
    const url = `http://127.0.0.1:${port}`;
    const client = new OllamaClient(url);
    await until(
      'ping',
      () => client.ping(),
      (up) => up,
    );
    const load = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:12b' }),
    });
    expect(await load.json()).toMatchObject({ model: 'gemma3:12b', done: true, done_reason: 'load' });
    const [loaded] = await client.ps();
    expect(loaded).toMatchObject({ name: 'gemma3:12b' });
    expect(loaded?.sizeVram).toBeGreaterThan(0);
    expect(loaded?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const unload = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:12b', keep_alive: 0 }),
    });
    expect(await unload.json()).toMatchObject({
      model: 'gemma3:12b',
      response: '',
      done: true,
      done_reason: 'unload',
    });
    // Answered at once, gone later (the runner waits for requests in flight).
    expect((await client.ps()).map((m) => m.name)).toEqual(['gemma3:12b']);
    expect(await client.unload('gemma3:12b')).toBe(true);
    expect(await client.ps()).toEqual([]);

    const missing = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope', keep_alive: 0 }),
    });
    expect([missing.status, await missing.json()]).toEqual([404, { error: "model 'nope' not found" }]);
  });

  it('takes its models from OLLAMA_DOUBLE_MODELS / OLLAMA_DOUBLE_LOADED', async () => {
    const port = await freePort();
    serve(port, {
      OLLAMA_DOUBLE_MODELS: JSON.stringify([
        { name: 'llama3.3', size: 123 },
        { name: 'gpt-oss:120b-cloud', size: 384, remote_host: 'https://ollama.com:443' },
      ]),
      OLLAMA_DOUBLE_LOADED: JSON.stringify([{ name: 'llama3.3', size: 5000, size_vram: 4000 }]),
      OLLAMA_DOUBLE_UNLOAD_MS: '50',
    });
    const client = new OllamaClient(`http://127.0.0.1:${port}`);
    await until(
      'ping',
      () => client.ping(),
      (up) => up,
    );
    expect(await client.tags()).toEqual([
      { name: 'llama3.3:latest', size: 123, remote: false },
      { name: 'gpt-oss:120b-cloud', size: 384, remote: true },
    ]);
    expect(await client.ps()).toMatchObject([{ name: 'llama3.3:latest', size: 5000, sizeVram: 4000 }]);
    expect(await client.unload('llama3.3')).toBe(true);
  });

  it('a taken port: the real bind error on stderr, exit code 1, nothing else printed', async () => {
    const port = await freePort();
    await serve(port).waitFor(/Listening on/);
    const second = serve(port);
    expect(await second.exited).toBe(1);
    expect(second.lines).toEqual([`Error: listen tcp 127.0.0.1:${port}: bind: address already in use`]);
  });

  it('OLLAMA_HOST=0.0.0.0:<port> listens on [::] (every interface); we connect through loopback', async () => {
    const port = await freePort();
    const ollama = start(OLLAMA, ['serve'], { env: { ...process.env, OLLAMA_HOST: `0.0.0.0:${port}` } });
    expect(await ollama.waitFor(/Listening on/)).toContain(
      `msg="Listening on [::]:${port} (version 0.33.0)"`,
    );
    const endpoint = parseOllamaHost(`0.0.0.0:${port}`);
    expect(endpoint.url).toBe(`http://127.0.0.1:${port}`);
    await until(
      'ping',
      () => new OllamaClient(endpoint.url).ping(),
      (up) => up,
    );
  });

  it('checks the Host header like allowedHostsMiddleware: host.docker.internal passes, a foreign name does not', async () => {
    const port = await freePort();
    serve(port);
    const url = `http://127.0.0.1:${port}/`;
    await until(
      'ping',
      () => new OllamaClient(url).ping(),
      (up) => up,
    );
    expect(await getWithHost(url, `host.docker.internal:${port}`)).toBe(200);
    expect(await getWithHost(url, `localhost:${port}`)).toBe(200);
    expect(await getWithHost(url, 'attacker.example')).toBe(403);
  });

  it('`ollama --version` asks the running server, and warns when none answers', async () => {
    const port = await freePort();
    const env = { ...process.env, OLLAMA_HOST: `127.0.0.1:${port}` };
    const alone = start(OLLAMA, ['--version'], { env });
    expect(await alone.exited).toBe(0);
    expect(alone.lines).toEqual([
      'Warning: could not connect to a running Ollama instance',
      'Warning: client version is 0.33.0',
    ]);
    serve(port);
    await until(
      'ping',
      () => new OllamaClient(`http://127.0.0.1:${port}`).ping(),
      (up) => up,
    );
    const asked = start(OLLAMA, ['--version'], { env });
    expect(await asked.exited).toBe(0);
    expect(asked.lines).toEqual(['ollama version is 0.33.0']);
  });

  it('crashes on request (process-behaviours): the exit code it was given, after serving began', async () => {
    const port = await freePort();
    const ollama = serve(port, { DOUBLE_CRASH_AFTER_MS: '200', DOUBLE_CRASH_CODE: '3' });
    expect(await ollama.exited).toBe(3);
    expect(ollama.lines.some((l) => l.includes('Listening on'))).toBe(true);
  });
});

describe('the AUTOMATIC1111 double, started as the app starts it', () => {
  const tmp = useTempDir('dst-a1111-');

  function launch(
    port: number,
    opts: { extraArgs?: string; env?: NodeJS.ProcessEnv; dir?: string; asRoot?: boolean } = {},
  ) {
    const { spec } = a1111LaunchSpec({
      dir: opts.dir ?? A1111_DIR,
      platform: 'linux',
      baseEnv: { ...process.env, A1111_DOUBLE_MODEL_MS: '300', A1111_DOUBLE_MOUNT_MS: '100', ...opts.env },
      port,
      listen: false,
      extraArgs: opts.extraArgs ?? '',
      asRoot: opts.asRoot,
    });
    const proc = start(spec.command, spec.args, { cwd: spec.cwd, env: spec.env });
    return { proc, progress: () => proc.lines.reduce<A1111Progress>(foldA1111Line, INITIAL_A1111_PROGRESS) };
  }

  it('prints "Running on local URL" before /internal and /sdapi exist, then mounts them; the checkpoint loads beside', async () => {
    const port = await freePort();
    const { proc, progress } = launch(port, {
      env: { A1111_DOUBLE_MOUNT_MS: '3000', A1111_DOUBLE_MODEL_MS: '4000' },
    });
    expect(await proc.waitFor(/^Launching Web UI/)).toBe(
      `Launching Web UI with arguments: ${isRoot ? '-f ' : ''}--api --port ${port}`,
    );
    expect(await proc.waitFor(/^Running on local URL/)).toBe(
      `Running on local URL:  http://127.0.0.1:${port}`,
    );
    const client = new A1111Client(`http://127.0.0.1:${port}`);
    expect(await client.ping()).toBe(false);
    expect(await client.sdModels()).toEqual({ state: 'starting', models: [] });
    expect(progress()).toMatchObject({ phase: 'loading-model', started: false, checkpointLoaded: false });

    await proc.waitFor(/^Startup time:/);
    expect(await client.ping()).toBe(true);
    expect(await client.sdModels()).toEqual({
      state: 'ok',
      models: ['v1-5-pruned-emaonly.safetensors [6ce0161689]'],
    });
    await proc.waitFor(/^Model loaded in/);
    expect(progress()).toMatchObject({ phase: 'ready', checkpointLoaded: true, started: true });
    expect(await client.checkpoint()).toBe('v1-5-pruned-emaonly.safetensors [6ce0161689]');
    expect(await client.progress()).toEqual({ fraction: 0, etaSeconds: null, active: false });
    const memory = (await client.memory()) as {
      cuda: { system: { total: number }; reserved: { current: number } };
    };
    expect(memory.cuda.system.total).toBe(12_878_086_144);
    expect(memory.cuda.reserved.current).toBeGreaterThan(1e9);
    expect(await client.unloadCheckpoint()).toBe(true);
    expect(((await client.memory()) as typeof memory).cuda.reserved.current).toBeLessThan(1e9);
    expect(await client.reloadCheckpoint()).toBe(true);
  });

  it('reports a generation in progress on /sdapi/v1/progress', async () => {
    const port = await freePort();
    const { proc } = launch(port, { env: { A1111_DOUBLE_JOB_MS: '3000' } });
    await proc.waitFor(/^Model loaded in/);
    const url = `http://127.0.0.1:${port}`;
    const job = fetch(`${url}/sdapi/v1/txt2img`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'a cat', steps: 10 }),
    });
    const client = new A1111Client(url);
    const busy = await until(
      'progress',
      () => client.progress(),
      (p) => (p?.fraction ?? 0) > 0.1,
    );
    expect(busy).toMatchObject({ active: true });
    expect(busy?.etaSeconds).toBeGreaterThanOrEqual(0);
    expect((await job).status).toBe(200);
    expect(await client.progress()).toMatchObject({ active: false });
  });

  it('without --api: /sdapi answers 404 while /internal/ping works → no-api', async () => {
    const port = await freePort();
    const proc = start(
      'bash',
      [join(A1111_DIR, 'webui.sh'), ...(isRoot ? ['-f'] : []), '--port', String(port)],
      {
        cwd: A1111_DIR,
        env: { ...process.env, A1111_DOUBLE_MOUNT_MS: '50' },
      },
    );
    await proc.waitFor(/^Startup time:/);
    expect(await new A1111Client(`http://127.0.0.1:${port}`).sdModels()).toEqual({
      state: 'no-api',
      models: [],
    });
  });

  it('--api-auth: the API wants HTTP Basic credentials → unauthorized', async () => {
    const port = await freePort();
    const { proc } = launch(port, { extraArgs: '--api-auth dify:s3cret' });
    await proc.waitFor(/^Startup time:/);
    expect((await new A1111Client(`http://127.0.0.1:${port}`).sdModels()).state).toBe('unauthorized');
    const res = await fetch(`http://127.0.0.1:${port}/sdapi/v1/sd-models`, {
      headers: { authorization: `Basic ${Buffer.from('dify:s3cret').toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });

  it("a busy port: Gradio's OSError — and webui.sh itself still exits 0 (its restart loop ends on a test)", async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const { proc, progress } = launch(port);
      expect(await proc.exited).toBe(0);
      const error = `OSError: Cannot find empty port in range: ${port}-${port}. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the \`server_port\` parameter to \`launch()\`.`;
      expect(proc.lines).toContain(error);
      expect(progress().line).toBe(error);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('server-stop (with --api-server-stop): "Stopping server...", then the whole run ends with 0', async () => {
    const port = await freePort();
    const { proc, progress } = launch(port, { extraArgs: '--api-server-stop' });
    await proc.waitFor(/^Model loaded in/);
    expect(await new A1111Client(`http://127.0.0.1:${port}`).serverStop()).toBe(true);
    expect(await proc.exited).toBe(0);
    expect(progress()).toMatchObject({ phase: 'stopped', line: 'Stopping server...' });
  });

  it('shows a first-run install before launching', async () => {
    const port = await freePort();
    const { proc } = launch(port, { env: { A1111_DOUBLE_INSTALL_MS: '500' } });
    await proc.waitFor(/^Startup time:/);
    const phases = new Set<string>();
    let state = INITIAL_A1111_PROGRESS;
    for (const line of proc.lines) {
      state = foldA1111Line(state, line);
      phases.add(`${state.phase}: ${state.line}`);
    }
    expect(phases).toContain('installing: Installing torch and torchvision');
    expect(phases).toContain('installing: Installing requirements');
  });

  it('webui-user.sh is sourced: a --port in its COMMANDLINE_ARGS beats ours (argparse keeps the last one)', async () => {
    const dir = join(tmp(), 'sd webui');
    cpSync(A1111_DIR, dir, { recursive: true });
    // launch.mjs imports ../process-behaviours.mjs: the copy runs the original through a link.
    rmSync(join(dir, 'launch.mjs'));
    symlinkSync(join(A1111_DIR, 'launch.mjs'), join(dir, 'launch.mjs'));
    const [ours, theirs] = [await freePort(), await freePort()];
    appendFileSync(join(dir, 'webui-user.sh'), `export COMMANDLINE_ARGS="--port ${theirs}"\n`);
    const { proc } = launch(ours, { dir });
    expect(await proc.waitFor(/^Running on local URL/)).toBe(
      `Running on local URL:  http://127.0.0.1:${theirs}`,
    );
    await proc.waitFor(/^Startup time:/);
    const flags = (await (await fetch(`http://127.0.0.1:${theirs}/sdapi/v1/cmd-flags`)).json()) as {
      port: number;
    };
    expect(flags.port).toBe(theirs);
    expect(readFileSync(join(dir, 'webui-user.sh'), 'utf8')).toContain('#export COMMANDLINE_ARGS=""');
  });

  it.runIf(isRoot)('refuses to run as root without -f, as the real webui.sh does', async () => {
    const { proc } = launch(await freePort(), { asRoot: false });
    expect(await proc.exited).toBe(1);
    expect(
      proc.lines.some((l) => l.includes('ERROR: This script must not be launched as root, aborting...')),
    ).toBe(true);
  });

  it('killing bash alone leaves the "python" running; killing the process group leaves nothing', async () => {
    const port = await freePort();
    const pidfile = join(tmp(), 'python.pid');
    const grandchildPidfile = join(tmp(), 'grandchild.pid');
    const { proc } = launch(port, {
      env: { DOUBLE_PIDFILE: pidfile, DOUBLE_GRANDCHILD: '1', DOUBLE_GRANDCHILD_PIDFILE: grandchildPidfile },
    });
    await proc.waitFor(/^Startup time:/);
    const python = Number(readFileSync(pidfile, 'utf8'));
    const grandchild = Number(readFileSync(grandchildPidfile, 'utf8'));
    process.kill(proc.pid, 'SIGKILL');
    await proc.exited;
    expect([alive(python), alive(grandchild)]).toEqual([true, true]);
    expect(await new A1111Client(`http://127.0.0.1:${port}`).ping()).toBe(true);
    killGroup(proc.pid);
    await until(
      'the tree gone',
      async () => [alive(python), alive(grandchild)],
      (a) => !a[0] && !a[1],
      10_000,
    );
  });
});
