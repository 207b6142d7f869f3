/** The setup capability over the settings, the app snapshot and the Dify login the plugins keep. */
import type { SettingsApi } from '../settings/api';
import type { ProcessesApi } from '../processes/api';
import type { StackApi } from '../stack/api';
import type { SetupApi } from './api';
import type { SetupState } from './contract';
import { followLoginItem, launchStartDecision, type LaunchStart, type LoginItemAdapter } from './launch';
import { setupNeeds } from './setup-needs';

export interface SetupServiceDeps {
  settings: SettingsApi;
  stack: Pick<StackApi, 'getSnapshot' | 'refresh'>;
  processes: Pick<ProcessesApi, 'refresh' | 'startComponents'>;
  /** The saved Dify login: the e-mail, and whether a password for the current URL is stored. */
  connection: () => Promise<{ email: string; hasPassword: boolean }>;
}

export class SetupService implements SetupApi {
  constructor(private readonly deps: SetupServiceDeps) {}

  async state(): Promise<SetupState> {
    const { settings } = this.deps.settings.get();
    const needs = setupNeeds({
      settings,
      snapshot: this.deps.stack.getSnapshot(),
      connection: await this.deps.connection(),
    });
    return { setupDone: settings.setupDone, needs };
  }

  followLoginItem(adapter: LoginItemAdapter): () => void {
    return followLoginItem(this.deps.settings, adapter);
  }

  async startStackOnLaunch(): Promise<LaunchStart> {
    const { settings } = this.deps.settings.get();
    if (!settings.startStackOnLaunch) return 'setting-off';
    // The decision needs the engine's and the programs' state now, not the empty snapshot of a fresh
    // start; a look that fails (no engine yet) leaves its part saying so, which counts as down.
    await Promise.allSettled([this.deps.stack.refresh(), this.deps.processes.refresh()]);
    const decision = launchStartDecision(settings, this.deps.stack.getSnapshot());
    // The job reports its own progress and failure in the snapshot and the tray; nobody waits for it here.
    if (decision === 'start') this.deps.processes.startComponents().done.catch(() => undefined);
    return decision;
  }
}
