import { describe, expect, it } from 'vitest';
import type { GpuSummary, StatusSnapshot } from '../../../electron/contract';
import { AppError } from '../../../electron/core/errors';
import {
  buildTrayMenu,
  TRAY_BADGES,
  TRAY_ICON_STATES,
  trayBadge,
  trayIconFile,
  trayTooltip,
  vramLines,
} from '../../../electron/tray';
import { a1111, allRunning, byId, dify, docker, labels, ollama, setup, snap } from './tray-fixtures';
import { rtx4070 } from '../../helpers/gpu-readings';

const gpu = (over: Partial<GpuSummary> = {}): GpuSummary => ({
  state: 'ok',
  error: null,
  gpus: [rtx4070()],
  consumers: [
    { kind: 'ollama-model', name: 'gpt-oss:20b', vram: 5200, spilled: 0 },
    { kind: 'other', name: 'other', vram: 2650, spilled: null },
  ],
  alert: false,
  at: 1,
  ...over,
});

const withGpu = (summary: GpuSummary | null): StatusSnapshot => ({ ...allRunning, gpu: summary });

describe('the VRAM line', () => {
  it('reads `VRAM 7.7 / 12.0 GB` (1024-based, one decimal) in both languages', () => {
    expect(vramLines('en', gpu())).toEqual(['VRAM 7.7 / 12.0 GB']);
    expect(vramLines('ja', gpu({ gpus: [rtx4070({ memoryUsed: 8000 })] }))).toEqual(['VRAM 7.8 / 12.0 GB']);
  });

  it('keeps an unknown figure unknown, and is hidden without a reading', () => {
    expect(vramLines('en', gpu({ gpus: [rtx4070({ memoryUsed: null })] }))).toEqual(['VRAM — / 12.0 GB']);
    expect(vramLines('en', gpu({ gpus: [rtx4070({ memoryUsed: null, memoryTotal: null })] }))).toEqual([]);
    expect(vramLines('en', null)).toEqual([]);
    expect(vramLines('en', gpu({ gpus: [] }))).toEqual([]);
    for (const state of ['off', 'starting', 'not-found', 'no-gpu', 'driver-mismatch', 'error'] as const) {
      const error = state === 'no-gpu' ? new AppError('GPU_NO_GPU').toInfo() : null;
      expect(vramLines('en', gpu({ state, error, gpus: [rtx4070()] }))).toEqual([]);
    }
  });

  it('names each GPU when there are several', () => {
    const two = gpu({
      gpus: [rtx4070(), rtx4070({ index: 1, name: 'RTX 3060', memoryTotal: 12288, memoryUsed: 512 })],
    });
    expect(vramLines('en', two)).toEqual(['GPU 0 VRAM 7.7 / 12.0 GB', 'GPU 1 VRAM 0.5 / 12.0 GB']);
  });

  it('says "nearly full" while the alert is on', () => {
    expect(vramLines('en', gpu({ alert: true }))).toEqual(['VRAM 7.7 / 12.0 GB — nearly full']);
    expect(vramLines('ja', gpu({ alert: true }))).toEqual(['VRAM 7.7 / 12.0 GB — 残りわずか']);
  });

  it('sits after the components in the menu, as information, with the unload item while Ollama holds models', () => {
    const items = buildTrayMenu(withGpu(gpu()), { lang: 'en', busy: false });
    const ids = items.map((i) => i.id ?? i.type);
    expect(ids.slice(ids.indexOf('component:dify'))).toEqual([
      'component:dify',
      'separator',
      'vram:0',
      'gpu:unloadModels',
      'separator',
      'plugins',
      'separator',
      'openDify',
      'openDashboard',
      'logs:pluginDaemon',
      'separator',
      'quit',
    ]);
    expect(byId(items, 'vram:0')).toEqual({ id: 'vram:0', label: 'VRAM 7.7 / 12.0 GB', enabled: false });
    expect(byId(items, 'gpu:unloadModels')?.label).toBe('Unload Ollama models');
  });

  it('offers no unload when no Ollama model holds VRAM, and shows nothing without a reading', () => {
    const noModels = buildTrayMenu(withGpu(gpu({ consumers: [] })), { lang: 'en', busy: false });
    expect(byId(noModels, 'vram:0')).toBeDefined();
    expect(byId(noModels, 'gpu:unloadModels')).toBeUndefined();
    const off = buildTrayMenu(withGpu(gpu({ state: 'off', gpus: [] })), { lang: 'en', busy: false });
    expect(off.filter((i) => i.id?.startsWith('vram') || i.id === 'gpu:unloadModels')).toEqual([]);
    expect(buildTrayMenu(withGpu(null), { lang: 'en', busy: false })).toEqual(
      buildTrayMenu(allRunning, { lang: 'en', busy: false }),
    );
  });

  it('comes second in the tooltip, where the 127-character cut cannot reach it', () => {
    expect(trayTooltip(withGpu(gpu()), { lang: 'en', busy: false })).toBe(
      'Dify Stack Tray — All running\nVRAM 7.7 / 12.0 GB\nDify: Running (11/11)',
    );
    const crowded = {
      ...snap(
        docker(),
        dify(),
        ollama({ state: 'error', error: new AppError('DOCKER_NOT_RUNNING').toInfo() }),
        a1111(),
      ),
      gpu: gpu({ alert: true }),
    };
    const text = trayTooltip(crowded, { lang: 'ja', busy: false });
    expect(text.length).toBeLessThanOrEqual(127);
    expect(text.split('\n')[1]).toBe('VRAM 7.7 / 12.0 GB — 残りわずか');
  });

  it('translates every VRAM label in both languages (no raw keys)', () => {
    for (const lang of ['ja', 'en'] as const) {
      const items = buildTrayMenu(withGpu(gpu({ alert: true })), { lang, busy: false });
      for (const label of labels(items)) expect(label).not.toMatch(/\btray\.[a-zA-Z]/);
    }
  });
});

describe('the VRAM badge', () => {
  it('is on exactly while the alert is', () => {
    expect(trayBadge(withGpu(gpu({ alert: true })))).toBe('vram');
    expect(trayBadge(withGpu(gpu()))).toBeNull();
    expect(trayBadge(withGpu(null))).toBeNull();
  });

  it('has a badged icon file per state', () => {
    expect(trayIconFile('/r', 'running', 'vram')).toBe('/r/tray-running-vram.png');
    expect(trayIconFile('/r', 'running', null)).toBe('/r/tray-running.png');
    expect(TRAY_ICON_STATES.flatMap((s) => TRAY_BADGES.map((b) => trayIconFile('/r', s, b)))).toHaveLength(
      15,
    );
  });
});

describe('TrayController and VRAM', () => {
  it('badges the icon while the alert is on and follows the reading in the tooltip and menu', async () => {
    const { tray, stack, gpuPart } = setup();
    await stack.emit(allRunning);
    await gpuPart.emit(gpu());
    expect(tray.images.at(-1)).toBe('icon:running');
    expect(tray.tooltips.at(-1)?.split('\n')[1]).toBe('VRAM 7.7 / 12.0 GB');
    await gpuPart.emit(gpu({ alert: true, gpus: [rtx4070({ memoryUsed: 11700 })] }));
    expect(tray.images.at(-1)).toBe('icon:running+vram');
    expect(byId(tray.menus.at(-1)?.template ?? [], 'vram:0')?.label).toBe('VRAM 11.4 / 12.0 GB — 残りわずか');
    await gpuPart.emit(gpu());
    expect(tray.images.at(-1)).toBe('icon:running');
  });

  it('does not rebuild the menu for readings that round to the same line', async () => {
    const { tray, stack, gpuPart } = setup();
    await stack.emit(allRunning);
    await gpuPart.emit(gpu());
    const menus = tray.menus.length;
    for (let used = 7850; used < 7880; used += 5)
      await gpuPart.emit(gpu({ gpus: [rtx4070({ memoryUsed: used })], at: used }));
    expect(tray.menus.length).toBe(menus);
  });

  it('leaves the unload item disabled when the GPU actions are not wired', async () => {
    const unwired = setup({ gpu: false });
    await unwired.gpuPart.emit(gpu({ alert: true }));
    const item = byId(unwired.tray.menus.at(-1)?.template ?? [], 'gpu:unloadModels');
    expect(item?.enabled).toBe(false);
  });

  it('unloads the models from the menu item', async () => {
    const { tray, gpuPart, gpuCalls } = setup();
    await gpuPart.emit(gpu());
    const item = tray.menus.at(-1)?.template.find((i) => i.id === 'gpu:unloadModels');
    item?.click?.();
    expect(gpuCalls).toEqual(['unloadModels']);
  });
});
