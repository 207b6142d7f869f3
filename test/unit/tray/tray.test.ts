import { describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../../../electron/contract';
import { AppError } from '../../../electron/core/errors';
import type { JobSnapshot } from '../../../electron/core/jobs';
import {
  buildTrayMenu,
  componentActions,
  parseComponentAction,
  pluginSubmenu,
  TRAY_ICON_STATES,
  trayIconFile,
  trayIconState,
  trayTooltip,
} from '../../../electron/tray';
import {
  a1111,
  allRunning,
  byId,
  crashed,
  dify,
  dirNotSet,
  docker,
  dockerDown,
  dockerMissing,
  labels,
  notSetUp,
  ollama,
  partial,
  proc,
  services,
  setup,
  snap,
  stopped,
  type Menu,
} from './tray-fixtures';

describe('trayIconState', () => {
  it.each([
    ['all running', 'running', allRunning],
    ['partly running', 'partial', partial],
    ['stopped', 'stopped', stopped],
    ['Docker not running', 'stopped', dockerDown],
    ['Docker not installed', 'error', dockerMissing],
    ['a crashed service', 'error', crashed],
    ['no Dify folder', 'error', dirNotSet],
  ])('%s → %s', (_name, expected, snapshot) => {
    expect(trayIconState(snapshot, false)).toBe(expected);
  });

  it('shows busy over everything else while a job runs', () => {
    for (const s of [allRunning, stopped, crashed, dockerDown]) expect(trayIconState(s, true)).toBe('busy');
  });

  it('counts Dify starting as partly up and ignores optional components that are not set up', () => {
    expect(trayIconState(snap(docker(), dify({ state: 'starting' })), false)).toBe('partial');
    const ollama = (state: ComponentStatus['state']): ComponentStatus => ({
      id: 'ollama',
      state,
      detail: '',
      reason: null,
      error: null,
    });
    expect(trayIconState(snap(docker(), dify(), ollama('unavailable')), false)).toBe('running');
    expect(trayIconState(snap(docker(), dify(), ollama('stopped')), false)).toBe('partial');
    expect(
      trayIconState(
        snap(docker(), dify({ state: 'stopped', services: services([], true) }), ollama('running')),
        false,
      ),
    ).toBe('partial');
  });

  it('treats an empty (not yet checked) snapshot as stopped', () => {
    expect(trayIconState({ components: [] }, false)).toBe('stopped');
  });
});

describe('pluginSubmenu', () => {
  it('lists registered plugins by name, telling twins apart by folder, each an action id', () => {
    const item = pluginSubmenu('en', [
      { dir: '/p/sd-tool', name: 'Stable Diffusion' },
      { dir: '/p/a/echo', name: 'Echo' },
      { dir: '/p/b/echo', name: 'Echo' },
    ]);
    expect(item).toEqual({
      id: 'plugins',
      label: 'Reinstall plugin',
      submenu: [
        { id: 'plugin:/p/sd-tool', label: 'Stable Diffusion' },
        { id: 'plugin:/p/a/echo', label: 'Echo — /p/a/echo' },
        { id: 'plugin:/p/b/echo', label: 'Echo — /p/b/echo' },
      ],
    });
  });

  it('says where to register plugins when there are none (ja)', () => {
    const item = pluginSubmenu('ja', []);
    expect(item.label).toBe('プラグインを再インストール');
    expect(item.submenu).toEqual([
      { id: 'plugins:none', label: expect.stringContaining('プラグイン') as string, enabled: false },
    ]);
  });

  it('is part of the menu with the snapshot’s plugin folders', () => {
    const items = buildTrayMenu(
      { ...allRunning, plugins: { folders: [{ dir: 'D:\\plugins\\sd', name: 'SD' }] } },
      { lang: 'en', busy: false },
    );
    expect(byId(items, 'plugins')?.submenu?.map((i) => i.id)).toEqual(['plugin:D:\\plugins\\sd']);
  });
});

describe('buildTrayMenu', () => {
  it('has the fixed items in order, with a line per component (Dify’s opens its Start/Stop)', () => {
    const items = buildTrayMenu(allRunning, { lang: 'en', busy: false });
    expect(items.map((i) => i.id ?? i.type)).toEqual([
      'start',
      'stop',
      'separator',
      'component:docker',
      'component:dify',
      'separator',
      'plugins',
      'separator',
      'openDify',
      'openDashboard',
      'logs:pluginDaemon',
      'separator',
      'quit',
    ]);
    expect(labels(items)).toEqual([
      'Start stack',
      'Stop stack',
      'Docker: Running',
      'Dify: Running (11/11)',
      'Reinstall plugin',
      'Open Dify',
      'Open dashboard',
      'Plugin daemon logs',
      'Quit Dify Stack Tray',
    ]);
    expect(byId(items, 'component:docker')?.enabled).toBe(false);
    expect(byId(items, 'component:dify')?.submenu).toEqual([
      { id: 'component:dify:start', label: 'Start Dify', enabled: false },
      { id: 'component:dify:stop', label: 'Stop Dify', enabled: true },
    ]);
    expect(byId(items, 'start')?.enabled).toBe(false);
    expect(byId(items, 'stop')?.enabled).toBe(true);
  });

  it('partly running: both start and stop, with the count in Japanese', () => {
    const items = buildTrayMenu(partial, { lang: 'ja', busy: false });
    expect(byId(items, 'component:dify')?.label).toBe('Dify: 一部稼働中（9/11）');
    expect(byId(items, 'start')).toMatchObject({ label: 'スタックを起動', enabled: true });
    expect(byId(items, 'stop')).toMatchObject({ label: 'スタックを停止', enabled: true });
    expect(byId(items, 'quit')?.label).toBe('Dify Stack Tray を終了');
  });

  it('stopped: start only', () => {
    const items = buildTrayMenu(stopped, { lang: 'en', busy: false });
    expect(byId(items, 'start')?.enabled).toBe(true);
    expect(byId(items, 'stop')?.enabled).toBe(false);
    expect(byId(items, 'component:dify')?.label).toBe('Dify: Stopped (0/11)');
  });

  it('Docker down: start (it launches Docker Desktop), no stop, and the reason on the Docker line', () => {
    const items = buildTrayMenu(dockerDown, { lang: 'ja', busy: false });
    expect(byId(items, 'start')?.enabled).toBe(true);
    expect(byId(items, 'stop')?.enabled).toBe(false);
    expect(byId(items, 'component:docker')?.label).toBe('Docker: 利用不可 — Docker が起動していません。');
  });

  it('an error names its reason, and both start and stop stay possible', () => {
    const items = buildTrayMenu(crashed, { lang: 'en', busy: false });
    expect(byId(items, 'component:dify')?.label).toBe(
      'Dify: Error (10/11) — plugin_daemon exited with code 1.',
    );
    expect(byId(items, 'start')?.enabled).toBe(true);
    expect(byId(items, 'stop')?.enabled).toBe(true);
    const notSet = buildTrayMenu(dirNotSet, { lang: 'ja', busy: false });
    expect(byId(notSet, 'component:dify')?.label).toMatch(
      /^Dify: 利用不可 — Dify の docker フォルダーが設定されておらず/,
    );
  });

  it('busy: start and stop disabled, the current step shown first', () => {
    const items = buildTrayMenu(partial, {
      lang: 'ja',
      busy: true,
      busyStep: { key: 'stack.steps.restartingService', params: { service: 'plugin_daemon' } },
    });
    expect(items[0]).toEqual({ id: 'busy', label: 'plugin_daemon を再起動しています…', enabled: false });
    expect(byId(items, 'start')?.enabled).toBe(false);
    expect(byId(items, 'stop')?.enabled).toBe(false);
    expect(byId(items, 'openDify')?.enabled).not.toBe(false);
    expect(buildTrayMenu(partial, { lang: 'en', busy: true, busyStep: null })[0]?.label).toBe('Working…');
  });

  it('translates every label in both languages (no raw keys)', () => {
    for (const lang of ['ja', 'en'] as const) {
      for (const s of [allRunning, partial, stopped, dockerDown, dockerMissing, crashed, dirNotSet]) {
        for (const label of labels(
          buildTrayMenu(s, { lang, busy: true, busyStep: { key: 'stack.steps.composeUp' } }),
        )) {
          expect(label).not.toMatch(/\b(tray|stack|errors)\.[a-zA-Z]/);
        }
        expect(trayTooltip(s, { lang, busy: false })).not.toMatch(/\b(tray|stack|errors)\.[a-zA-Z]/);
      }
    }
  });
});

describe('Ollama and A1111 in the tray', () => {
  const whole = snap(docker(), dify(), ollama(), a1111());

  it('lists the components in stack order, each with Start/Stop ids, the engine without', () => {
    const items = buildTrayMenu(whole, { lang: 'en', busy: false });
    const lines = items.filter((i) => i.id?.startsWith('component:'));
    expect(lines.map((i) => [i.id, i.label])).toEqual([
      ['component:docker', 'Docker: Running'],
      ['component:ollama', 'Ollama: Running'],
      ['component:a1111', 'Stable Diffusion WebUI: Running'],
      ['component:dify', 'Dify: Running (11/11)'],
    ]);
    expect(lines[0]?.submenu).toBeUndefined();
    expect(byId(items, 'component:ollama')?.submenu).toEqual([
      { id: 'component:ollama:start', label: 'Start Ollama', enabled: false },
      { id: 'component:ollama:stop', label: 'Stop Ollama', enabled: true },
    ]);
    expect(byId(items, 'component:a1111')?.submenu?.map((i) => i.id)).toEqual([
      'component:a1111:start',
      'component:a1111:stop',
    ]);
    expect(trayIconState(whole, false)).toBe('running');
  });

  it('says "not set up" in one line for an unconfigured component, which leaves the icon alone', () => {
    const s = snap(docker(), dify(), notSetUp('ollama'), notSetUp('a1111'));
    const items = buildTrayMenu(s, { lang: 'ja', busy: false });
    expect(byId(items, 'component:ollama')).toEqual({
      id: 'component:ollama',
      label: 'Ollama: 未設定',
      enabled: false,
    });
    expect(byId(items, 'component:a1111')?.label).toBe('Stable Diffusion WebUI: 未設定');
    expect(trayIconState(s, false)).toBe('running');
    expect(byId(items, 'start')?.enabled).toBe(false);
    // Nothing that is not set up takes tooltip space.
    expect(trayTooltip(s, { lang: 'en', busy: false })).toBe(
      'Dify Stack Tray — All running\nDify: Running (11/11)',
    );
  });

  it('a stopped model server makes the stack partly up: whole-stack Start, and its own Start', () => {
    const s = snap(docker(), dify(), ollama({ state: 'stopped', process: proc({ owner: null, pid: null }) }));
    const items = buildTrayMenu(s, { lang: 'ja', busy: false });
    expect(trayIconState(s, false)).toBe('partial');
    expect(byId(items, 'start')?.enabled).toBe(true);
    expect(byId(items, 'component:ollama')?.label).toBe('Ollama: 停止中');
    expect(byId(items, 'component:ollama')?.submenu).toEqual([
      { id: 'component:ollama:start', label: 'Ollama を起動', enabled: true },
      { id: 'component:ollama:stop', label: 'Ollama を停止', enabled: false },
    ]);
  });

  it('does not offer to stop an Ollama started outside the app, nor count it for Stop stack', () => {
    const external = ollama({ process: proc({ owner: 'external', pid: null }) });
    expect(componentActions(external, false)).toEqual({ start: false, stop: false });
    const s = snap(docker(), dify({ state: 'stopped', services: services([], true) }), external);
    const items = buildTrayMenu(s, { lang: 'en', busy: false });
    expect(byId(items, 'stop')?.enabled).toBe(false);
    // Ollama's own desktop app is stopped through the app (facts.md): offered.
    expect(componentActions(ollama({ process: proc({ owner: 'desktop-app' }) }), false).stop).toBe(true);
  });

  it('shows what A1111 is busy with while it starts, and offers Stop then', () => {
    const starting = a1111({
      state: 'starting',
      a1111: {
        url: 'http://127.0.0.1:7860',
        phase: 'installing',
        phaseLine: 'Installing torch and torchvision',
        api: false,
        checkpoint: null,
        progress: null,
      },
    });
    const items = buildTrayMenu(snap(docker(), dify(), starting), { lang: 'en', busy: false });
    expect(byId(items, 'component:a1111')?.label).toBe(
      'Stable Diffusion WebUI: Starting — Installing (the first start takes a while)',
    );
    expect(componentActions(starting, false)).toEqual({ start: false, stop: true });
  });

  it('names a crash on the line, and offers both Start and Stop after it', () => {
    const crashedOllama = ollama({
      state: 'error',
      error: new AppError('PROCESS_EXITED', {
        params: { component: 'Ollama', code: 2, lastLine: 'panic: boom' },
      }).toInfo(),
      process: proc({ pid: null, lastExitCode: 2, lastLines: ['panic: boom'] }),
    });
    const items = buildTrayMenu(snap(docker(), dify(), crashedOllama), { lang: 'en', busy: false });
    expect(byId(items, 'component:ollama')?.label).toMatch(
      /^Ollama: Error — Ollama ended before it was ready \(exit code 2\)/,
    );
    expect(componentActions(crashedOllama, false)).toEqual({ start: true, stop: true });
  });

  it('while a job runs nothing can be started or stopped from a submenu', () => {
    const items = buildTrayMenu(whole, { lang: 'en', busy: true });
    for (const id of ['ollama', 'a1111', 'dify']) {
      expect(byId(items, `component:${id}`)?.submenu?.every((i) => i.enabled === false)).toBe(true);
    }
  });

  it('never acts on a Dify the user has not chosen', () => {
    expect(componentActions(dirNotSet.components[1] as ComponentStatus, false)).toEqual({
      start: false,
      stop: false,
    });
  });

  it('parses only component action ids', () => {
    expect(parseComponentAction('component:a1111:stop')).toEqual({ component: 'a1111', action: 'stop' });
    expect(parseComponentAction('component:ollama')).toBeNull();
    expect(parseComponentAction('component:gpu:start')).toBeNull();
    expect(parseComponentAction('plugin:/p/component:ollama:start')).toBeNull();
    expect(parseComponentAction(undefined)).toBeNull();
  });

  it('translates every new line in both languages', () => {
    for (const lang of ['ja', 'en'] as const) {
      const s = snap(docker(), dify(), ollama({ state: 'stopped' }), notSetUp('a1111'));
      const flat = buildTrayMenu(s, { lang, busy: false }).flatMap((i) => [i, ...(i.submenu ?? [])]);
      for (const label of labels(flat))
        expect(label).not.toMatch(/\b(tray|stack|errors|dashboard)\.[a-zA-Z]/);
    }
  });
});

describe('trayTooltip', () => {
  it('summarises the state and stays within the Windows limit', () => {
    expect(trayTooltip(partial, { lang: 'ja', busy: false })).toBe(
      'Dify Stack Tray — 一部稼働中\nDify: 一部稼働中（9/11）',
    );
    expect(trayTooltip(allRunning, { lang: 'en', busy: false })).toBe(
      'Dify Stack Tray — All running\nDify: Running (11/11)',
    );
    for (const s of [dirNotSet, crashed, dockerMissing]) {
      expect(trayTooltip(s, { lang: 'ja', busy: false }).length).toBeLessThanOrEqual(127);
    }
  });
});

describe('trayIconFile', () => {
  it('names one file per state', () => {
    expect(TRAY_ICON_STATES.map((s) => trayIconFile('/r', s))).toEqual([
      '/r/tray-running.png',
      '/r/tray-partial.png',
      '/r/tray-stopped.png',
      '/r/tray-busy.png',
      '/r/tray-error.png',
    ]);
  });
});

/** Lets the store's once-per-tick change notification go out. */

describe('TrayController', () => {
  it('renders at once and follows snapshots, language changes and jobs', async () => {
    const { tray, stack, settings, jobs, controller } = setup();
    expect(tray.images).toEqual(['icon:stopped']);
    expect(tray.tooltips[0]).toContain('停止中');

    await stack.emit(partial);
    expect(tray.images.at(-1)).toBe('icon:partial');
    settings.set('en');
    expect(tray.tooltips.at(-1)).toBe('Dify Stack Tray — Partly running\nDify: Partly running (9/11)');

    let release!: () => void;
    const handle = jobs.start({ kind: 'stack.start', resource: 'r' }, async (ctx) => {
      ctx.step('stack.steps.composeUp');
      await new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(tray.images.at(-1)).toBe('icon:busy');
    expect(tray.menus.at(-1)?.template[0]?.label).toBe('Starting containers (docker compose up -d)…');
    release();
    await handle.done;
    expect(tray.images.at(-1)).toBe('icon:partial');
    controller.dispose();
    await stack.emit(allRunning);
    expect(tray.images.at(-1)).toBe('icon:partial');
  });

  it('does not rebuild the menu for output lines that change nothing it shows', async () => {
    const { tray, jobs } = setup();
    let release!: () => void;
    let logLines!: () => void;
    const logged = new Promise<void>((r) => (logLines = r));
    const handle = jobs.start({ kind: 'stack.start', resource: 'r' }, async (ctx) => {
      ctx.step('stack.steps.composeUp');
      const before = tray.menus.length;
      for (let i = 0; i < 100; i++) ctx.log(`Container docker-api-1  Creating ${i}`);
      expect(tray.menus.length).toBe(before);
      logLines();
      await new Promise<void>((r) => (release = r));
    });
    await logged;
    release();
    await handle.done;
    expect(tray.menus.length).toBeLessThan(6);
  });

  it('runs the action of a clicked item, opens the dashboard on a tray click, without telling about jobs (electron/notifications does)', async () => {
    const { tray, jobs, calls } = setup();
    const menu = tray.menus.at(-1)!;
    menu.template.find((i) => i.id === 'start')?.click?.();
    menu.template.find((i) => i.id === 'quit')?.click?.();
    expect(menu.template.find((i) => i.id === 'component:dify')?.click).toBeUndefined();
    tray.clickListener?.();
    expect(calls).toEqual(['start', 'quit', 'openDashboard']);

    const handle = jobs.start({ kind: 'stack.start', resource: 'r' }, async () => {
      throw new AppError('DOCKER_NOT_RUNNING');
    });
    await handle.done.catch(() => undefined);
    const finished: JobSnapshot | undefined = jobs.list()[0];
    expect(finished?.state).toBe('failed');
  });

  it('starts and stops one component from its submenu', async () => {
    const { tray, stack, processes, componentCalls } = setup();
    await stack.emit(allRunning);
    await processes.emit([ollama({ state: 'stopped' }), a1111()]);
    const menu = tray.menus.at(-1)!;
    const sub = (id: string) => menu.template.find((i) => i.id === id)?.submenu as Menu['template'];
    sub('component:ollama')
      .find((i) => i.id === 'component:ollama:start')
      ?.click?.();
    sub('component:a1111')
      .find((i) => i.id === 'component:a1111:stop')
      ?.click?.();
    sub('component:dify')
      .find((i) => i.id === 'component:dify:stop')
      ?.click?.();
    expect(componentCalls).toEqual(['start:ollama', 'stop:a1111', 'stop:dify']);
  });

  it('rebuilds the plugin submenu when plugins change and reinstalls the clicked one', async () => {
    const { tray, plugins, reinstalled } = setup();
    await plugins.set([{ dir: '/p/sd', name: 'SD tool' }]);
    const menu = tray.menus.at(-1)!;
    const sub = menu.template.find((i) => i.id === 'plugins')?.submenu as Menu['template'];
    expect(sub.map((i) => i.label)).toEqual(['SD tool']);
    sub[0]?.click?.();
    expect(reinstalled).toEqual(['/p/sd']);
  });
});
