/**
 * How the dashboard reads Ollama's and AUTOMATIC1111's parts of the snapshot: the stack order, model
 * sizes and VRAM shares, A1111's phase and API, a crash worth reporting, what a card may start or stop,
 * and what Start/Stop of the whole stack can do. Pure, so the rules are unit tested without React.
 */
import type {
  A1111Phase,
  ComponentId,
  ComponentStatus,
  JobSnapshotDto,
  ProcessInfo,
  SettingsView,
  StatusSnapshot,
} from '../../../electron/contract';
import { hasActiveJob } from './jobs';
import { findComponent, isDifyDirMissing, stackControls } from './status';

type Settings = SettingsView['settings'];

/** The order Start walks (Stop walks it backwards): the engine, the model servers, then Dify that uses them. */
export const STACK_ORDER: readonly ComponentId[] = ['docker', 'ollama', 'a1111', 'dify'];

export function inStackOrder(components: readonly ComponentStatus[]): ComponentStatus[] {
  return [...components].sort((a, b) => STACK_ORDER.indexOf(a.id) - STACK_ORDER.indexOf(b.id));
}

/**
 * A model's size in GB as Ollama itself prints it (`ollama list`: decimal units, 1 GB = 10^9 bytes),
 * one decimal, in the window's locale.
 */
export function formatGigabytes(bytes: number, locale: string): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    Math.max(0, bytes) / 1e9,
  );
}

export interface VramShare {
  /** How much of the loaded model sits in VRAM, 0–100. */
  percent: number;
  /** Some layers run on the CPU (slower): Ollama's `ps` shows "CPU/GPU" then. */
  partlyOnCpu: boolean;
}

/** The VRAM share of a loaded model (`/api/ps` size_vram / size); null when the size is unknown. */
export function vramShare(model: { size: number; sizeVram: number }): VramShare | null {
  if (!(model.size > 0)) return null;
  if (model.sizeVram >= model.size) return { percent: 100, partlyOnCpu: false };
  const exact = (Math.max(0, model.sizeVram) / model.size) * 100;
  // 99.7 % must not read "100 %" beside "partly on CPU".
  return { percent: Math.min(99, Math.round(exact)), partlyOnCpu: true };
}

/** i18n key suffix of who owns a running server (`dashboard.process.owner.*`). */
export type OwnerKey = 'app' | 'cli' | 'desktopApp' | 'external';

export function ownerKey(owner: ProcessInfo['owner']): OwnerKey | null {
  if (owner === null) return null;
  return owner === 'desktop-app' ? 'desktopApp' : owner;
}

/** A1111 is busy getting ready (its last output line says with what). */
export function isA1111Busy(phase: A1111Phase): boolean {
  return phase === 'installing' || phase === 'launching' || phase === 'loading-model';
}

/** i18n key suffix of an A1111 phase (`dashboard.a1111.phase.*`). */
export function a1111PhaseKey(phase: A1111Phase): string {
  return phase === 'loading-model' ? 'loadingModel' : phase;
}

/**
 * Whether A1111's API answers: 'off' only when it is ready without it (started without --api — the
 * fix is a flag), 'waiting' while it starts (the API comes up after the UI), null when it is not running.
 */
export function a1111ApiState(component: ComponentStatus): 'on' | 'off' | 'waiting' | null {
  const info = component.a1111;
  if (!info || info.phase === 'stopped') return null;
  if (info.api) return 'on';
  return info.phase === 'ready' ? 'off' : 'waiting';
}

/** A generation's progress as a whole percentage, 0–100. */
export function progressPercent(fraction: number): number {
  return Number.isFinite(fraction) ? Math.round(Math.max(0, Math.min(1, fraction)) * 100) : 0;
}

export interface CrashReport {
  exitCode: number | null;
  /** The last lines it printed, newest last. */
  lines: readonly string[];
}

/**
 * How the last run ended, when that is news: a non-zero exit code, or the component in error. A clean
 * exit (0: a Stop) is not a crash. Still shown after an automatic restart: the restart count says one
 * happened, this says why.
 */
export function crashReport(component: ComponentStatus): CrashReport | null {
  const p = component.process;
  if (!p) return null;
  const crashed = (p.lastExitCode !== null && p.lastExitCode !== 0) || component.state === 'error';
  if (!crashed || (p.lastExitCode === null && p.lastLines.length === 0)) return null;
  return { exitCode: p.lastExitCode, lines: p.lastLines };
}

/** Errors that a change in Settings fixes: the card offers the way there. */
const SETUP_ERROR_CODES = new Set(['OLLAMA_NOT_FOUND', 'A1111_DIR_NOT_FOUND', 'A1111_LAUNCHER_MISSING']);

/**
 * 'notConfigured': the component is not part of this setup (A1111 without a folder, Ollama not
 * installed and no path given) — the card says so instead of showing an empty state; 'fix': its
 * settings point at something missing; null: neither. Something that runs anyway (e.g. A1111 started
 * by hand on its port) is shown as it is.
 */
export function setupProblem(component: ComponentStatus, settings: Settings): 'notConfigured' | 'fix' | null {
  if (component.id !== 'ollama' && component.id !== 'a1111') return null;
  if (component.state === 'running' || component.state === 'starting') return null;
  const code = component.error?.code;
  const cannotStart = component.state === 'unavailable' && component.process?.startable === false;
  if (code === 'COMPONENT_NOT_CONFIGURED') return 'notConfigured';
  if (component.id === 'a1111' && settings.a1111Dir.trim() === '') return 'notConfigured';
  if (
    component.id === 'ollama' &&
    settings.ollamaPath.trim() === '' &&
    (code === 'OLLAMA_NOT_FOUND' || cannotStart)
  )
    return 'notConfigured';
  return (code !== undefined && SETUP_ERROR_CODES.has(code)) || cannotStart ? 'fix' : null;
}

const UP_STATES = new Set<ComponentStatus['state']>(['running', 'partial', 'starting', 'error']);

export interface CardControls {
  canStart: boolean;
  canStop: boolean;
  /** Why Stop is not offered although it runs: someone else started it and stops it. */
  stopHint: 'external' | null;
}

/**
 * Start/Stop of one supervised program (Ollama, A1111). A server started outside the app (a service,
 * another program) is left alone: main refuses to stop it (OLLAMA_NOT_OURS), so the card does not offer it.
 */
export function processControls(component: ComponentStatus, busy: boolean): CardControls {
  const running = UP_STATES.has(component.state);
  const external = component.process?.owner === 'external';
  const startable = component.process?.startable ?? true;
  return {
    canStart: !busy && startable && component.state !== 'running' && component.state !== 'starting',
    canStop: !busy && running && !external,
    stopHint: running && external ? 'external' : null,
  };
}

export interface WholeStackInput {
  snapshot: StatusSnapshot | null;
  jobs: readonly JobSnapshotDto[];
  platform: string | null;
  settings: Settings;
}

/** The Dify card's Start/Stop: the existing rules (engine, folder, services). */
function difyControls(input: WholeStackInput): CardControls {
  const c = stackControls({ ...input, configuredDir: input.settings.difyDir });
  return { canStart: c.canStart, canStop: c.canStop, stopHint: null };
}

/** Start/Stop offered on a component's card; Docker's engine has none (it is not stopped from here). */
export function cardControls(component: ComponentStatus, input: WholeStackInput): CardControls | null {
  const busy = hasActiveJob(input.jobs);
  switch (component.id) {
    case 'docker':
      return null;
    case 'dify':
      return difyControls(input);
    default:
      return setupProblem(component, input.settings) === 'notConfigured'
        ? null
        : processControls(component, busy);
  }
}

/**
 * What "the stack" is: the components the settings name, or else every one that is set up. The engine
 * belongs to it whenever Dify does (Dify runs on it).
 */
export function stackMembers(snapshot: StatusSnapshot | null, settings: Settings): ComponentStatus[] {
  const components = snapshot?.components ?? [];
  const chosen = settings.stackComponents;
  const members = components.filter((c) =>
    chosen.length > 0
      ? chosen.includes(c.id) || (c.id === 'docker' && chosen.includes('dify'))
      : setupProblem(c, settings) !== 'notConfigured',
  );
  return inStackOrder(members);
}

export interface WholeStackControls {
  busy: boolean;
  canStart: boolean;
  canStop: boolean;
}

/**
 * The "Start stack" / "Stop stack" pair. Start is offered while some member can start; with Dify in the
 * stack but no usable Dify folder it is not (nothing may act on a Dify the user has not chosen). Stop
 * is offered while some member can stop.
 */
export function wholeStackControls(input: WholeStackInput): WholeStackControls {
  const busy = hasActiveJob(input.jobs);
  const members = stackMembers(input.snapshot, input.settings);
  if (busy || !input.snapshot) return { busy, canStart: false, canStop: false };
  const dify = findComponent(input.snapshot, 'dify');
  const difyBlocked =
    dify !== null && members.includes(dify) && isDifyDirMissing(input.snapshot, input.settings.difyDir);
  const controls = members.map((c) =>
    c.id === 'docker'
      ? { canStart: c.state === 'unavailable' && input.platform === 'win32', canStop: false }
      : (cardControls(c, input) ?? { canStart: false, canStop: false }),
  );
  return {
    busy,
    canStart: !difyBlocked && controls.some((c) => c.canStart),
    canStop: controls.some((c) => c.canStop),
  };
}
