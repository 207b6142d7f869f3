/** Handlers of the plugin channels (`./contract.ts`): registered folders, reinstall, Dify connection. */
import type { HandlersOf } from '../core/contract-kit';
import { detach, type HandlerAdapters } from '../core/handler-kit';
import type { pluginsInvoke } from './contract';
import type { PluginService } from './plugin-service';

export function createPluginHandlers(
  deps: { plugins: PluginService },
  adapters: HandlerAdapters,
): HandlersOf<typeof pluginsInvoke> {
  const { plugins } = deps;
  return {
    'plugins:list': () => plugins.overview(),
    'plugins:add': async ({ dir }) => {
      await plugins.addProject(dir);
      return plugins.overview();
    },
    'plugins:remove': async ({ dir }) => {
      await plugins.removeProject(dir);
      return plugins.overview();
    },
    'plugins:pickFolder': async () => ({
      dir: await (adapters.pickPluginFolder ?? adapters.pickFolder)(),
    }),
    'plugins:reinstall': async ({ dir }) => detach(plugins.reinstall({ dir }, { requireRegistered: true })),
    'plugins:reinstallAllowUnsigned': async ({ dir }) =>
      detach(plugins.reinstall({ dir }, { requireRegistered: true, allowUnsigned: true })),
    'plugins:timeouts': () => plugins.pluginTimeouts(),
    'plugins:debugStart': async ({ dir }) => {
      await plugins.startDebug(dir);
      return { state: plugins.debug.state(dir) };
    },
    'plugins:debugStop': async ({ dir }) => {
      await plugins.debug.stop(dir);
      return { state: plugins.debug.state(dir) };
    },
    'plugins:debugUninstallPackaged': async ({ dir }) => {
      await plugins.debug.uninstallPackaged(dir);
      return { state: plugins.debug.state(dir) };
    },
    'dify:getConnection': () => plugins.connection(),
    'dify:setConnection': (input) => plugins.setConnection(input),
    'dify:testLogin': () => plugins.testLogin(),
  };
}
