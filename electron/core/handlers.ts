/** Handlers of core's channels: app info and the job list. */
import type { HandlersOf } from './contract-kit';
import type { coreInvoke } from './contract';
import type { HandlerAdapters } from './handler-kit';
import type { JobManager } from './jobs';

export function createCoreHandlers(
  deps: { jobs: JobManager },
  adapters: HandlerAdapters,
): HandlersOf<typeof coreInvoke> {
  const { jobs } = deps;
  return {
    'app:info': async () => adapters.appInfo(),
    'jobs:list': async () => jobs.list(),
    'jobs:cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
  };
}
