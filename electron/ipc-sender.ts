import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pages allowed to call main: our own built renderer, or (development only) the Vite dev server. */
export interface TrustedRenderer {
  /** The built renderer's entry on the app:// scheme (core/app-protocol.ts), as main loads it. */
  appEntryUrl?: string;
  /** Absolute path of dist/renderer/index.html, when the renderer is loaded from file://. */
  rendererFile?: string;
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
  if (trusted.appEntryUrl && url.protocol === new URL(trusted.appEntryUrl).protocol) {
    return isAppEntry(url, new URL(trusted.appEntryUrl));
  }
  if (url.protocol === 'file:')
    return trusted.rendererFile ? isSameFile(url, trusted.rendererFile, trusted) : false;
  if (trusted.devServerUrl && (url.protocol === 'http:' || url.protocol === 'https:')) {
    try {
      return url.origin === new URL(trusted.devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** Same scheme, host and path (the page is one document; query and fragment may differ). */
function isAppEntry(url: URL, entry: URL): boolean {
  return url.host === entry.host && url.pathname === entry.pathname && !url.username && !url.password;
}

function isSameFile(url: URL, rendererFile: string, trusted: TrustedRenderer): boolean {
  const windows = (trusted.platform ?? process.platform) === 'win32';
  const p = windows ? path.win32 : path.posix;
  let file: string;
  try {
    file = fileURLToPath(url, { windows });
  } catch {
    return false; // e.g. file://host/… on POSIX, or an encoded slash
  }
  const actual = p.normalize(file);
  const expected = p.normalize(rendererFile);
  return windows ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
}
