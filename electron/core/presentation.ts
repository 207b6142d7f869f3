/**
 * How a state is presented — the one place for it, used by the tray, the CLI and the renderer:
 * which words (i18n keys), which colour/tone, when a stopped one-shot service counts as "completed",
 * and how an error is put in the user's language. Pure and free of any framework: each side passes in
 * its own translator, and this file imports only contract types (the renderer may import it).
 */
import type { ComponentState, ErrorInfo, LogSource, ServiceStatus } from './contract';

export type Lang = 'ja' | 'en';
export type LanguageSetting = 'system' | Lang;

/** 'system' follows the OS locale: Japanese for ja-*, English for everything else. */
export function resolveLang(setting: LanguageSetting, systemLocale: string | undefined): Lang {
  if (setting !== 'system') return setting;
  return (systemLocale ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The `{code, message, detail, params}` shape that crosses IPC, without undefined fields. */
export function errorInfo(fields: {
  code: string;
  message: string;
  detail?: string | undefined;
  params?: Record<string, string | number> | undefined;
}): ErrorInfo {
  return {
    code: fields.code,
    message: fields.message,
    ...(fields.detail !== undefined ? { detail: fields.detail } : {}),
    ...(fields.params !== undefined ? { params: fields.params } : {}),
  };
}

/** What each side translates with: i18next in main and in the renderer. */
export interface Translator {
  t(key: string, params?: Record<string, unknown>): string;
  has(key: string): boolean;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'idle';

/**
 * MiB → GB with one decimal, 1024-based as Windows Task Manager shows GPU memory (a 4070's 12282 MiB
 * is "12.0 GB"); the tray, the notifications and the GPU consumers all say it this way. An unknown
 * reading stays "—", never 0.
 */
export function vramGb(mib: number | null): string {
  return mib === null || !Number.isFinite(mib) ? '—' : (Math.max(0, mib) / 1024).toFixed(1);
}

export const SERVICE_STATES = [
  'running',
  'exited',
  'created',
  'restarting',
  'paused',
  'dead',
  'removing',
  'missing',
] as const;
export type ServiceStateKey = (typeof SERVICE_STATES)[number] | 'completed' | 'unknown';

/** A one-shot service (e.g. init_permissions) that exited 0 did its job: "completed", not "stopped". */
export function isCompletedOneShot(service: ServiceStatus): boolean {
  return service.oneShot && service.state === 'exited' && service.exitCode === 0;
}

export function serviceStateKey(service: ServiceStatus): ServiceStateKey {
  if (isCompletedOneShot(service)) return 'completed';
  return (SERVICE_STATES as readonly string[]).includes(service.state)
    ? (service.state as ServiceStateKey)
    : 'unknown';
}

export function serviceTone(service: ServiceStatus): Tone {
  switch (serviceStateKey(service)) {
    case 'running':
      return service.health === 'unhealthy' ? 'warn' : 'ok';
    case 'completed':
      return 'ok';
    case 'restarting':
    case 'removing':
      return 'busy';
    case 'dead':
      return 'bad';
    case 'exited':
      return service.exitCode !== null && service.exitCode !== 0 ? 'bad' : 'idle';
    default:
      return 'idle';
  }
}

/** The colour of a component's state (badges, the tray's per-component line is words only). */
export const COMPONENT_TONE: Record<ComponentState, Tone> = {
  running: 'ok',
  partial: 'warn',
  stopped: 'idle',
  starting: 'busy',
  unavailable: 'idle',
  error: 'bad',
};

export const componentStateKey = (state: ComponentState): string => `stack.state.${state}`;

/** A service's state in words, with a non-zero exit code; unknown states keep Docker's own word. */
export function serviceStateText(tr: Translator, service: ServiceStatus): string {
  const key = serviceStateKey(service);
  if (key === 'completed') return text(tr, 'serviceStates.completed', 'completed');
  const words = text(tr, `serviceStates.${service.state}`, service.state);
  return service.state === 'exited' && service.exitCode !== null ? `${words} (${service.exitCode})` : words;
}

/** An error in the user's language (by code), falling back to main's English message. */
export function errorText(tr: Translator, error: ErrorInfo): string {
  const key = `errors.${error.code}`;
  return tr.has(key) ? tr.t(key, error.params ?? {}) : error.message;
}

/** A `{key, params}` reason or step from main, translated; null when this build has no text for it. */
export function reasonText(
  tr: Translator,
  reason: { key: string; params?: Record<string, string | number> } | null,
): string | null {
  return reason && tr.has(reason.key) ? tr.t(reason.key, reason.params ?? {}) : null;
}

function text(tr: Translator, key: string, fallback: string): string {
  return tr.has(key) ? tr.t(key) : fallback;
}

/**
 * The key a log source goes by, for main's readers and the window's views alike (the logs contract:
 * `service:<name>`, `ollama`, `a1111`, `plugin:<folder>`).
 */
export function logSourceKey(source: LogSource): string {
  switch (source.kind) {
    case 'service':
      return `service:${source.service}`;
    case 'plugin':
      return `plugin:${source.folder}`;
    default:
      return source.kind;
  }
}
