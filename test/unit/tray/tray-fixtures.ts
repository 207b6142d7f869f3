/**
 * The tray tests' fixtures: snapshots of the stack in its usual states, Ollama/A1111 components, and a
 * TrayController wired to fakes (tray.test.ts, tray-vram.test.ts).
 */
import { EventEmitter } from 'node:events';
import type {
  ComponentStatus,
  GpuSummary,
  LogsOpenRequest,
  LogsSummary,
  ProcessInfo,
  ServiceStatus,
  SettingsView,
  StatusSnapshot,
} from '../../../electron/contract';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import { SettingsSchema } from '../../../electron/settings/schema';
import { TrayController, type TrayAction, type TrayMenuItem } from '../../../electron/tray';

export const DIFY_SERVICES = [
  'api',
  'worker',
  'worker_beat',
  'web',
  'redis',
  'sandbox',
  'plugin_daemon',
  'ssrf_proxy',
  'nginx',
  'db_postgres',
  'weaviate',
];

export function services(down: string[] = [], allDown = false): ServiceStatus[] {
  return [
    {
      name: 'init_permissions',
      state: 'exited',
      health: null,
      containerId: 'c0',
      oneShot: true,
      exitCode: 0,
    },
    ...DIFY_SERVICES.map((name, i) => {
      const running = !allDown && !down.includes(name);
      return {
        name,
        state: running ? 'running' : 'exited',
        health:
          ['api', 'sandbox', 'redis', 'db_postgres'].includes(name) && running ? ('healthy' as const) : null,
        containerId: `c${i + 1}`,
        oneShot: false,
        exitCode: running ? null : 0,
      };
    }),
  ];
}

export const docker = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'docker',
  state: 'running',
  detail: 'Docker Engine 20.10',
  reason: { key: 'stack.reason.dockerRunning', params: { version: '20.10' } },
  error: null,
  ...over,
});
export const dify = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'dify',
  state: 'running',
  detail: '11/11 services running',
  reason: { key: 'stack.reason.allRunning', params: { total: 11 } },
  error: null,
  services: services(),
  ...over,
});
export const snap = (...components: ComponentStatus[]): StatusSnapshot => ({
  components,
  project: { dir: 'D:\\dify\\docker', name: 'docker', composeVersion: 'v2 2.26.1' },
  plugins: { folders: [] },
  gpu: null,
  logs: null,
  updatedAt: 1,
});

export const allRunning = snap(docker(), dify());
export const partial = snap(docker(), dify({ state: 'partial', services: services(['worker', 'web']) }));
export const stopped = snap(docker(), dify({ state: 'stopped', services: services([], true) }));
export const dockerDown = snap(
  docker({
    state: 'unavailable',
    detail: 'Docker is not running',
    reason: { key: 'stack.reason.dockerDown' },
  }),
  dify({
    state: 'unavailable',
    detail: 'Docker is not running',
    reason: { key: 'stack.reason.dockerDown' },
    services: [],
  }),
);
export const dockerMissing = snap(
  docker({
    state: 'unavailable',
    detail: 'Docker is not installed',
    reason: { key: 'stack.reason.dockerNotInstalled' },
  }),
  dify({
    state: 'unavailable',
    detail: 'Docker is not running',
    reason: { key: 'stack.reason.dockerNotInstalled' },
    services: [],
  }),
);
export const crashed = snap(
  docker(),
  dify({
    state: 'error',
    reason: { key: 'stack.reason.crashed', params: { service: 'plugin_daemon', exitCode: 1 } },
    services: services(['plugin_daemon']),
  }),
);
export const dirNotSet = snap(
  docker(),
  dify({
    state: 'unavailable',
    reason: null,
    error: new AppError('DIFY_DIR_NOT_SET').toInfo(),
    services: [],
  }),
);

export const proc = (over: Partial<ProcessInfo> = {}): ProcessInfo => ({
  owner: 'app',
  pid: 4242,
  startable: true,
  restarts: 0,
  lastExitCode: null,
  lastLines: [],
  logFile: null,
  ...over,
});
export const ollama = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'ollama',
  state: 'running',
  detail: 'Ollama 0.33.0',
  reason: null,
  error: null,
  process: proc(),
  ...over,
});
export const a1111 = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'a1111',
  state: 'running',
  detail: 'ready',
  reason: null,
  error: null,
  process: proc(),
  a1111: {
    url: 'http://127.0.0.1:7860',
    phase: 'ready',
    phaseLine: null,
    api: true,
    checkpoint: 'sd_xl_base_1.0.safetensors',
    progress: null,
  },
  ...over,
});
export const notSetUp = (id: 'ollama' | 'a1111'): ComponentStatus => ({
  id,
  state: 'unavailable',
  detail: 'not configured',
  reason: null,
  error: new AppError('COMPONENT_NOT_CONFIGURED', { params: { component: id } }).toInfo(),
  process: proc({ owner: null, pid: null, startable: false }),
});

export const byId = (items: TrayMenuItem[], id: string): TrayMenuItem | undefined =>
  items.find((i) => i.id === id);
export const labels = (items: TrayMenuItem[]): string[] =>
  items.filter((i) => i.type !== 'separator').map((i) => i.label ?? '');

/** Lets the store's once-per-tick change notification go out. */
export const tick = () => new Promise((r) => setTimeout(r, 0));

export type Menu = { template: Array<TrayMenuItem & { click?: () => void }> };

/**
 * A TrayController over the real snapshot store and job manager, with a fake Electron tray that
 * records what it is given. `gpu: false` / `logs: false` leave out the GPU / log viewer actions (as
 * before they are wired).
 */
export function setup(options: { gpu?: boolean; logs?: boolean } = {}) {
  const tray = {
    images: [] as string[],
    tooltips: [] as string[],
    menus: [] as Menu[],
    clickListener: null as (() => void) | null,
    setImage(image: string) {
      this.images.push(image);
    },
    setToolTip(text: string) {
      this.tooltips.push(text);
    },
    setContextMenu(menu: Menu | null) {
      if (menu) this.menus.push(menu);
    },
    on(_event: 'click', listener: () => void) {
      this.clickListener = listener;
    },
  };
  // The real store: the stack's and the plugins' writes reach the tray the way they do in the app.
  const store = new AppSnapshotStore();
  const stack = {
    /** What the stack service does after a refresh; the store tells its listeners a tick later. */
    async emit(s: StatusSnapshot) {
      store.update('stack', { components: s.components, project: s.project });
      await tick();
    },
  };
  store.update('stack', { components: stopped.components, project: stopped.project });
  const processes = {
    /** What the processes service writes: Ollama's and A1111's part. */
    async emit(components: ComponentStatus[]) {
      store.part('processes').set({ components });
      await tick();
    },
  };
  const settingsEvents = new EventEmitter();
  let view: SettingsView = {
    settings: SettingsSchema.parse({}),
    path: '/s',
    warning: null,
  };
  const settings = {
    get: () => view,
    onChange: (l: (v: SettingsView) => void) => {
      settingsEvents.on('c', l);
      return () => settingsEvents.off('c', l);
    },
    set(language: 'ja' | 'en' | 'system') {
      view = { ...view, settings: { ...view.settings, language } };
      settingsEvents.emit('c', view);
    },
  };
  const jobs = new JobManager();
  const calls: TrayAction[] = [];
  const actions = Object.fromEntries(
    (['start', 'stop', 'openDify', 'openDashboard', 'quit'] as const).map((a) => [
      a,
      () => void calls.push(a),
    ]),
  ) as Record<TrayAction, () => void>;
  const reinstalled: string[] = [];
  const plugins = {
    reinstall: (dir: string) => void reinstalled.push(dir),
    /** What the plugin service writes when its registered folders or their names change. */
    async set(folders: Array<{ dir: string; name: string }>) {
      store.part('plugins').set({ folders });
      await tick();
    },
  };
  const componentCalls: string[] = [];
  const components = {
    start: (id: string) => void componentCalls.push(`start:${id}`),
    stop: (id: string) => void componentCalls.push(`stop:${id}`),
  };
  const gpuCalls: string[] = [];
  const gpuPart = {
    /** What the GPU service writes: the VRAM summary. */
    async emit(summary: GpuSummary | null) {
      store.part('gpu').set(summary);
      await tick();
    },
  };
  const logsPart = {
    /** What the log service writes: the plugin daemon's error badge. */
    async emit(summary: LogsSummary | null) {
      store.part('logs').set(summary);
      await tick();
    },
  };
  const logsOpened: LogsOpenRequest[] = [];
  const controller = new TrayController<string, Menu>({
    tray,
    buildMenu: (template) => ({ template: template as Menu['template'] }),
    image: (state, badge) => (badge ? `icon:${state}+${badge}` : `icon:${state}`),
    snapshot: store,
    jobs,
    settings,
    systemLocale: 'ja-JP',
    actions,
    plugins,
    components,
    ...(options.gpu === false ? {} : { gpu: { unloadModels: () => void gpuCalls.push('unloadModels') } }),
    ...(options.logs === false ? {} : { logs: { open: (request) => void logsOpened.push(request) } }),
  });
  return {
    tray,
    stack,
    processes,
    settings,
    jobs,
    calls,
    controller,
    plugins,
    reinstalled,
    componentCalls,
    gpuPart,
    gpuCalls,
    logsPart,
    logsOpened,
  };
}
