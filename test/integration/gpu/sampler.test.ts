/**
 * The GPU sampler (electron/gpu/gpu-sampler.ts) against the nvidia-smi double, really spawned: the
 * stream's ticks, a death mid-stream and the restart, the NVML mismatch, the per-sample fallback when
 * the stream stays silent, a new cadence, one run, the double's VRAM following the Ollama double's
 * unload, and no nvidia-smi left after stop(). Each test tags its doubles' environment, so the
 * processes it started are found in /proc and nothing else is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuFactsSchema, type GpuTick } from '../../../electron/gpu/contract';
import { readGpuFacts } from '../../../electron/gpu/gpu-facts';
import { GpuSampler, type SamplerOptions, type SamplerState } from '../../../electron/gpu/gpu-sampler';
import { locateNvidiaSmi } from '../../../electron/gpu/nvidia-smi-locate';
import { killTree } from '../../../electron/processes/process-tree';
import { freePort } from '../../helpers/free-port';

const DOUBLES = path.resolve(__dirname, '../../doubles');
const NVIDIA_SMI_DIR = path.join(DOUBLES, 'nvidia-smi');
const NVIDIA_SMI = path.join(NVIDIA_SMI_DIR, 'nvidia-smi');
const OLLAMA = path.join(DOUBLES, 'ollama', 'ollama');
const GIB = 1024 ** 3;

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Live (not zombie) processes whose environment carries this test's tag, with their arguments. */
function tagged(tag: string): { pid: number; args: string[] }[] {
  const found: { pid: number; args: string[] }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`NVSMI_TEST_TAG=${tag}`))
        continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({ pid: Number(name), args: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0') });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

interface Run {
  sampler: GpuSampler;
  ticks: GpuTick[];
  states: SamplerState[];
  tag: string;
}

function sampler(env: NodeJS.ProcessEnv, opts: Partial<SamplerOptions> = {}): Run {
  const tag = randomUUID();
  const ticks: GpuTick[] = [];
  const states: SamplerState[] = [];
  const s = new GpuSampler({
    command: NVIDIA_SMI,
    env: { ...process.env, ...env, NVSMI_TEST_TAG: tag },
    intervalMs: 200,
    onTick: (t) => ticks.push(t),
    onState: (st) => states.push(st),
    backoff: { baseMs: 100, maxMs: 400, slowMs: 300 },
    ...opts,
  });
  cleanups.push(async () => {
    await s.stop();
    for (const p of tagged(tag)) await killTree(p.pid, {});
  });
  return { sampler: s, ticks, states, tag };
}

describe('GpuSampler against the nvidia-smi double', () => {
  it('one streaming process: ticks with every GPU, bracketed values as null; stop leaves no process', async () => {
    const gpus = [
      { name: 'NVIDIA GeForce RTX 4070', total: 12282, used: 7850, util: 37, temp: 52 },
      {
        name: 'NVIDIA GeForce RTX 3060',
        total: 12288,
        used: '[N/A]',
        util: '[Not Supported]',
        temp: '[Unknown Error]',
      },
    ];
    const r = sampler({ NVSMI_DOUBLE_GPUS: JSON.stringify(gpus), NVSMI_DOUBLE_CRLF: '1' });
    r.sampler.start();
    await until(() => r.ticks.length >= 3, 'three ticks');
    expect(r.states[0]).toEqual({ state: 'starting', error: null, mode: 'stream' });
    expect(r.sampler.state()).toEqual({ state: 'ok', error: null, mode: 'stream' });
    expect(r.ticks[0]?.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4070',
        memoryTotal: 12282,
        memoryUsed: 7850,
        memoryFree: 4432,
        utilization: 37,
        temperature: 52,
      },
      {
        index: 1,
        name: 'NVIDIA GeForce RTX 3060',
        memoryTotal: 12288,
        memoryUsed: null,
        memoryFree: null,
        utilization: null,
        temperature: null,
      },
    ]);
    const procs = tagged(r.tag);
    expect(procs).toHaveLength(1);
    expect(procs[0]?.args).toContain('--loop-ms=200');
    await r.sampler.stop();
    expect(tagged(r.tag)).toEqual([]);
  });

  it('dying mid-stream → error state with its last line, then started again and ok', async () => {
    const r = sampler({ NVSMI_DOUBLE_DIE_AFTER: '2' });
    r.sampler.start();
    await until(() => r.states.some((s) => s.state === 'error'), 'the error state');
    const failed = r.states.find((s) => s.state === 'error');
    expect(failed?.error?.code).toBe('GPU_SAMPLER_FAILED');
    expect(failed?.error?.params).toEqual({
      code: '1',
      lastLine: 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
    });
    const seen = r.ticks.length;
    await until(() => r.ticks.length > seen && r.sampler.state().state === 'ok', 'ticks after the restart');
    expect(r.ticks.length).toBeGreaterThanOrEqual(3);
  });

  it('the driver/NVML mismatch is shown as such, with what to do', async () => {
    const r = sampler({ NVSMI_DOUBLE_MODE: 'mismatch' });
    r.sampler.start();
    await until(() => r.sampler.state().state === 'driver-mismatch', 'the mismatch state');
    const error = r.sampler.state().error;
    expect(error?.code).toBe('GPU_DRIVER_MISMATCH');
    expect(error?.params?.detail).toBe(
      'Failed to initialize NVML: Driver/library version mismatch; NVML library version: 570.86',
    );
    expect(error?.message).toContain('restart Windows');
    expect(r.ticks).toEqual([]);
  });

  it('no NVIDIA driver → no-gpu', async () => {
    const r = sampler({ NVSMI_DOUBLE_MODE: 'no-gpu' });
    await expect(r.sampler.sampleOnce()).rejects.toMatchObject({ code: 'GPU_NO_GPU' });
    r.sampler.start();
    await until(() => r.sampler.state().state === 'no-gpu', 'the no-gpu state');
  });

  it('a stream that never prints → one run per sample, and state().mode says so', async () => {
    const r = sampler({ NVSMI_DOUBLE_SILENT: '1' }, { firstLineTimeoutMs: 600 });
    r.sampler.start();
    await until(() => tagged(r.tag).length === 1, 'the silent stream');
    await until(() => r.ticks.length >= 1, 'a per-sample tick');
    expect(r.sampler.state()).toEqual({ state: 'ok', error: null, mode: 'per-sample' });
    expect(r.ticks[0]?.gpus[0]?.memoryTotal).toBe(12282);
    // The silent stream was ended; the next run comes 5 s later and ends by itself.
    await until(() => tagged(r.tag).length === 0, 'no process between runs');
  });

  it('setIntervalMs: the stream runs again with the new --loop-ms, still one process', async () => {
    const r = sampler({});
    r.sampler.start();
    await until(() => r.ticks.length >= 1, 'a tick');
    r.sampler.setIntervalMs(300);
    await until(() => {
      const procs = tagged(r.tag);
      return procs.length === 1 && (procs[0]?.args.includes('--loop-ms=300') ?? false);
    }, 'the restarted stream');
    const seen = r.ticks.length;
    await until(() => r.ticks.length > seen, 'a tick at the new cadence');
    expect(r.sampler.state().state).toBe('ok');
  });

  it('sampleOnce with nvidia-smi found on PATH (as the CLI runs it)', async () => {
    const env = { ...process.env, PATH: `${NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}` };
    const located = locateNvidiaSmi({ setting: '', platform: process.platform, env });
    expect(located.path).toBe(NVIDIA_SMI);
    const r = sampler(env, { command: located.path });
    const tick = await r.sampler.sampleOnce();
    expect(tick.gpus).toEqual([expect.objectContaining({ index: 0, memoryTotal: 12282, memoryUsed: 640 })]);
    expect(tagged(r.tag)).toEqual([]);
  });

  it("the double's memory.used follows the Ollama double: an unload shows as freed VRAM", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const ollama: ChildProcess = spawn(OLLAMA, ['serve'], {
      env: {
        ...process.env,
        OLLAMA_HOST: host,
        OLLAMA_DOUBLE_LOADED: JSON.stringify([{ name: 'gemma3:12b', size: 9 * GIB, size_vram: 8 * GIB }]),
        OLLAMA_DOUBLE_UNLOAD_MS: '100',
      },
      stdio: 'ignore',
    });
    cleanups.push(() => (ollama.pid ? killTree(ollama.pid, {}) : Promise.resolve()));
    const url = `http://${host}`;
    await until(async () => (await fetch(`${url}/`).catch(() => null))?.ok === true, 'the Ollama double');

    const r = sampler({ NVSMI_DOUBLE_OLLAMA_URL: url });
    r.sampler.start();
    const used = (): number | null | undefined => r.ticks.at(-1)?.gpus[0]?.memoryUsed;
    await until(() => used() === 640 + 8192, 'the model in VRAM');
    expect(r.ticks.at(-1)?.gpus[0]?.memoryFree).toBe(12282 - 640 - 8192);

    const res = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:12b', keep_alive: 0 }),
    });
    expect(res.ok).toBe(true);
    await until(() => used() === 640, 'the VRAM freed');
  });
});

describe('readGpuFacts', () => {
  it('reads once through systeminformation: the same answer for every caller, in the contract shape', async () => {
    const first = readGpuFacts();
    expect(readGpuFacts()).toBe(first);
    const facts = GpuFactsSchema.parse(await first);
    // This VM has no GPU for it to list, but it has RAM.
    expect(facts.memoryTotal).toBeGreaterThan(0);
  });
});
