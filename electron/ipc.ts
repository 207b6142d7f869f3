import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { INVOKE_CHANNELS, invokeIpcName, type InvokeChannel } from './contract';
import { AppError } from './core/errors';
import { dispatchInvoke, webContentsOwner, type DispatchOptions, type InvokeHandlers } from './handlers';
import { isTrustedSender, type TrustedRenderer } from './ipc-sender';

/**
 * Registers one ipcMain handler per contract channel. Each call is checked for its sender (only our
 * own page may call), then validated and run by dispatchInvoke, which never throws: errors come back
 * as `{ok: false, error: {code, message, detail}}`. The sending window is the caller, so the streams
 * it opens are its own. Returns the unregister function.
 */
export function registerIpc(
  handlers: InvokeHandlers,
  trusted: TrustedRenderer,
  options: DispatchOptions = {},
): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(invokeIpcName(channel), (event, rawInput: unknown) => handle(event, channel, rawInput));
  }

  function handle(event: IpcMainInvokeEvent, channel: InvokeChannel, rawInput: unknown) {
    const frame = event.senderFrame;
    const sender = { url: frame?.url, isMainFrame: frame !== null && frame.parent === null };
    if (!isTrustedSender(sender, trusted)) {
      return { ok: false as const, error: new AppError('FORBIDDEN_SENDER').toInfo() };
    }
    return dispatchInvoke(handlers, channel, rawInput, {
      ...options,
      caller: { owner: webContentsOwner(event.sender.id) },
    });
  }

  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(invokeIpcName(channel));
  };
}
