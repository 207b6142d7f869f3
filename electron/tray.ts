/**
 * The tray: a pure part (app snapshot + jobs → icon state, menu template, tooltip) that is unit
 * tested, and a small adaptor that pushes the result into Electron's Tray. Electron's classes are
 * passed in from main.ts (only types are imported here), so the adaptor is tested with fakes too.
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { ComponentId, ComponentStatus, LogsOpenRequest, StatusSnapshot } from './contract';
import type { SnapshotReader } from './core/app-snapshot';
import { hasTranslation, resolveLang, translate, translator, type Lang } from './core/i18n';
import { errorText, reasonText, vramGb } from './core/presentation';
import type { JobSnapshot, JobStep } from './core/jobs';
import { PLUGIN_DAEMON, pluginDaemonLogsRequest } from './notifications/api';
import type { SettingsApi } from './settings/api';

export const TRAY_ICON_STATES = ['running', 'partial', 'stopped', 'busy', 'error'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

/**
 * Marks on the icon besides the stack's state: 'vram' while VRAM use has stayed above the alert
 * threshold (the snapshot's `gpu.alert`, bottom-right), 'logs' while the plugin daemon has printed
 * errors the user has not looked at (the snapshot's `logs.errors`, top-right). They sit in different
 * corners so that neither hides the other: with both, the icon carries both ('vram-logs'). Each state
 * has a variant of its icon per badge.
 */
export const TRAY_BADGES = ['vram', 'logs', 'vram-logs'] as const;
export type TrayBadge = (typeof TRAY_BADGES)[number];

/** The whole stack's Start/Stop ('start', 'stop': every component of the stack, in order), and the rest. */
export type TrayAction = 'start' | 'stop' | 'openDify' | 'openDashboard' | 'quit';

/** Start/Stop of one component, from its line's submenu. */
export type ComponentAction = 'start' | 'stop';
export type ComponentActionId = `component:${ComponentId}:${ComponentAction}`;

/** The subset of Electron's MenuItemConstructorOptions the tray uses; actions are ids, not closures. */
export interface TrayMenuItem {
  id?:
    | TrayAction
    | `component:${ComponentId}`
    | ComponentActionId
    | 'busy'
    | `plugin:${string}`
    | 'plugins'
    | 'plugins:none'
    | 'pluginDebug'
    | `pluginDebug:${string}`
    | `pluginDebugStop:${string}`
    | `vram:${number}`
    | TrayGpuAction
    | TrayLogsAction;
  type?: 'normal' | 'separator';
  label?: string;
  enabled?: boolean;
  submenu?: TrayMenuItem[];
}

/** What the tray can do about VRAM: unload every model Ollama holds (the menu item and the notification's action). */
export type TrayGpuAction = 'gpu:unloadModels';

/** Opens the window's log viewer on the plugin daemon (at its last error while the badge is up). */
export type TrayLogsAction = 'logs:pluginDaemon';

/** A registered plugin folder as the tray lists it (the snapshot's plugins part). */
export type TrayPluginEntry = StatusSnapshot['plugins']['folders'][number];

export interface TrayContext {
  lang: Lang;
  /** A job is queued or running: no second start/stop from the tray. */
  busy: boolean;
  /** What the running job is doing now, shown as a line in the menu. */
  busyStep?: JobStep | null;
}

/**
 * What the pure functions read of the app snapshot (the GPU and logs parts may be left out: no VRAM
 * line, no error badge then).
 */
type TraySnapshot = Pick<StatusSnapshot, 'components'> & Partial<Pick<StatusSnapshot, 'gpu' | 'logs'>>;
/** The menu also lists the registered plugins: "Reinstall plugin ▸ <name>". */
type TrayMenuSnapshot = TraySnapshot & Pick<StatusSnapshot, 'plugins'>;

/** Components whose "unavailable" means "not set up": they do not make the stack look partly down. */
const OPTIONAL_COMPONENTS = new Set<ComponentStatus['id']>(['ollama', 'a1111']);

/**
 * An optional component the user has not set up (no A1111 folder, no Ollama found): its line says only
 * that, with nothing to start or stop.
 */
export function isNotSetUp(c: ComponentStatus): boolean {
  return (
    OPTIONAL_COMPONENTS.has(c.id) &&
    c.state === 'unavailable' &&
    (c.error?.code === 'COMPONENT_NOT_CONFIGURED' || c.process?.startable === false)
  );
}

function needsAttention(c: ComponentStatus): boolean {
  // Not set up is a choice (A1111 without a folder), not a fault: its COMPONENT_NOT_CONFIGURED stays quiet.
  if (isNotSetUp(c)) return false;
  if (c.state === 'error' || c.error !== null) return true;
  // Docker missing entirely: nothing in the menu can work until the user installs it.
  return c.id === 'docker' && c.reason?.key === 'stack.reason.dockerNotInstalled';
}

/**
 * One icon for the whole stack. The Docker engine itself is a prerequisite, not part of "the stack":
 * an engine that runs with Dify stopped is "stopped". Optional components that are not set up are
 * left out; Dify counts even when unavailable (that is "down").
 */
export function trayIconState(snapshot: TraySnapshot, busy: boolean): TrayIconState {
  if (busy) return 'busy';
  if (snapshot.components.some(needsAttention)) return 'error';
  const counted = snapshot.components.filter(
    (c) => c.id !== 'docker' && !(OPTIONAL_COMPONENTS.has(c.id) && c.state === 'unavailable'),
  );
  if (counted.length === 0) return 'stopped';
  if (counted.every((c) => c.state === 'running')) return 'running';
  if (counted.every((c) => c.state === 'stopped' || c.state === 'unavailable')) return 'stopped';
  return 'partial';
}

/** "9/11" for components with services: long-running ones up / long-running ones in total. */
function serviceCount(c: ComponentStatus): { running: number; total: number } | null {
  const longRunning = (c.services ?? []).filter((s) => !s.oneShot);
  if (longRunning.length === 0 || c.state === 'unavailable') return null;
  return { running: longRunning.filter((s) => s.state === 'running').length, total: longRunning.length };
}

function componentWhy(lang: Lang, c: ComponentStatus): string | null {
  const tr = translator(lang);
  return c.error ? errorText(tr, c.error) : reasonText(tr, c.reason);
}

/** What A1111 is busy with while it starts (installing takes many minutes the first time). */
function a1111Phase(lang: Lang, c: ComponentStatus): string | null {
  const phase = c.a1111?.phase;
  if (phase !== 'installing' && phase !== 'launching' && phase !== 'loading-model') return null;
  return translate(lang, `dashboard.a1111.phase.${phase === 'loading-model' ? 'loadingModel' : phase}`);
}

export function componentLine(lang: Lang, c: ComponentStatus): string {
  const name = translate(lang, `stack.component.${c.id}`);
  if (isNotSetUp(c)) return translate(lang, 'tray.notSetUp', { name });
  const state = translate(lang, `stack.state.${c.state}`);
  const count = serviceCount(c);
  const base = count
    ? translate(lang, 'tray.componentLineCount', { name, state, ...count })
    : translate(lang, 'tray.componentLine', { name, state });
  // Why it is not running, when that is not obvious from the state alone.
  const why =
    c.state === 'error' || c.state === 'unavailable'
      ? componentWhy(lang, c)
      : c.state === 'starting'
        ? a1111Phase(lang, c)
        : null;
  return why ? translate(lang, 'tray.componentLineWhy', { line: base, why }) : base;
}

const UP_STATES = new Set<ComponentStatus['state']>(['running', 'partial', 'starting', 'error']);
const DIFY_DIR_ERRORS = new Set(['DIFY_DIR_NOT_SET', 'DIFY_DIR_AMBIGUOUS']);

/**
 * What a component's submenu may do now. Ollama/A1111 started outside the app are not stopped from
 * here (main refuses: OLLAMA_NOT_OURS); Dify without a chosen folder is not acted on at all.
 */
export function componentActions(c: ComponentStatus, busy: boolean): Record<ComponentAction, boolean> {
  if (c.id === 'dify') {
    const blocked = busy || (c.error !== null && DIFY_DIR_ERRORS.has(c.error.code));
    return { start: !blocked && c.state !== 'running', stop: !blocked && isUp(c) };
  }
  return {
    start: !busy && (c.process?.startable ?? true) && c.state !== 'running' && c.state !== 'starting',
    stop: !busy && UP_STATES.has(c.state) && c.process?.owner !== 'external',
  };
}

/** One line per component; each but the engine's (not started or stopped from here) opens Start/Stop. */
function componentItem(lang: Lang, c: ComponentStatus, busy: boolean): TrayMenuItem {
  const label = componentLine(lang, c);
  if (c.id === 'docker' || isNotSetUp(c)) return { id: `component:${c.id}`, label, enabled: false };
  const name = translate(lang, `stack.component.${c.id}`);
  const can = componentActions(c, busy);
  return {
    id: `component:${c.id}`,
    label,
    submenu: (['start', 'stop'] as const).map((action) => ({
      id: `component:${c.id}:${action}` as const,
      label: translate(lang, action === 'start' ? 'tray.componentStart' : 'tray.componentStop', { name }),
      enabled: can[action],
    })),
  };
}

/** `component:ollama:start` → the component and what to do; null for any other id. */
export function parseComponentAction(
  id: string | undefined,
): { component: ComponentId; action: ComponentAction } | null {
  const m = /^component:(docker|dify|ollama|a1111):(start|stop)$/.exec(id ?? '');
  return m ? { component: m[1] as ComponentId, action: m[2] as ComponentAction } : null;
}

export function buildTrayMenu(snapshot: TrayMenuSnapshot, ctx: TrayContext): TrayMenuItem[] {
  const { lang, busy } = ctx;
  const icon = trayIconState(snapshot, busy);
  const items: TrayMenuItem[] = [];
  if (busy) {
    // The step itself says what is going on ("Starting containers…"); without one, a generic line.
    const step =
      ctx.busyStep && hasTranslation(ctx.busyStep.key)
        ? translate(lang, ctx.busyStep.key, ctx.busyStep.params)
        : null;
    items.push({ id: 'busy', label: step ?? translate(lang, 'tray.busy'), enabled: false });
    items.push({ type: 'separator' });
  }
  items.push(
    // Start also helps in 'partial' and 'error': `up -d` brings the missing services back.
    { id: 'start', label: translate(lang, 'tray.start'), enabled: !busy && icon !== 'running' },
    { id: 'stop', label: translate(lang, 'tray.stop'), enabled: !busy && anythingUp(snapshot) },
    { type: 'separator' },
  );
  for (const c of inStackOrder(snapshot.components)) items.push(componentItem(lang, c, busy));
  items.push(...vramItems(lang, snapshot.gpu ?? null));
  items.push({ type: 'separator' }, pluginSubmenu(lang, snapshot.plugins.folders));
  items.push(...pluginDebugItems(lang, snapshot.plugins.folders));
  items.push(
    { type: 'separator' },
    { id: 'openDify', label: translate(lang, 'tray.openDify') },
    { id: 'openDashboard', label: translate(lang, 'tray.openDashboard') },
    ...pluginDaemonLogsItems(lang, snapshot),
    { type: 'separator' },
    { id: 'quit', label: translate(lang, 'tray.quit') },
  );
  return items;
}

/** "Reinstall plugin ▸" with one entry per registered folder (same names told apart by their path). */
export function pluginSubmenu(lang: Lang, plugins: readonly TrayPluginEntry[]): TrayMenuItem {
  const submenu: TrayMenuItem[] =
    plugins.length === 0
      ? [{ id: 'plugins:none', label: translate(lang, 'plugins.tray.none'), enabled: false }]
      : plugins.map((p) => {
          const twin = plugins.filter((o) => o.name === p.name).length > 1;
          const name = twin ? `${p.name} — ${p.dir}` : p.name;
          return { id: `plugin:${p.dir}` as const, label: name };
        });
  return { id: 'plugins', label: translate(lang, 'plugins.tray.reinstall'), submenu };
}

/**
 * "Plugin debugging ▸" while any registered folder is debugged: one entry per plugin with its state
 * ("Debug echo: Connected · restarted 2 times"), opening "Stop debugging". Absent otherwise.
 */
export function pluginDebugItems(lang: Lang, plugins: readonly TrayPluginEntry[]): TrayMenuItem[] {
  const active = plugins.filter((p) => p.debug && p.debug.phase !== 'stopped');
  if (active.length === 0) return [];
  const submenu = active.map((p): TrayMenuItem => {
    const debug = p.debug as NonNullable<TrayPluginEntry['debug']>;
    const twin = plugins.filter((o) => o.name === p.name).length > 1;
    const state = [
      translate(lang, `plugins.debug.phase.${debug.phase}`),
      ...(debug.restarts > 0 ? [translate(lang, 'plugins.debug.restarts', { count: debug.restarts })] : []),
    ].join(' · ');
    return {
      id: `pluginDebug:${p.dir}`,
      label: translate(lang, 'plugins.debug.tray.entry', {
        name: twin ? `${p.name} — ${p.dir}` : p.name,
        state,
      }),
      submenu: [{ id: `pluginDebugStop:${p.dir}`, label: translate(lang, 'plugins.debug.tray.stop') }],
    };
  });
  return [{ id: 'pluginDebug', label: translate(lang, 'plugins.debug.tray.title'), submenu }];
}

/** Start walks the stack in this order, Stop backwards; the menu lists it the same way. */
const STACK_ORDER: readonly ComponentId[] = ['docker', 'ollama', 'a1111', 'dify'];

function inStackOrder(components: readonly ComponentStatus[]): ComponentStatus[] {
  return [...components].sort((a, b) => STACK_ORDER.indexOf(a.id) - STACK_ORDER.indexOf(b.id));
}

/** Runs, or has a running container; for Ollama/A1111 also: is ours (or the desktop app's) to stop. */
function isUp(c: ComponentStatus): boolean {
  if (c.process?.owner === 'external') return false;
  return (
    c.state === 'running' ||
    c.state === 'partial' ||
    c.state === 'starting' ||
    (c.services ?? []).some((s) => s.state === 'running' || s.state === 'restarting')
  );
}

/** Stop is offered when any part of the stack runs that Stop would stop (a model server, a Dify container). */
function anythingUp(snapshot: TraySnapshot): boolean {
  return snapshot.components.some((c) => c.id !== 'docker' && !isNotSetUp(c) && isUp(c));
}

/** Windows truncates tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127;

export function trayTooltip(snapshot: TraySnapshot, ctx: TrayContext): string {
  const icon = trayIconState(snapshot, ctx.busy);
  const head = translate(ctx.lang, 'tray.tooltip', {
    app: translate(ctx.lang, 'app.name'),
    summary: translate(ctx.lang, `tray.summary.${icon}`),
  });
  // The engine is a prerequisite and a component not set up is no news: neither takes tooltip space.
  // VRAM comes right after the summary: it changes most and must survive the 127-character cut.
  const lines = [
    head,
    ...vramLines(ctx.lang, snapshot.gpu ?? null),
    ...pluginDaemonErrorLines(ctx.lang, snapshot.logs ?? null),
    ...inStackOrder(snapshot.components)
      .filter((c) => c.id !== 'docker' && !isNotSetUp(c))
      .map((c) => componentLine(ctx.lang, c)),
  ];
  const text = lines.join('\n');
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

/**
 * resources/tray-<state>.png, or tray-<state>-<badge>.png with a badge (scripts/make-icons.mjs draws
 * both); Electron picks the @2x file next to it on high-DPI screens.
 */
export function trayIconFile(
  resourcesDir: string,
  state: TrayIconState,
  badge: TrayBadge | null = null,
): string {
  return path.join(resourcesDir, badge ? `tray-${state}-${badge}.png` : `tray-${state}.png`);
}

// ---- VRAM --------------------------------------------------------------------------------------

type TrayGpu = StatusSnapshot['gpu'];

/** VRAM and log errors each have their corner: both badges when both are on. */
export function trayBadge(snapshot: TraySnapshot): TrayBadge | null {
  const vram = snapshot.gpu?.alert === true;
  const logs = (snapshot.logs?.errors ?? 0) > 0;
  if (vram && logs) return 'vram-logs';
  return vram ? 'vram' : logs ? 'logs' : null;
}

/**
 * `VRAM 7.8 / 12.0 GB` for each GPU with a reading ("GPU 1 VRAM …" when there are several), marked
 * while the alert is on. None while monitoring is off, failing or not started: there is no reading.
 */
function vramReadings(lang: Lang, gpu: TrayGpu): Array<{ index: number; line: string }> {
  if (!gpu || gpu.state !== 'ok') return [];
  const readings = gpu.gpus.filter((g) => g.memoryUsed !== null || g.memoryTotal !== null);
  return readings.map((g) => {
    const values = { used: vramGb(g.memoryUsed), total: vramGb(g.memoryTotal), index: g.index };
    const line = translate(lang, readings.length > 1 ? 'tray.vramGpu' : 'tray.vram', values);
    return { index: g.index, line: gpu.alert ? translate(lang, 'tray.vramHigh', { line }) : line };
  });
}

export function vramLines(lang: Lang, gpu: TrayGpu): string[] {
  return vramReadings(lang, gpu).map((r) => r.line);
}

/** Models Ollama holds in VRAM now: what "Unload Ollama models" would free. */
function holdsOllamaModels(gpu: TrayGpu): boolean {
  return gpu?.state === 'ok' && gpu.consumers.some((c) => c.kind === 'ollama-model');
}

/** The VRAM lines (information only) and, while Ollama holds models, the item that unloads them. */
function vramItems(lang: Lang, gpu: TrayGpu): TrayMenuItem[] {
  const readings = vramReadings(lang, gpu);
  if (readings.length === 0) return [];
  const items: TrayMenuItem[] = [{ type: 'separator' }];
  for (const r of readings) items.push({ id: `vram:${r.index}`, label: r.line, enabled: false });
  // In the menu as well as on the notification: Windows does not show Electron's notification
  // buttons everywhere, and the alert may have been dismissed.
  if (holdsOllamaModels(gpu))
    items.push({ id: 'gpu:unloadModels', label: translate(lang, 'tray.vramUnloadModels') });
  return items;
}

// ---- plugin daemon logs ----------------------------------------------------------------------

/** The project has a plugin daemon to read (a service in its compose file, whatever its state). */
function hasPluginDaemon(snapshot: TraySnapshot): boolean {
  const dify = snapshot.components.find((c) => c.id === 'dify');
  return (dify?.services ?? []).some((s) => s.name === PLUGIN_DAEMON);
}

/**
 * "Plugin daemon logs", with the count of errors not yet looked at ("Plugin daemon logs (3 errors)"):
 * the quiet badge's menu side. Shown while the project has a plugin daemon, or errors to show.
 */
function pluginDaemonLogsItems(lang: Lang, snapshot: TraySnapshot): TrayMenuItem[] {
  const errors = snapshot.logs?.errors ?? 0;
  if (!hasPluginDaemon(snapshot) && errors === 0) return [];
  const label =
    errors > 0
      ? translate(lang, 'tray.pluginDaemonLogsErrors', { count: errors })
      : translate(lang, 'tray.pluginDaemonLogs');
  return [{ id: 'logs:pluginDaemon', label }];
}

/** The tooltip's line while the badge is up: what the mark on the icon means. */
function pluginDaemonErrorLines(lang: Lang, logs: StatusSnapshot['logs']): string[] {
  const errors = logs?.errors ?? 0;
  return errors > 0 ? [translate(lang, 'tray.pluginDaemonErrors', { count: errors })] : [];
}

/** What "Plugin daemon logs" opens (the plugin-error notification opens the same). */
export { pluginDaemonLogsRequest };

// ---- adaptor ---------------------------------------------------------------------------------

/** What the adaptor needs of Electron's Tray (a structural subset, so tests can pass a fake). */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayControllerOptions<Image, Menu> {
  tray: TrayLike<Image, Menu>;
  /** Menu.buildFromTemplate */
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  /** nativeImage.createFromPath(trayIconFile(resourcesDir, state, badge)) */
  image(state: TrayIconState, badge: TrayBadge | null): Image;
  /** The app snapshot: components, and the plugin folders of the "Reinstall plugin ▸" submenu. */
  snapshot: SnapshotReader;
  jobs: { list(): JobSnapshot[]; onUpdate(listener: (job: JobSnapshot) => void): () => void };
  settings: Pick<SettingsApi, 'get' | 'onChange'>;
  systemLocale: string;
  actions: Record<TrayAction, () => void>;
  /** Start/Stop of one component from its submenu ("Ollama ▸ Start Ollama"). */
  components?: { start(id: ComponentId): void; stop(id: ComponentId): void };
  /** The action of a "Reinstall plugin ▸" entry, and of "Plugin debugging ▸ <plugin> ▸ Stop debugging". */
  plugins?: { reinstall(dir: string): void; stopDebug?(dir: string): void };
  /** "Unload Ollama models" from the menu and from the VRAM notification. */
  gpu?: { unloadModels(): void };
  /** "Plugin daemon logs": shows the window on its log viewer with this request. */
  logs?: { open(request: LogsOpenRequest): void };
}

/**
 * Keeps Electron's Tray in step with the services. Snapshot and job updates come often (every step,
 * every status refresh), so the menu is rebuilt only when what it shows (icon, tooltip, labels, enabled
 * states) actually changed.
 */
export class TrayController<Image, Menu> {
  private lastRendered = '';
  private readonly unsubscribers: Array<() => void> = [];

  constructor(private readonly options: TrayControllerOptions<Image, Menu>) {
    options.tray.on('click', () => options.actions.openDashboard());
    this.unsubscribers.push(
      options.snapshot.onChange(() => this.render()),
      options.jobs.onUpdate(() => this.onJob()),
      options.settings.onChange(() => this.render()),
    );
    this.render();
  }

  lang(): Lang {
    return resolveLang(this.options.settings.get().settings.language, this.options.systemLocale);
  }

  render(): void {
    const jobs = this.options.jobs.list().filter((j) => j.finishedAt === null);
    const current = jobs.find((j) => j.state === 'running') ?? jobs[0];
    const ctx: TrayContext = {
      lang: this.lang(),
      busy: jobs.length > 0,
      busyStep: current?.step ?? null,
    };
    const snapshot = this.options.snapshot.get();
    const icon = trayIconState(snapshot, ctx.busy);
    const badge = trayBadge(snapshot);
    const template = buildTrayMenu(snapshot, ctx);
    const tooltip = trayTooltip(snapshot, ctx);
    const key = JSON.stringify([icon, badge, tooltip, template]);
    if (key === this.lastRendered) return;
    this.lastRendered = key;

    const { tray, actions, gpu, logs } = this.options;
    tray.setImage(this.options.image(icon, badge));
    tray.setToolTip(tooltip);
    const { plugins, components } = this.options;
    const toElectron = (item: TrayMenuItem): MenuItemConstructorOptions => {
      const { submenu, ...rest } = item;
      if (submenu) return { ...rest, submenu: submenu.map(toElectron) };
      if (item.id?.startsWith('plugin:') && plugins) {
        const dir = item.id.slice('plugin:'.length);
        return { ...rest, click: () => plugins.reinstall(dir) };
      }
      if (item.id?.startsWith('pluginDebugStop:')) {
        const dir = item.id.slice('pluginDebugStop:'.length);
        const stop = plugins?.stopDebug;
        return stop ? { ...rest, click: () => stop(dir) } : { ...rest, enabled: false };
      }
      if (item.id === 'gpu:unloadModels')
        return gpu ? { ...rest, click: () => gpu.unloadModels() } : { ...rest, enabled: false };
      if (item.id === 'logs:pluginDaemon')
        return logs
          ? // The request is made at the click: the badge's last error may have changed since the menu was built.
            { ...rest, click: () => logs.open(pluginDaemonLogsRequest(this.options.snapshot.get())) }
          : { ...rest, enabled: false };
      const own = parseComponentAction(item.id);
      if (own && components) return { ...rest, click: () => components[own.action](own.component) };
      const action = item.id && item.id in actions ? (item.id as TrayAction) : null;
      return action ? { ...rest, click: () => actions[action]() } : { ...rest };
    };
    tray.setContextMenu(this.options.buildMenu(template.map(toElectron)));
  }

  dispose(): void {
    for (const off of this.unsubscribers.splice(0)) off();
  }

  private onJob(): void {
    // Notifications about jobs are electron/notifications' (the Notifier): the tray only re-renders.
    this.render();
  }
}
