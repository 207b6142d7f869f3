/**
 * The only bridge between the sandboxed renderer and main: a typed invoke/on over the contract's
 * channels, nothing else (no ipcRenderer, no Node). Channels outside the contract are refused here
 * too, so a compromised page cannot reach other IPC names through the bridge. It imports only the
 * zod-free names (channel-names.ts) and types: validation happens in main (ipc.ts), and a sandboxed
 * preload bundles all it imports (test/unit/security/preload-bundle.test.ts keeps it small).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_KEY } from './bridge-key';
import {
  EVENT_NAME_LIST,
  eventIpcName,
  INVOKE_CHANNEL_NAMES,
  invokeIpcName,
  type ListedEventName,
  type ListedInvokeChannel,
} from './channel-names';
import type { DifyStackBridge } from './contract';

const invokeChannels = new Set<string>(INVOKE_CHANNEL_NAMES);
const eventNames = new Set<string>(EVENT_NAME_LIST);

const bridge: DifyStackBridge = {
  invoke(channel, input) {
    if (!invokeChannels.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: `Unknown channel: ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(invokeIpcName(channel as ListedInvokeChannel), input);
  },
  on(event, listener) {
    if (!eventNames.has(event)) throw new Error(`Unknown event: ${String(event)}`);
    const name = eventIpcName(event as ListedEventName);
    const wrapped = (_e: IpcRendererEvent, payload: unknown): void => {
      // The payload was built from the same contract in main; the renderer is the only reader.
      (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(name, wrapped);
    return () => {
      ipcRenderer.removeListener(name, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
