/** Handlers of the setup channels (`./contract.ts`). */
import type { HandlersOf } from '../core/contract-kit';
import type { SetupApi } from './api';
import type { setupInvoke } from './contract';

export function createSetupHandlers(deps: { setup: SetupApi }): HandlersOf<typeof setupInvoke> {
  const { setup } = deps;
  return {
    'setup:state': () => setup.state(),
  };
}
