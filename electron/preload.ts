/**
 * The only bridge between the sandboxed renderer and main: a typed invoke/on over the contract's
 * channels, nothing else (no ipcRenderer, no Node). Channels outside the contract are refused here
 * too, so a compromised page cannot reach other IPC names through the bridge.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  BRIDGE_KEY,
  EVENT_NAMES,
  eventIpcName,
  INVOKE_CHANNELS,
  invokeIpcName,
  type DifyStackBridge,
  type EventName,
  type InvokeChannel,
} from './contract';

const invokeChannels = new Set<string>(INVOKE_CHANNELS);
const eventNames = new Set<string>(EVENT_NAMES);

const bridge: DifyStackBridge = {
  invoke(channel, input) {
    if (!invokeChannels.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: `Unknown channel: ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(invokeIpcName(channel as InvokeChannel), input);
  },
  on(event, listener) {
    if (!eventNames.has(event)) throw new Error(`Unknown event: ${String(event)}`);
    const name = eventIpcName(event as EventName);
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
