/**
 * The one rule for "what is not configured yet": pure, so the dashboard's panel, the wizard and the
 * tests agree on it.
 */
import type { ComponentId, ComponentStatus, StatusSnapshot } from '../core/contract';
import type { SettingsView } from '../settings/contract';

type Settings = SettingsView['settings'];
import type { SetupNeed } from './contract';

export interface SetupFacts {
  settings: Pick<Settings, 'difyDir' | 'stackComponents'>;
  snapshot: Pick<StatusSnapshot, 'project' | 'components'>;
  /** The Dify console login as the plugin capability keeps it (the password only as "saved or not"). */
  connection: { email: string; hasPassword: boolean };
}

/** A component the user left out of the stack (Settings → Start stack includes) needs no setting up. */
function inStack(settings: SetupFacts['settings'], id: ComponentId): boolean {
  return settings.stackComponents.length === 0 || settings.stackComponents.includes(id);
}

/** Ollama or A1111 is set up when it runs (whoever started it) or we know how to start it. */
function programReady(component: ComponentStatus | undefined): boolean {
  if (!component) return false;
  if (component.state === 'running' || component.state === 'starting' || component.state === 'partial') {
    return true;
  }
  return component.process?.startable === true;
}

export function setupNeeds(facts: SetupFacts): SetupNeed[] {
  const { settings, snapshot, connection } = facts;
  const component = (id: ComponentId) => snapshot.components.find((c) => c.id === id);
  const needs: SetupNeed[] = [];
  // A project found from running containers' labels counts as much as a folder typed in Settings.
  if (settings.difyDir.trim() === '' && snapshot.project === null) needs.push('difyDir');
  if (inStack(settings, 'ollama') && !programReady(component('ollama'))) needs.push('ollama');
  if (inStack(settings, 'a1111') && !programReady(component('a1111'))) needs.push('a1111');
  if (connection.email.trim() === '' || !connection.hasPassword) needs.push('difyLogin');
  return needs;
}
