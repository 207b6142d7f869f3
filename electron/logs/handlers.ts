/** Handlers of the log viewer's channels (`./contract.ts`). */
import type { HandlersOf } from '../core/contract-kit';
import type { HandlerAdapters } from '../core/handler-kit';
import type { LogsApi } from './api';
import type { logsInvoke } from './contract';

export function createLogsHandlers(
  deps: { logs: LogsApi },
  adapters: Pick<HandlerAdapters, 'saveTextFile'>,
): HandlersOf<typeof logsInvoke> {
  const { logs } = deps;
  return {
    'logs:sources': () => logs.sources(),
    'logs:export': async ({ suggestedName, content }) => {
      const path = await adapters.saveTextFile(suggestedName, content);
      return { path, bytes: path === null ? 0 : Buffer.byteLength(content, 'utf8') };
    },
    'logs:ackErrors': async () => ({ acknowledged: logs.ackErrors() }),
  };
}
