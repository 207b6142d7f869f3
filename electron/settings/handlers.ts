/** Handlers of the settings channels (`./contract.ts`). */
import type { HandlersOf } from '../core/contract-kit';
import type { SettingsApi } from './api';
import type { settingsInvoke } from './contract';

export function createSettingsHandlers(deps: { settings: SettingsApi }): HandlersOf<typeof settingsInvoke> {
  const { settings } = deps;
  return {
    'settings:get': async () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
  };
}
