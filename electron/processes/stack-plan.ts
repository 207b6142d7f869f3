/**
 * Which components a Start or Stop acts on, and in which order (pure). The stack starts bottom-up —
 * the Docker engine, then the model servers Dify calls, then Dify — so that Dify's first requests find
 * Ollama and A1111 answering; it stops top-down so nothing is left calling a server that is gone.
 */
import type { ComponentId } from '../core/contract';
import type { SettingsView } from '../settings/contract';

type Settings = SettingsView['settings'];

export const START_ORDER: readonly ComponentId[] = ['docker', 'ollama', 'a1111', 'dify'];

export type StackAction = 'start' | 'stop';

export interface PlannedStep {
  id: ComponentId;
  /** Named on the command line or clicked: a problem with it fails the job instead of being skipped. */
  explicit: boolean;
}

/**
 * `requested` empty or absent means "the stack": the `stackComponents` setting, else every configured
 * component. A whole-stack Stop leaves the Docker engine running — other containers on the machine may
 * use it, and Docker Desktop takes a minute to come back — so the engine stops only when named.
 */
export function planSteps(
  action: StackAction,
  requested: readonly ComponentId[] | undefined,
  settings: Pick<Settings, 'stackComponents'>,
  configured: (id: ComponentId) => boolean,
): PlannedStep[] {
  const explicit = requested !== undefined && requested.length > 0;
  let ids: ComponentId[];
  if (explicit) ids = [...new Set(requested)];
  else if (settings.stackComponents.length > 0) ids = [...new Set(settings.stackComponents)];
  else ids = START_ORDER.filter(configured);
  if (!explicit && action === 'stop') ids = ids.filter((id) => id !== 'docker');
  // Dify runs on the engine: starting Dify alone still brings the engine up, inside Dify's own step.
  const ordered = START_ORDER.filter((id) => ids.includes(id));
  if (action === 'stop') ordered.reverse();
  return ordered.map((id) => ({ id, explicit }));
}
