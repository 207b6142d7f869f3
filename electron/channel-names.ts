/**
 * The contract's channel and event names as plain strings, for the preload: a sandboxed preload must
 * bundle everything it imports, and the contract itself carries zod and every schema (~800 KB). The
 * names are written here once more than in the capabilities' pieces, so contract.ts refuses to
 * compile unless both lists equal its keys exactly, and a unit test checks the same at run time
 * (test/unit/security/channel-names.test.ts). No zod, no import of the contract here.
 */

export const INVOKE_CHANNEL_NAMES = [
  'app:info',
  'jobs:list',
  'jobs:cancel',
  'subscriptions:subscribe',
  'subscriptions:unsubscribe',
  'app:openDify',
  'status:get',
  'status:refresh',
  'stack:restartService',
  'settings:checkDifyDir',
  'settings:detectDifyDir',
  'settings:pickDifyDir',
  'settings:get',
  'settings:update',
  'timeouts:view',
  'timeouts:check',
  'timeouts:fit',
  'timeouts:preview',
  'timeouts:apply',
  'timeouts:backups',
  'timeouts:restore',
  'plugins:list',
  'plugins:add',
  'plugins:remove',
  'plugins:pickFolder',
  'plugins:reinstall',
  'plugins:reinstallAllowUnsigned',
  'plugins:timeouts',
  'plugins:debugStart',
  'plugins:debugStop',
  'plugins:debugUninstallPackaged',
  'dify:getConnection',
  'dify:setConnection',
  'dify:testLogin',
  'components:start',
  'components:stop',
  'processes:checkSettings',
  'doctor:run',
  'doctor:last',
  'gpu:facts',
  'gpu:unloadOllama',
  'gpu:unloadA1111',
  'gpu:reloadA1111',
  'logs:sources',
  'logs:export',
  'logs:ackErrors',
  'setup:state',
  'diagnostics:info',
  'diagnostics:export',
  'diagnostics:showInFolder',
] as const;

export const EVENT_NAME_LIST = [
  'job',
  'subscription',
  'status',
  'settings',
  'logs:open',
  'notifications:open',
] as const;

export type ListedInvokeChannel = (typeof INVOKE_CHANNEL_NAMES)[number];
export type ListedEventName = (typeof EVENT_NAME_LIST)[number];

/** Electron channel names derive from the contract's names; nothing else spells them. */
export const invokeIpcName = (c: ListedInvokeChannel): string => `invoke:${c}`;
export const eventIpcName = (e: ListedEventName): string => `event:${e}`;
