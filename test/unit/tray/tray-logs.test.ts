/**
 * The tray's side of the log viewer: "Plugin daemon logs" (with the count of errors not yet looked
 * at), the quiet error badge on the icon beside the VRAM badge, and the request the item opens.
 */
import { describe, expect, it } from 'vitest';
import type { GpuSummary, LogsSummary, StatusSnapshot } from '../../../electron/contract';
import {
  buildTrayMenu,
  pluginDaemonLogsRequest,
  trayBadge,
  trayIconFile,
  trayTooltip,
} from '../../../electron/tray';
import { rtx4070 } from '../../helpers/gpu-readings';
import { allRunning, byId, dockerDown, setup } from './tray-fixtures';

const LAST_TEXT =
  '2026-12-03T06:45:05Z ERROR dify-plugin-daemon logger.go:24 local runtime start failed plugin=acme/broken:0.0.1@fixture';
const logs = (errors: number, over: Partial<LogsSummary> = {}): LogsSummary => ({
  watching: true,
  errors,
  last: errors > 0 ? { service: 'plugin_daemon', at: 1_796_280_305_123, text: LAST_TEXT } : null,
  ...over,
});
const alertGpu: GpuSummary = {
  state: 'ok',
  error: null,
  gpus: [rtx4070({ memoryUsed: 11700 })],
  consumers: [],
  alert: true,
  at: 1,
};
const withLogs = (summary: LogsSummary | null, base: StatusSnapshot = allRunning): StatusSnapshot => ({
  ...base,
  logs: summary,
});

describe('"Plugin daemon logs"', () => {
  it('is offered with the window items while the project has a plugin daemon', () => {
    const items = buildTrayMenu(withLogs(logs(0)), { lang: 'en', busy: false });
    expect(byId(items, 'logs:pluginDaemon')).toEqual({
      id: 'logs:pluginDaemon',
      label: 'Plugin daemon logs',
    });
    const ja = buildTrayMenu(withLogs(null), { lang: 'ja', busy: false });
    expect(byId(ja, 'logs:pluginDaemon')?.label).toBe('プラグインデーモンのログ');
  });

  it('counts the errors not yet looked at, in both languages', () => {
    const label = (n: number, lang: 'en' | 'ja') =>
      byId(buildTrayMenu(withLogs(logs(n)), { lang, busy: false }), 'logs:pluginDaemon')?.label;
    expect(label(3, 'en')).toBe('Plugin daemon logs (3 errors)');
    expect(label(1, 'en')).toBe('Plugin daemon logs (1 error)');
    expect(label(3, 'ja')).toBe('プラグインデーモンのログ（エラー 3 件）');
  });

  it('is not offered without a plugin daemon — unless it left errors to see', () => {
    expect(
      byId(buildTrayMenu(withLogs(null, dockerDown), { lang: 'en', busy: false }), 'logs:pluginDaemon'),
    ).toBe(undefined);
    const errors = buildTrayMenu(withLogs(logs(2), dockerDown), { lang: 'en', busy: false });
    expect(byId(errors, 'logs:pluginDaemon')?.label).toBe('Plugin daemon logs (2 errors)');
  });

  it('opens the daemon’s log, at its last error while there are errors to see', () => {
    expect(pluginDaemonLogsRequest(withLogs(logs(0)))).toEqual({
      sources: [{ kind: 'service', service: 'plugin_daemon' }],
      at: null,
    });
    expect(pluginDaemonLogsRequest(withLogs(logs(2)))).toEqual({
      sources: [{ kind: 'service', service: 'plugin_daemon' }],
      at: { key: 'service:plugin_daemon', at: 1_796_280_305_123, text: LAST_TEXT },
    });
    // Acknowledged errors keep their last line in the snapshot, but the item no longer points at it.
    expect(pluginDaemonLogsRequest(withLogs(logs(0, { last: logs(1).last }))).at).toBeNull();
  });
});

describe('the error badge', () => {
  it('marks the icon while there are errors, in its own corner: a VRAM alert and errors show both', () => {
    expect(trayBadge(withLogs(logs(0)))).toBeNull();
    expect(trayBadge(withLogs(logs(1)))).toBe('logs');
    expect(trayBadge({ ...withLogs(logs(0)), gpu: alertGpu })).toBe('vram');
    expect(trayBadge({ ...withLogs(logs(4)), gpu: alertGpu })).toBe('vram-logs');
    expect(trayIconFile('/r', 'error', 'vram-logs')).toBe('/r/tray-error-vram-logs.png');
  });

  it('is explained in the tooltip, right after the summary', () => {
    expect(trayTooltip(withLogs(logs(3)), { lang: 'en', busy: false }).split('\n')[1]).toBe(
      'Plugin daemon: 3 new errors',
    );
    expect(trayTooltip(withLogs(logs(1)), { lang: 'ja', busy: false }).split('\n')[1]).toBe(
      'プラグインデーモン: 新しいエラー 1 件',
    );
    expect(trayTooltip(withLogs(logs(0)), { lang: 'en', busy: false })).not.toMatch(/Plugin daemon/);
  });
});

describe('TrayController and the log viewer', () => {
  it('badges the icon with the errors and opens the viewer at the error current at the click', async () => {
    const { tray, stack, logsPart, logsOpened } = setup();
    await stack.emit(allRunning);
    await logsPart.emit(logs(0));
    expect(tray.images.at(-1)).toBe('icon:running');
    await logsPart.emit(logs(1));
    expect(tray.images.at(-1)).toBe('icon:running+logs');
    const item = tray.menus.at(-1)?.template.find((i) => i.id === 'logs:pluginDaemon');
    expect(item?.label).toBe('プラグインデーモンのログ（エラー 1 件）');

    // A newer error after the menu was built: the click goes to that one.
    const newer = { service: 'plugin_daemon', at: 1_796_280_400_000, text: 'newer' };
    await logsPart.emit(logs(2, { last: newer }));
    item?.click?.();
    expect(logsOpened).toEqual([
      {
        sources: [{ kind: 'service', service: 'plugin_daemon' }],
        at: { key: 'service:plugin_daemon', at: newer.at, text: newer.text },
      },
    ]);

    await logsPart.emit(logs(0, { last: newer }));
    expect(tray.images.at(-1)).toBe('icon:running');
  });

  it('keeps both badges when the VRAM alert and errors come together, and drops each on its own', async () => {
    const { tray, stack, logsPart, gpuPart } = setup();
    await stack.emit(allRunning);
    await logsPart.emit(logs(2));
    await gpuPart.emit(alertGpu);
    expect(tray.images.at(-1)).toBe('icon:running+vram-logs');
    await logsPart.emit(logs(0));
    expect(tray.images.at(-1)).toBe('icon:running+vram');
    await logsPart.emit(logs(1));
    await gpuPart.emit({ ...alertGpu, alert: false });
    expect(tray.images.at(-1)).toBe('icon:running+logs');
  });

  it('disables the item when the log viewer is not wired', async () => {
    const { tray, stack } = setup({ logs: false });
    await stack.emit(allRunning);
    expect(tray.menus.at(-1)?.template.find((i) => i.id === 'logs:pluginDaemon')?.enabled).toBe(false);
  });
});
