/**
 * GpuSampler's logic (electron/gpu/gpu-sampler.ts) with a fake child process and fake timers: lines →
 * ticks, restart delays, the slow retry, the per-sample fallback, a new cadence, stop.
 * test/integration/gpu/sampler.test.ts runs it against the nvidia-smi double for real.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GpuTick } from '../../../electron/gpu/contract';
import { GpuSampler, type SamplerOptions, type SamplerState } from '../../../electron/gpu/gpu-sampler';

const line = (index: number, used: number | string = 640): string =>
  `${index}, NVIDIA GeForce RTX 4070, 12282, ${used}, ${typeof used === 'number' ? 12282 - used : '[N/A]'}, 3, 41\n`;

const MISMATCH = 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.86\n';

class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly pid: number | undefined = 4242;
  readonly signals: string[] = [];
  ended = false;

  constructor(
    readonly command: string,
    readonly args: string[],
    readonly options: SpawnOptions,
  ) {
    super();
  }

  get looping(): boolean {
    return this.args.some((a) => a.startsWith('--loop-ms='));
  }

  print(text: string): void {
    this.stdout.write(text);
  }

  /** Ends like a process: output first, then 'close'. */
  exit(code: number | null, signal: string | null = null, text = ''): void {
    if (this.ended) return;
    this.ended = true;
    if (text) this.stdout.write(text);
    this.stdout.end();
    this.stderr.end();
    void Promise.all([once(this.stdout, 'end'), once(this.stderr, 'end')]).then(() =>
      this.emit('close', code, signal),
    );
  }

  kill(signal = 'SIGTERM'): boolean {
    this.signals.push(signal);
    this.exit(null, signal);
    return true;
  }
}

interface Harness {
  sampler: GpuSampler;
  children: FakeChild[];
  ticks: GpuTick[];
  states: SamplerState[];
  last(): FakeChild;
}

let current: GpuSampler | null = null;

function harness(opts: Partial<SamplerOptions> = {}, onSpawn?: (c: FakeChild) => void): Harness {
  const children: FakeChild[] = [];
  const ticks: GpuTick[] = [];
  const states: SamplerState[] = [];
  const sampler = new GpuSampler({
    command: '/usr/bin/nvidia-smi',
    env: { PATH: '/usr/bin', DIFY_PASSWORD: 'secret' },
    intervalMs: 1000,
    onTick: (t) => ticks.push(t),
    onState: (s) => states.push(s),
    spawn: (command, args, options) => {
      const c = new FakeChild(command, args, options);
      children.push(c);
      onSpawn?.(c);
      // The fake has what the sampler uses of a ChildProcess: stdout/stderr, pid, kill, events.
      return c as unknown as ChildProcess;
    },
    ...opts,
  });
  current = sampler;
  return { sampler, children, ticks, states, last: () => children.at(-1) as FakeChild };
}

const advance = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
const lastState = (h: Harness): SamplerState | undefined => h.states.at(-1);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(async () => {
  await current?.stop();
  current = null;
  vi.useRealTimers();
});

describe('GpuSampler: the stream', () => {
  it('runs ONE nvidia-smi with --loop-ms, hidden, stdin ignored, without our secrets', async () => {
    const h = harness();
    h.sampler.start();
    expect(h.children).toHaveLength(1);
    const c = h.last();
    expect(c.args).toEqual([
      '--query-gpu=index,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu',
      '--format=csv,noheader,nounits',
      '--loop-ms=1000',
    ]);
    expect(c.options).toMatchObject({ windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(c.options.env).toEqual({ PATH: '/usr/bin' });
    expect(h.states).toEqual([{ state: 'starting', error: null, mode: 'stream' }]);
  });

  it('groups the lines of one loop into one tick: a lower index starts the next, a quiet gap ends it', async () => {
    const h = harness();
    h.sampler.start();
    const c = h.last();
    c.print(line(0, 1000) + line(1, 2000));
    await advance(10);
    expect(h.ticks).toHaveLength(0);
    c.print(line(0, 1100));
    await advance(10);
    expect(h.ticks).toHaveLength(1);
    expect(h.ticks[0]?.gpus.map((g) => g.memoryUsed)).toEqual([1000, 2000]);
    c.print(line(1, '[N/A]'));
    await advance(150);
    expect(h.ticks).toHaveLength(2);
    expect(h.ticks[1]?.gpus.map((g) => g.memoryUsed)).toEqual([1100, null]);
    expect(lastState(h)).toEqual({ state: 'ok', error: null, mode: 'stream' });
    // One GPU, two loops in one chunk (a pipe that flushed late): two ticks.
    c.print(line(0, 500) + line(0, 600));
    await advance(150);
    expect(h.ticks.slice(2).map((t) => t.gpus.map((g) => g.memoryUsed))).toEqual([[500], [600]]);
    expect(h.children).toHaveLength(1);
  });

  it('a line split across chunks, CRLF, and messages between readings', async () => {
    const h = harness();
    h.sampler.start();
    const c = h.last();
    const l = line(0).replace('\n', '\r\n');
    c.print(`some warning\r\n${l.slice(0, 10)}`);
    await advance(10);
    c.print(l.slice(10));
    await advance(150);
    expect(h.ticks.map((t) => t.gpus.length)).toEqual([1]);
    expect(h.ticks[0]?.gpus[0]?.name).toBe('NVIDIA GeForce RTX 4070');
  });
});

describe('GpuSampler: failures', () => {
  it('dying mid-stream → error state with its code and last line, restarted after 1 s, 2 s, 4 s … 30 s', async () => {
    const h = harness();
    h.sampler.start();
    h.last().print(line(0));
    await advance(150);
    h.last().exit(1, null, 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error\n');
    await advance(0);
    const s = lastState(h);
    expect(s?.state).toBe('error');
    expect(s?.error?.code).toBe('GPU_SAMPLER_FAILED');
    expect(s?.error?.params).toEqual({
      code: '1',
      lastLine: 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
    });

    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = h.children.length;
      let waited = 0;
      while (h.children.length === before) {
        await advance(250);
        waited += 250;
      }
      delays.push(waited);
      h.last().exit(1);
      await advance(0);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('back to ok with the first tick after a restart; a stream that ran long enough starts the delays again', async () => {
    const h = harness();
    h.sampler.start();
    h.last().exit(1);
    await advance(1000);
    h.last().exit(1);
    await advance(2000);
    expect(h.children).toHaveLength(3);
    h.last().print(line(0));
    await advance(150);
    expect(lastState(h)?.state).toBe('ok');
    for (let s = 0; s < 31; s++) {
      h.last().print(line(0));
      await advance(1000);
    }
    h.last().exit(1);
    await advance(999);
    expect(h.children).toHaveLength(3);
    await advance(1);
    expect(h.children).toHaveLength(4);
  });

  it('the driver/NVML mismatch is a state of its own, retried after 60 s, not sooner', async () => {
    const h = harness();
    h.sampler.start();
    h.last().exit(18, null, MISMATCH);
    await advance(0);
    expect(lastState(h)).toMatchObject({ state: 'driver-mismatch', mode: 'stream' });
    expect(lastState(h)?.error?.code).toBe('GPU_DRIVER_MISMATCH');
    expect(lastState(h)?.error?.params?.detail).toContain('NVML library version: 570.86');
    await advance(59_999);
    expect(h.children).toHaveLength(1);
    await advance(1);
    expect(h.children).toHaveLength(2);
    h.last().print(line(0));
    await advance(150);
    expect(lastState(h)).toEqual({ state: 'ok', error: null, mode: 'stream' });
  });

  it('no NVIDIA driver → no-gpu', async () => {
    const h = harness();
    h.sampler.start();
    h.last().exit(9, null, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n");
    await advance(0);
    expect(lastState(h)?.state).toBe('no-gpu');
    expect(lastState(h)?.error?.code).toBe('GPU_NO_GPU');
  });

  it('no command → not-found with where it looked, and nothing spawned', async () => {
    const h = harness({ command: null, looked: ['C:\\Windows\\System32\\nvidia-smi.exe', 'PATH'] });
    h.sampler.start();
    expect(h.children).toHaveLength(0);
    expect(lastState(h)?.state).toBe('not-found');
    expect(lastState(h)?.error?.params).toEqual({ looked: 'C:\\Windows\\System32\\nvidia-smi.exe, PATH' });
    await expect(h.sampler.sampleOnce()).rejects.toMatchObject({ code: 'GPU_NVIDIA_SMI_NOT_FOUND' });
  });

  it('the file gone (ENOENT) → not-found', async () => {
    const h = harness({}, (c) => {
      Object.assign(c, { pid: undefined });
      queueMicrotask(() => c.emit('error', Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' })));
    });
    h.sampler.start();
    await advance(0);
    expect(lastState(h)?.state).toBe('not-found');
  });
});

describe('GpuSampler: fallback, cadence, stop', () => {
  it('no reading within firstLineTimeoutMs → one run per sample, at least 5 s apart, and says so', async () => {
    const h = harness({}, (c) => {
      if (!c.looping) queueMicrotask(() => c.exit(0, null, line(0, 3000)));
    });
    h.sampler.start();
    const stream = h.last();
    await advance(5_999); // default: 1000 × 3 + 3000
    expect(h.children).toHaveLength(1);
    await advance(1);
    expect(stream.signals).toEqual(['SIGTERM']);
    expect(h.children[1]?.looping).toBe(false);
    expect(lastState(h)).toEqual({ state: 'ok', error: null, mode: 'per-sample' });
    expect(h.ticks.map((t) => t.gpus[0]?.memoryUsed)).toEqual([3000]);
    await advance(4_999);
    expect(h.children).toHaveLength(2);
    await advance(1);
    expect(h.children).toHaveLength(3);
    expect(h.ticks).toHaveLength(2);
  });

  it('readings that stop coming later restart the stream (it hung)', async () => {
    const h = harness({ firstLineTimeoutMs: 3000 });
    h.sampler.start();
    const first = h.last();
    first.print(line(0));
    await advance(3150);
    expect(first.signals).toEqual(['SIGTERM']);
    await advance(1000);
    expect(h.children).toHaveLength(2);
    expect(h.last().looping).toBe(true);
    expect(h.sampler.state().mode).toBe('stream');
  });

  it('setIntervalMs restarts the stream with the new --loop-ms at once', async () => {
    const h = harness();
    h.sampler.start();
    const first = h.last();
    first.print(line(0));
    await advance(150);
    h.sampler.setIntervalMs(5000);
    expect(first.signals).toEqual(['SIGTERM']);
    expect(h.last().args.at(-1)).toBe('--loop-ms=5000');
    await advance(0);
    expect(lastState(h)?.state).toBe('ok'); // our own kill is no failure
    h.sampler.setIntervalMs(5000);
    expect(h.children).toHaveLength(2);
  });

  it('stop ends every process it started and nothing follows', async () => {
    const h = harness();
    h.sampler.start();
    const once = h.sampler.sampleOnce();
    const [stream, single] = h.children as [FakeChild, FakeChild];
    stream.print(line(0));
    await h.sampler.stop();
    expect(stream.signals).toEqual(['SIGTERM']);
    expect(single.signals).toEqual(['SIGTERM']);
    await expect(once).rejects.toMatchObject({ code: 'GPU_SAMPLER_FAILED' });
    const seen = [h.ticks.length, h.states.length];
    await advance(120_000);
    expect([h.ticks.length, h.states.length]).toEqual(seen);
    expect(h.children).toHaveLength(2);
  });

  it('sampleOnce: one run without --loop-ms → one tick; a failure → its AppError', async () => {
    const h = harness({}, (c) => queueMicrotask(() => c.exit(0, null, line(0) + line(1))));
    const tick = await h.sampler.sampleOnce();
    expect(h.last().looping).toBe(false);
    expect(tick.gpus.map((g) => g.index)).toEqual([0, 1]);

    const bad = harness({}, (c) => queueMicrotask(() => c.exit(18, null, MISMATCH)));
    await expect(bad.sampler.sampleOnce()).rejects.toMatchObject({ code: 'GPU_DRIVER_MISMATCH' });
  });
});
