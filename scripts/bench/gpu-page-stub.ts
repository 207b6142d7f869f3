/**
 * The GPU page without main: a stand-in for the preload bridge, put into the page as an init script,
 * that answers the window's first load from a fixture, sends the `gpu-samples` backlog to a
 * subscription, and lets Node push each further tick (with the matching `status` event, as the GPU
 * service writes the snapshot on every sample). The gpu-render bench drives the page with it; nothing
 * here runs in the app.
 */
import type { AppInfo, GpuReading, GpuSummary, SettingsView, StatusSnapshot } from '../../electron/contract';
import type { GpuTick } from '../../electron/gpu/contract';
import { SettingsSchema } from '../../electron/settings/schema';
import { bridgeObjectScript, stubPreludeScript } from './stub-page';

export interface GpuPageFixture {
  appInfo: AppInfo;
  settingsView: SettingsView;
  snapshot: StatusSnapshot;
  /** What a new `gpu-samples` subscription gets first. */
  backlog: GpuTick[];
  /** What each unload/reload answers (MiB freed). */
  freed: number | null;
}

/** The page-side names; not part of the app. */
const DRIVER = '__gpuPageStub';

const RTX_4070_MIB = 12282;

/** A 4070 whose VRAM and load move like a chat model answering now and then (deterministic). */
export function syntheticTick(at: number): GpuTick {
  const s = Math.floor(at / 1000);
  const wave = (Math.sin(s / 23) + 1) / 2;
  const used = Math.round(6200 + 4200 * wave + (s % 7) * 40);
  const reading: GpuReading = {
    index: 0,
    name: 'NVIDIA GeForce RTX 4070',
    memoryTotal: RTX_4070_MIB,
    memoryUsed: used,
    memoryFree: RTX_4070_MIB - used,
    utilization: s % 47 < 9 ? 85 + (s % 5) * 3 : 3 + (s % 3),
    temperature: 48 + Math.round(12 * wave),
  };
  return { at, gpus: [reading] };
}

export function gpuSummaryOf(tick: GpuTick, over: Partial<GpuSummary> = {}): GpuSummary {
  const used = tick.gpus[0]?.memoryUsed ?? 0;
  // gpt-oss:20b needs ~13 GB: most of it spilled to system RAM beside a small model and an SD checkpoint.
  const consumers: GpuSummary['consumers'] = [
    { kind: 'ollama-model', name: 'gpt-oss:20b', vram: 3600, spilled: 9400 },
    { kind: 'ollama-model', name: 'llama3.2:3b', vram: 1500, spilled: 0 },
    { kind: 'a1111', name: 'AUTOMATIC1111', vram: 700, spilled: null },
  ];
  const known = consumers.reduce((sum, c) => sum + (c.vram ?? 0), 0);
  return {
    state: 'ok',
    error: null,
    gpus: tick.gpus,
    consumers: [
      ...consumers,
      { kind: 'other', name: 'other', vram: Math.max(0, used - known), spilled: null },
    ],
    alert: false,
    at: tick.at,
    ...over,
  };
}

function components(): StatusSnapshot['components'] {
  const process = {
    owner: 'app' as const,
    pid: 4242,
    startable: true,
    restarts: 0,
    lastExitCode: null,
    lastLines: [],
    logFile: null,
  };
  return [
    { id: 'docker', state: 'running', detail: 'Docker Engine', reason: null, error: null },
    {
      id: 'ollama',
      state: 'running',
      detail: 'Ollama 0.33.0',
      reason: null,
      error: null,
      process,
      ollama: { url: 'http://127.0.0.1:11434', version: '0.33.0', models: [], loaded: [] },
    },
    {
      id: 'a1111',
      state: 'running',
      detail: 'ready',
      reason: null,
      error: null,
      process: { ...process, pid: 4343 },
      a1111: {
        url: 'http://127.0.0.1:7860',
        phase: 'ready',
        phaseLine: null,
        api: true,
        checkpoint: 'sd_xl_base_1.0.safetensors',
        progress: null,
      },
    },
    { id: 'dify', state: 'stopped', detail: 'stopped', reason: null, error: null, services: [] },
  ];
}

/** Ten minutes of ticks, one a second, up to `now`; the page as the app shows it then. */
export function gpuPageFixture(
  options: { now?: number; lang?: 'en' | 'ja'; summary?: Partial<GpuSummary>; freed?: number | null } = {},
): GpuPageFixture {
  const now = options.now ?? Date.now();
  const backlog = Array.from({ length: 600 }, (_, i) => syntheticTick(now - (599 - i) * 1000));
  const last = backlog[backlog.length - 1] as GpuTick;
  return {
    appInfo: { version: 'bench', platform: 'win32', systemLocale: options.lang === 'ja' ? 'ja-JP' : 'en-US' },
    settingsView: {
      settings: SettingsSchema.parse({ language: options.lang ?? 'en' }),
      path: 'C:\\Users\\me\\AppData\\Roaming\\dify-stack-tray\\settings.json',
      warning: null,
    },
    snapshot: {
      components: components(),
      project: null,
      plugins: { folders: [] },
      gpu: gpuSummaryOf(last, options.summary),
      logs: null,
      updatedAt: now,
    },
    backlog,
    freed: options.freed === undefined ? 5325 : options.freed,
  };
}

/**
 * The init script: the bridge (`invoke`, `on`) over the fixture, and `window.__gpuPageStub` for Node:
 * `push(tick, snapshot)` delivers a tick and its status event, `settle()` resolves once the page has
 * rendered a frame after whatever is pending (two animation frames, then a task after the second).
 * A string, not a function: the page gets exactly this code, nothing a transpiler added.
 */
export function stubBridgeScript(bridgeKey: string, fixture: GpuPageFixture): string {
  return `(() => {
    ${stubPreludeScript(fixture)}
    const streams = new Set();
    let next = 0;
    const answers = {
      'app:info': () => fx.appInfo,
      'settings:get': () => fx.settingsView,
      'status:get': () => fx.snapshot,
      'jobs:list': () => [],
      'subscriptions:subscribe': (input) => {
        const id = 'stub-' + ++next;
        if (input.topic === 'gpu-samples') {
          streams.add(id);
          setTimeout(() => emit('subscription', { id, items: fx.backlog, dropped: 0, ended: false }), 0);
        }
        return { id };
      },
      'subscriptions:unsubscribe': (input) => ({ closed: streams.delete(input.id) }),
      'gpu:unloadOllama': () => ({ freed: fx.freed }),
      'gpu:unloadA1111': () => ({ freed: fx.freed }),
      'gpu:reloadA1111': () => ({ freed: fx.freed === null ? null : -fx.freed }),
    };
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const afterTask = () => new Promise((resolve) => setTimeout(resolve, 0));
    window.${DRIVER} = {
      push(tick, snapshot) {
        fx.backlog.push(tick);
        fx.snapshot = snapshot;
        for (const id of streams) emit('subscription', { id, items: [tick], dropped: 0, ended: false });
        emit('status', snapshot);
        return this.settle();
      },
      async settle() {
        await frame();
        await frame();
        await afterTask();
      },
    };
    ${bridgeObjectScript(bridgeKey, 'GPU page stub')}
  })();`;
}

/** Page-side expressions for Node's `page.evaluate`. */
export const stubDriver = {
  push: (tick: GpuTick, snapshot: StatusSnapshot): string =>
    `window.${DRIVER}.push(${JSON.stringify(tick)}, ${JSON.stringify(snapshot)})`,
  settle: (): string => `window.${DRIVER}.settle()`,
};
