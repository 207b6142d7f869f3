/** Handlers of the stack's channels (`./contract.ts`): status, start/stop/restart, the Dify folder. */
import type { HandlersOf } from '../core/contract-kit';
import { AppError } from '../core/errors';
import { detach, isWebUrl, type HandlerAdapters } from '../core/handler-kit';
import type { SettingsApi } from '../settings/api';
import type { StackApi } from './api';
import type { stackInvoke } from './contract';

export function createStackHandlers(
  deps: { stack: StackApi; settings: Pick<SettingsApi, 'get'> },
  adapters: HandlerAdapters,
): HandlersOf<typeof stackInvoke> {
  const { stack, settings } = deps;
  return {
    'app:openDify': async () => {
      const url = settings.get().settings.difyUrl;
      if (!isWebUrl(url)) {
        throw new AppError('INVALID_ARGUMENT', {
          params: { reason: `Dify URL must be http:// or https://: ${url}` },
        });
      }
      // The adapter is main.ts's createExternalOpener: only a configured service's origin is opened.
      await adapters.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
      return { url };
    },
    'status:get': async () => stack.getSnapshot(),
    'status:refresh': () => stack.refresh(),
    'stack:restartService': async ({ service }) => detach(stack.restartService(service)),
    'settings:checkDifyDir': ({ dir }) => stack.checkDifyDir(dir),
    'settings:detectDifyDir': () => stack.detectDifyDirs(),
    'settings:pickDifyDir': async () => ({ dir: await adapters.pickFolder() }),
  };
}
