/** Handlers of the timeout panel's channels (`./contract.ts`). */
import type { HandlersOf } from '../core/contract-kit';
import { detach } from '../core/handler-kit';
import type { envInvoke } from './contract';
import type { TimeoutService } from './timeout-service';

export function createEnvHandlers(deps: { timeouts: TimeoutService }): HandlersOf<typeof envInvoke> {
  const { timeouts } = deps;
  return {
    'timeouts:view': ({ quick }) => timeouts.getView({ quick }),
    'timeouts:check': async ({ values, plugin, release }) => timeouts.check(values, plugin, release),
    'timeouts:fit': async ({ scenario, ...input }) => timeouts.fit(scenario, input),
    'timeouts:preview': ({ changes, file, mode }) => timeouts.previewChanges(changes, { file, mode }),
    'timeouts:apply': async ({ changes, file, mode }) =>
      detach(timeouts.applyEnvChanges({ changes, file, mode })),
    'timeouts:backups': () => timeouts.listBackups(),
    'timeouts:restore': async ({ file, backupId, mode }) =>
      detach(timeouts.restoreBackup(file, backupId, { mode })),
  };
}
