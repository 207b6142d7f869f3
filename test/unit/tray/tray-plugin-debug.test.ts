import { describe, expect, it } from 'vitest';
import type { PluginDebugState, StatusSnapshot } from '../../../electron/contract';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { JobManager } from '../../../electron/core/jobs';
import { SettingsSchema } from '../../../electron/settings/schema';
import { buildTrayMenu, pluginDebugItems, TrayController, type TrayMenuItem } from '../../../electron/tray';
import { allRunning, byId, tick, type Menu } from './tray-fixtures';

const debug = (over: Partial<PluginDebugState> = {}): PluginDebugState => ({
  phase: 'connected',
  restarts: 0,
  since: 0,
  pid: 4242,
  exitCode: null,
  lastLines: [],
  error: null,
  listed: true,
  packaged: null,
  uninstalledPackage: null,
  logFile: '/logs/plugin-debug-echo.log',
  ...over,
});

const folders = (): StatusSnapshot['plugins']['folders'] => [
  { dir: 'D:\\plugins\\echo', name: 'Debug echo', debug: debug({ restarts: 2 }) },
  { dir: 'D:\\plugins\\sd', name: 'SD' },
  { dir: 'D:\\plugins\\broken', name: 'Broken', debug: debug({ phase: 'crashed', exitCode: 1 }) },
  { dir: 'D:\\plugins\\old', name: 'Old', debug: debug({ phase: 'stopped' }) },
];

describe('pluginDebugItems', () => {
  it('lists each plugin being debugged with its state, each opening "Stop debugging"', () => {
    const [item] = pluginDebugItems('en', folders());
    expect(item?.label).toBe('Plugin debugging');
    expect(item?.submenu?.map((i) => [i.id, i.label])).toEqual([
      ['pluginDebug:D:\\plugins\\echo', 'Debug echo: Connected · restarted 2 times'],
      ['pluginDebug:D:\\plugins\\broken', 'Broken: Crashed'],
    ]);
    expect(item?.submenu?.[0]?.submenu).toEqual([
      { id: 'pluginDebugStop:D:\\plugins\\echo', label: 'Stop debugging' },
    ]);
  });

  it('speaks Japanese and is absent while nothing is debugged', () => {
    const [item] = pluginDebugItems('ja', folders());
    expect(item?.submenu?.[0]?.label).toBe('Debug echo: 接続済み · 再起動 2 回');
    expect(pluginDebugItems('en', [{ dir: '/p', name: 'P' }])).toEqual([]);
    expect(
      buildTrayMenu(
        { ...allRunning, plugins: { folders: [{ dir: '/p', name: 'P' }] } },
        { lang: 'en', busy: false },
      ).some((i) => i.id === 'pluginDebug'),
    ).toBe(false);
  });
});

describe('TrayController: Stop debugging', () => {
  it('stops the session of the entry that was clicked', async () => {
    const menus: Menu[] = [];
    const store = new AppSnapshotStore();
    store.update('stack', { components: allRunning.components, project: allRunning.project });
    const stopped: string[] = [];
    const controller = new TrayController<string, Menu>({
      tray: {
        setImage: () => undefined,
        setToolTip: () => undefined,
        setContextMenu: (m) => m && menus.push(m),
        on: () => undefined,
      },
      buildMenu: (template) => ({ template: template as Menu['template'] }),
      image: (state) => state,
      snapshot: store,
      jobs: new JobManager(),
      settings: {
        get: () => ({ settings: { ...SettingsSchema.parse({}), language: 'en' }, path: '/s', warning: null }),
        onChange: () => () => undefined,
      },
      systemLocale: 'en-US',
      actions: {
        start: () => undefined,
        stop: () => undefined,
        openDify: () => undefined,
        openDashboard: () => undefined,
        quit: () => undefined,
      },
      plugins: { reinstall: () => undefined, stopDebug: (dir) => void stopped.push(dir) },
    });
    store.part('plugins').set({ folders: folders() });
    await tick();
    const template = menus.at(-1)?.template as Array<TrayMenuItem & { click?: () => void; submenu?: never }>;
    const entry = byId(template, 'pluginDebug')?.submenu?.[0] as TrayMenuItem & {
      submenu: Array<{ click?: () => void }>;
    };
    entry.submenu[0]?.click?.();
    expect(stopped).toEqual(['D:\\plugins\\echo']);
    controller.dispose();
  });
});
