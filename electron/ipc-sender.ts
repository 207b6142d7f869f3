import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pages allowed to call main: our own built renderer, or (development only) the Vite dev server. */
export interface TrustedRenderer {
  /** Absolute path of dist/renderer/index.html. */
  rendererFile: string;
  /** e.g. http://127.0.0.1:5173/ — only set by main when running unpackaged with a dev server. */
  devServerUrl?: string | null;
  platform?: NodeJS.Platform;
}

export interface SenderFacts {
  /** The sending frame's URL; null when the frame is gone (navigated away or destroyed). */
  url: string | null | undefined;
  /** Sub-frames never get the bridge's powers, even if one somehow showed our page. */
  isMainFrame: boolean;
}

/**
 * Is this IPC call from our own page? Pure (no Electron) so it is unit tested; ipc.ts feeds it the
 * event's senderFrame. Query strings and fragments do not matter (the renderer may use hash routes);
 * the file path must be exactly our index.html (case-insensitive on Windows), and a dev server must
 * match by origin.
 */
export function isTrustedSender(sender: SenderFacts, trusted: TrustedRenderer): boolean {
  if (!sender.isMainFrame || !sender.url) return false;
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') return isSameFile(url, trusted);
  if (trusted.devServerUrl && (url.protocol === 'http:' || url.protocol === 'https:')) {
    try {
      return url.origin === new URL(trusted.devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

function isSameFile(url: URL, trusted: TrustedRenderer): boolean {
  const windows = (trusted.platform ?? process.platform) === 'win32';
  const p = windows ? path.win32 : path.posix;
  let file: string;
  try {
    file = fileURLToPath(url, { windows });
  } catch {
    return false; // e.g. file://host/… on POSIX, or an encoded slash
  }
  const actual = p.normalize(file);
  const expected = p.normalize(trusted.rendererFile);
  return windows ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
}
