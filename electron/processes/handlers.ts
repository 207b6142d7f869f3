/** Handlers of the processes channels (`./contract.ts`): the stack in order, settings checks, the doctor. */
import type { HandlersOf } from '../core/contract-kit';
import { detach } from '../core/handler-kit';
import type { ProcessesApi } from './api';
import type { processesInvoke } from './contract';

export function createProcessesHandlers(deps: {
  processes: ProcessesApi;
}): HandlersOf<typeof processesInvoke> {
  const { processes } = deps;
  return {
    'components:start': async ({ ids }) => detach(processes.startComponents(ids)),
    'components:stop': async ({ ids }) => detach(processes.stopComponents(ids)),
    'processes:checkSettings': (input) => processes.checkSettings(input),
    'doctor:run': () => processes.runDoctor(),
    'doctor:last': async () => processes.lastDoctor(),
  };
}
