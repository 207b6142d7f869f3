/**
 * `dify-stack gpu` in-process: the JSON shape, the table in en/ja (offload warning included), the exit
 * codes when no reading can be had, and --watch ending with Ctrl+C — against a fake GPU capability
 * put into the services; and once through the command's own GpuService with a missing nvidia-smi.
 * test/integration/gpu/gpu-service.test.ts runs it against the nvidia-smi double.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { gpuJson, gpuTable } from '../../../electron/cli/cli-gpu';
import type { GpuSummary } from '../../../electron/core/contract';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import type { GpuApi, GpuNeed } from '../../../electron/gpu/api';
import { assembleServices } from '../../../electron/services';
import { settingsFilePath } from '../../../electron/settings/paths';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliInProcess } from '../../helpers/cli-runner';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('cli-gpu-');
let tmp: string;
beforeEach(() => {
  tmp = tempDir();
});

const GIB_MIB = 1024;

const OK: GpuSummary = {
  state: 'ok',
  error: null,
  gpus: [
    {
      index: 0,
      name: 'NVIDIA GeForce RTX 4070',
      memoryTotal: 12282,
      memoryUsed: 11700,
      memoryFree: 582,
      utilization: 37,
      temperature: 52,
    },
    {
      index: 1,
      name: 'NVIDIA GeForce GTX 1650',
      memoryTotal: 4096,
      memoryUsed: null,
      memoryFree: null,
      utilization: null,
      temperature: 40,
    },
  ],
  consumers: [
    { kind: 'ollama-model', name: 'gpt-oss:20b', vram: 8 * GIB_MIB, spilled: 3 * GIB_MIB },
    { kind: 'a1111', name: 'AUTOMATIC1111', vram: 2770, spilled: null },
    { kind: 'other', name: 'other', vram: 738, spilled: null },
  ],
  alert: false,
  at: 1_700_000_000_000,
};

const GPU_KEYS = ['index', 'name', 'memoryTotal', 'memoryUsed', 'memoryFree', 'utilization', 'temperature'];

const NOT_FOUND: GpuSummary = {
  state: 'not-found',
  error: new AppError('GPU_NVIDIA_SMI_NOT_FOUND', { params: { looked: 'PATH' } }).toInfo(),
  gpus: [],
  consumers: [],
  alert: false,
  at: null,
};

/** A GPU capability that answers `once`, and while a view needs readings sends `ticks` one by one. */
function fakeGpu(
  once: GpuSummary,
  ticks: GpuSummary[] = [],
  afterTicks?: () => void,
): GpuApi & { needs: GpuNeed[] } {
  const listeners = new Set<(s: GpuSummary) => void>();
  const needs: GpuNeed[] = [];
  return {
    needs,
    summary: () => once,
    need(kind) {
      needs.push(kind);
      let i = 0;
      const timer = setInterval(() => {
        const next = ticks[i++];
        if (!next) {
          clearInterval(timer);
          afterTicks?.();
          return;
        }
        for (const l of listeners) l(next);
      }, 5);
      return () => clearInterval(timer);
    },
    onSummary(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    samplesSource: () => () => undefined,
    facts: async () => ({ gpus: [], memoryTotal: 32 * 1024 ** 3 }),
    readOnce: async () => once,
    unloadOllama: async () => ({ freed: null }),
    unloadA1111: async () => ({ freed: null }),
    reloadA1111: async () => ({ freed: null }),
    dispose: async () => undefined,
  };
}

async function gpuCli(
  argv: string[],
  gpu: GpuApi | null,
  options: {
    lang?: string;
    settings?: Record<string, unknown>;
    onInterruptReady?: (fire: () => void) => void;
  } = {},
) {
  const home = path.join(tmp, 'home');
  const env = { LANG: options.lang ?? 'en_US.UTF-8' };
  const file = settingsFilePath({ platform: 'linux', env, homedir: home });
  if (options.settings) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(options.settings));
  }
  const run = await runCliInProcess(argv, {
    cwd: tmp,
    env,
    onInterrupt(handler) {
      options.onInterruptReady?.(handler);
      return () => undefined;
    },
    async createServices() {
      const settings = await SettingsStore.open(file);
      const jobs = new JobManager();
      const services = assembleServices(settings, jobs, new FakeStack(jobs));
      // Ollama and A1111 are not looked at here: the fake GPU capability says who holds what.
      services.processes.refresh = async () => undefined;
      return gpu ? Object.assign(services, { gpu }) : services;
    },
  });
  return run;
}

describe('dify-stack gpu --json', () => {
  it('prints one object: each GPU in MiB (null unknown), who holds GPU 0, the state', async () => {
    const run = await gpuCli(['gpu', '--json'], fakeGpu(OK));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    // Exactly the documented keys, unknowns as null (scripts depend on the shape).
    expect(out.gpus.map((g: object) => Object.keys(g))).toEqual([GPU_KEYS, GPU_KEYS]);
    expect(out).toEqual({
      gpus: OK.gpus,
      consumers: OK.consumers,
      state: 'ok',
      error: null,
      at: 1_700_000_000_000,
    });
  });

  it('nvidia-smi not found: the object says so, the reason goes to stderr, exit 5', async () => {
    const run = await gpuCli(['gpu', '--json'], fakeGpu(NOT_FOUND));
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({
      state: 'not-found',
      gpus: [],
      error: { code: 'GPU_NVIDIA_SMI_NOT_FOUND' },
    });
    expect(run.stderr).toContain('Error: nvidia-smi was not found (looked in: PATH)');
  });

  it.each([
    ['GPU_DRIVER_MISMATCH', 'driver-mismatch', 5],
    ['GPU_NO_GPU', 'no-gpu', 5],
    ['GPU_SAMPLER_FAILED', 'error', 1],
  ] as const)('%s → exit %s', async (code, state, exit) => {
    const error = new AppError(code, { params: { detail: 'x', code: '9', lastLine: 'boom' } }).toInfo();
    const run = await gpuCli(['gpu', '--json'], fakeGpu({ ...NOT_FOUND, state, error }));
    expect(run.code).toBe(exit);
    expect(JSON.parse(run.stdout).error.code).toBe(code);
    expect(run.stderr).toMatch(/^Error: /);
  });

  it("the services' own GPU service: a missing nvidia-smi is reported as such", async () => {
    const missing = path.join(tmp, 'no', 'nvidia-smi');
    const run = await gpuCli(['gpu', '--json'], null, { settings: { nvidiaSmiPath: missing } });
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'not-found', gpus: [] });
    expect(run.stderr).toContain(missing);
  });
});

describe('dify-stack gpu (table)', () => {
  it('English: name, used/total GB, load, temperature, then who holds GPU 0 and the offload warning', async () => {
    const run = await gpuCli(['gpu'], fakeGpu(OK));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'GPU                         VRAM            Load  Temp',
        '0: NVIDIA GeForce RTX 4070  11.4 / 12.0 GB  37 %  52 °C',
        '1: NVIDIA GeForce GTX 1650  - / 4.0 GB      -     40 °C',
        '',
        'Held by (GPU 0)                                 VRAM    In system RAM',
        'gpt-oss:20b                                     8.0 GB  3.0 GB',
        'AUTOMATIC1111                                   2.7 GB',
        'other (desktop, other programs, CUDA contexts)  0.7 GB',
        '',
        'Warning: gpt-oss:20b: 3.0 GB did not fit in VRAM and sits in system RAM (32.0 GB in all). Partly on CPU: slow.',
        '',
      ].join('\n'),
    );
  });

  it('Japanese', async () => {
    const run = await gpuCli(['gpu'], fakeGpu(OK), { lang: 'ja_JP.UTF-8' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('使用率');
    expect(run.stdout).toContain('VRAM の使用元（GPU 0）');
    expect(run.stdout).toContain('その他（デスクトップ、ほかのプログラム、CUDA コンテキスト）');
    expect(run.stdout).toContain('メインメモリ（全 32.0 GB）に載っています');
  });

  it('says when neither Ollama nor A1111 holds VRAM', () => {
    const text = gpuTable(
      { ...OK, consumers: [{ kind: 'other', name: 'other', vram: 900, spilled: null }] },
      'en',
      null,
    );
    expect(text).toContain('Neither Ollama nor AUTOMATIC1111 holds VRAM now.');
    expect(text).not.toContain('In system RAM');
  });

  it('not found: no table, the reason on stderr, exit 5', async () => {
    const run = await gpuCli(['gpu'], fakeGpu(NOT_FOUND));
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('nvidia-smi was not found');
  });
});

describe('dify-stack gpu --watch', () => {
  const tick = (at: number, used: number): GpuSummary => ({
    ...OK,
    at,
    gpus: [{ ...(OK.gpus[0] as GpuSummary['gpus'][number]), memoryUsed: used }],
  });

  it('not found: the reason, exit 5, without waiting for Ctrl+C', async () => {
    const run = await gpuCli(['gpu', '--watch'], fakeGpu(OK, [NOT_FOUND]));
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('nvidia-smi was not found');
  });

  it('monitoring off in services that follow the setting: says so, exit 5, without waiting for Ctrl+C', async () => {
    const run = await gpuCli(['gpu', '--watch'], fakeGpu({ ...NOT_FOUND, state: 'off', error: null }));
    expect(run.code).toBe(5);
    expect(run.stderr).toBe(
      'Error: GPU monitoring is off in the settings: turn it on under Settings → GPU monitor to watch the GPU.\n',
    );
  });

  it('--json: one object per reading from the streaming sampler (a view need) until Ctrl+C, exit 0', async () => {
    let ctrlC: () => void = () => undefined;
    // After the last reading, the user presses Ctrl+C.
    const gpu = fakeGpu(OK, [tick(1, 5000), tick(1, 5000), tick(2, 6000), tick(3, 6000)], () => ctrlC());
    const run = await gpuCli(['gpu', '--watch', '--json'], gpu, {
      onInterruptReady: (fire) => (ctrlC = fire),
    });
    expect(gpu.needs).toEqual(['view']);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReturnType<typeof gpuJson>);
    // A summary that repeats a reading (same time: a consumers poll) is not a new line.
    expect(lines.map((l) => [l.at, l.gpus[0]?.memoryUsed])).toEqual([
      [1, 5000],
      [2, 6000],
      [3, 6000],
    ]);
    expect(run.code).toBe(0);
  });
});
