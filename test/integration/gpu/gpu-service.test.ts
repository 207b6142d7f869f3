/**
 * The GPU service with the real sampler against the nvidia-smi double, and the Ollama and A1111 doubles
 * really spawned (as servers already answering, the way test/integration/processes does): who holds the
 * VRAM, unloads that change the double's /api/ps with the freed VRAM measured through nvidia-smi (the
 * double's memory.used includes what the Ollama and A1111 doubles hold), nvidia-smi started and ended
 * by demand, and `dify-stack gpu --json` in-process and in a fresh process with the double on PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { JobManager } from '../../../electron/core/jobs';
import { GpuService } from '../../../electron/gpu/gpu-service';
import { ProcessService } from '../../../electron/processes/process-service';
import { killTree } from '../../../electron/processes/process-tree';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import type { SettingsView } from '../../../electron/settings/contract';
import { assembleServices } from '../../../electron/services';
import { settingsFilePath } from '../../../electron/settings/paths';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliInProcess, runCliProcess } from '../../helpers/cli-runner';
import { freePort } from '../../helpers/free-port';
import { useTempDir } from '../../helpers/use-temp-dir';

const DOUBLES = path.resolve(__dirname, '../../doubles');
const OLLAMA = path.join(DOUBLES, 'ollama', 'ollama');
const A1111_DIR = path.join(DOUBLES, 'a1111');
const NVIDIA_SMI_DIR = path.join(DOUBLES, 'nvidia-smi');
const NVIDIA_SMI = path.join(NVIDIA_SMI_DIR, 'nvidia-smi');
const MIB = 1024 * 1024;
const tempDir = useTempDir('gpu-service-');

const strays: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const child of strays.splice(0)) if (child.pid) await killTree(child.pid, {});
});

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Stack {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  ollamaUrl: string;
  a1111Url: string;
}

/** The Ollama double with gemma3:12b loaded, A1111's double with its checkpoint, and the env for nvidia-smi's. */
async function startDoubles(opts: { a1111?: boolean } = {}): Promise<Stack> {
  const ollamaHost = `127.0.0.1:${await freePort()}`;
  const a1111Port = await freePort();
  const settings: Settings = {
    ...SettingsSchema.parse({}),
    ollamaPath: OLLAMA,
    ollamaHost,
    a1111Dir: A1111_DIR,
    a1111Port,
    autoRestart: false,
    nvidiaSmiPath: NVIDIA_SMI,
  };
  const ollama = spawn(OLLAMA, ['serve'], {
    env: {
      ...process.env,
      OLLAMA_HOST: ollamaHost,
      OLLAMA_DOUBLE_LOADED: JSON.stringify(['gemma3:12b']),
      OLLAMA_DOUBLE_UNLOAD_MS: '300',
    },
    stdio: 'ignore',
  });
  strays.push(ollama);
  const ollamaUrl = `http://${ollamaHost}`;
  const a1111Url = `http://127.0.0.1:${a1111Port}`;
  await until(async () => (await fetch(`${ollamaUrl}/`).catch(() => null))?.ok === true);
  if (opts.a1111 !== false) {
    const a1111 = spawn(
      'bash',
      [path.join(A1111_DIR, 'webui.sh'), '-f', '--api', '--port', String(a1111Port)],
      {
        cwd: A1111_DIR,
        env: { ...process.env, A1111_DOUBLE_MODEL_MS: '100', A1111_DOUBLE_MOUNT_MS: '50' },
        stdio: 'ignore',
        detached: true,
      },
    );
    strays.push(a1111);
    // Ready with its checkpoint loaded: its memory shows the checkpoint's reserved VRAM.
    await until(async () => {
      const res = await fetch(`${a1111Url}/sdapi/v1/memory`).catch(() => null);
      const body = (await res?.json().catch(() => null)) as {
        cuda?: { reserved?: { current: number } };
      } | null;
      return (body?.cuda?.reserved?.current ?? 0) > 100 * MIB;
    });
  }
  const env = {
    ...process.env,
    NVSMI_DOUBLE_OLLAMA_URL: ollamaUrl,
    NVSMI_DOUBLE_A1111_URL: a1111Url,
  };
  return { settings, env, ollamaUrl, a1111Url };
}

/** ProcessService (for who runs) and GpuService over the same settings. */
async function services(stack: Stack) {
  const jobs = new JobManager();
  const snapshot = new AppSnapshotStore();
  const processes = new ProcessService({
    jobs,
    stack: new FakeStack(jobs),
    settings: () => stack.settings,
    snapshot: snapshot.part('processes'),
    dataDir: path.join(tempDir(), 'data'),
    program: 'app',
    env: stack.env,
    docker: () => {
      throw new Error('no engine in this test');
    },
  });
  const view = (): SettingsView => ({ settings: stack.settings, path: '', warning: null });
  const gpu = new GpuService({
    settings: { get: view, onChange: () => () => undefined },
    processes,
    snapshot: snapshot.part('gpu'),
    env: stack.env,
    facts: async () => ({ gpus: [], memoryTotal: null }),
  });
  cleanups.push(async () => {
    await gpu.dispose();
    await processes.dispose();
  });
  await processes.refresh();
  return { gpu, processes, snapshot };
}

const ps = async (url: string): Promise<{ name: string; size_vram: number }[]> =>
  ((await (await fetch(`${url}/api/ps`)).json()) as { models: { name: string; size_vram: number }[] }).models;

describe('GpuService with the nvidia-smi, Ollama and A1111 doubles', () => {
  it('attributes the VRAM, and an unload changes /api/ps and reports what the model held, measured', async () => {
    const stack = await startDoubles();
    const { gpu, snapshot } = await services(stack);
    const [loaded] = await ps(stack.ollamaUrl);
    expect(loaded?.name).toBe('gemma3:12b');
    const held = Math.round((loaded?.size_vram ?? 0) / MIB);

    const release = gpu.need('view');
    await vi.waitFor(
      () => {
        const summary = snapshot.get().gpu;
        expect(summary?.state).toBe('ok');
        expect(summary?.consumers.map((c) => [c.kind, c.name])).toEqual([
          ['ollama-model', 'gemma3:12b'],
          ['a1111', 'AUTOMATIC1111'],
          ['other', 'other'],
        ]);
      },
      { timeout: 15_000 },
    );
    const summary = snapshot.get().gpu;
    expect(summary?.consumers[0]).toMatchObject({ vram: held, spilled: expect.any(Number) });
    // A1111's own VRAM is cuda.reserved (the double's 2 904 555 520 bytes with a checkpoint), not cuda.system.
    expect(summary?.consumers[1]?.vram).toBe(Math.round(2_904_555_520 / MIB));
    const used = summary?.gpus[0]?.memoryUsed ?? 0;
    expect(used).toBeGreaterThan(held);

    const { freed } = await gpu.unloadOllama('gemma3:12b');
    expect(await ps(stack.ollamaUrl)).toEqual([]);
    expect(freed).toBeGreaterThan(0);
    // nvidia-smi reports whole MiB: what the model held, give or take the rounding.
    expect(Math.abs((freed ?? 0) - held)).toBeLessThanOrEqual(1);
    await vi.waitFor(
      () => expect(snapshot.get().gpu?.consumers.map((c) => c.kind)).toEqual(['a1111', 'other']),
      {
        timeout: 15_000,
      },
    );
    release();
  });

  it("A1111's checkpoint: unload frees its reserved VRAM, reload takes it again", async () => {
    const stack = await startDoubles();
    const { gpu } = await services(stack);
    const reserved = Math.round((2_904_555_520 - 16_777_216) / MIB);
    const unloaded = await gpu.unloadA1111();
    expect(Math.abs((unloaded.freed ?? 0) - reserved)).toBeLessThanOrEqual(1);
    const reloaded = await gpu.reloadA1111();
    expect(Math.abs((reloaded.freed ?? 0) + reserved)).toBeLessThanOrEqual(1);
  });

  it('runs one nvidia-smi at --loop-ms=5000 for the badge, 1000 for a view, and none when nobody needs it', async () => {
    const stack = await startDoubles({ a1111: false });
    const { gpu } = await services(stack);
    const ours = () => loopingDoubles(stack.ollamaUrl);
    expect(await ours()).toEqual([]);
    const badge = gpu.need('badge');
    await until(async () => (await ours()).join() === '5000');
    const view = gpu.need('view');
    await until(async () => (await ours()).join() === '1000');
    view();
    await until(async () => (await ours()).join() === '5000');
    badge();
    await until(async () => (await ours()).length === 0);
  });

  it('refuses to unload from an A1111 that does not run', async () => {
    const stack = await startDoubles({ a1111: false });
    const { gpu } = await services(stack);
    await expect(gpu.unloadA1111()).rejects.toMatchObject({ code: 'GPU_NOT_RUNNING' });
  });
});

describe('dify-stack gpu --json with the doubles', () => {
  it('in-process: the readings of the double and who holds the VRAM', async () => {
    const stack = await startDoubles({ a1111: false });
    const cwd = tempDir();
    const home = path.join(cwd, 'home');
    const env = { LANG: 'en_US.UTF-8', PATH: process.env.PATH ?? '', ...pick(stack.env) };
    const file = settingsFilePath({ platform: 'linux', env, homedir: home });
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      JSON.stringify({ nvidiaSmiPath: NVIDIA_SMI, ollamaHost: stack.settings.ollamaHost }),
    );
    const run = await runCliInProcess(['gpu', '--json'], {
      cwd,
      homedir: home,
      env,
      async createServices() {
        const settings = await SettingsStore.open(file);
        const jobs = new JobManager();
        const services = assembleServices(settings, jobs, new FakeStack(jobs));
        return services;
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.state).toBe('ok');
    expect(out.gpus[0]).toMatchObject({
      index: 0,
      memoryTotal: expect.any(Number),
      memoryUsed: expect.any(Number),
    });
    expect(out.consumers.map((c: { name: string }) => c.name)).toEqual(['gemma3:12b', 'other']);
  });

  it('a fresh process with the double on PATH (no setting): one object, exit 0', async () => {
    const stack = await startDoubles({ a1111: false });
    const home = tempDir();
    const run = await runCliProcess(['gpu', '--json'], {
      home,
      env: {
        PATH: `${NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
        OLLAMA_HOST: stack.settings.ollamaHost,
        ...pick(stack.env),
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ state: 'ok', error: null });
    expect(out.gpus.length).toBeGreaterThan(0);
    expect(out.consumers.map((c: { name: string }) => c.name)).toEqual(['gemma3:12b', 'other']);
  });
});

/**
 * The --loop-ms of every streaming nvidia-smi double started for this test, told apart from other tests'
 * by the Ollama URL in its environment (Linux /proc).
 */
async function loopingDoubles(ollamaUrl: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/environ`, 'utf8').catch(() => ''),
    ]);
    const args = cmdline.split('\0');
    const loop = args.find((a) => a.startsWith('--loop-ms='));
    if (!loop || !args.some((a) => a.includes('nvidia-smi'))) continue;
    if (!environ.split('\0').includes(`NVSMI_DOUBLE_OLLAMA_URL=${ollamaUrl}`)) continue;
    found.push(loop.slice('--loop-ms='.length));
  }
  return [...new Set(found)];
}

/** The nvidia-smi double's variables of `env`. */
function pick(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('NVSMI_DOUBLE_')));
}
