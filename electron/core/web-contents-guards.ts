/**
 * What every web contents the app creates may do outside its page: nothing. It never navigates
 * (the dashboard is one document on app://), never opens a window, never hosts a webview; a link to a
 * configured service (the user's Dify) opens in the user's browser instead, anything else is
 * dropped with a note in the log. Kept out of main.ts so it is unit tested without Electron
 * (test/unit/security/web-contents-guards.test.ts); main.ts applies it on 'web-contents-created'.
 */
import { decideExternalLink } from './external-links';

/** The part of an Electron event the guards use. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's WebContents the guards use (a structural subset, so tests pass a fake). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface ExternalOpenerDeps {
  /** The configured services' origins, read at each call (the settings may have changed). */
  origins: () => readonly string[];
  /** shell.openExternal. */
  open: (url: string) => Promise<void>;
  warn: (message: string) => void;
}

/**
 * Opens `url` in the user's browser only when core/external-links.ts allows it; resolves whether it
 * did. The warning names origin and path only (a query string may carry a token).
 */
export function createExternalOpener(deps: ExternalOpenerDeps): (url: string) => Promise<boolean> {
  return async (url) => {
    const decision = decideExternalLink(url, deps.origins());
    if (!decision.open) {
      deps.warn(`Not opening ${decision.shown} (${decision.reason})`);
      return false;
    }
    await deps.open(decision.url);
    return true;
  };
}

/**
 * Denies every navigation (the app's own URL included: a reload is not a navigation, and a page
 * that navigates has lost its state and its streams), every window.open and every webview.
 * `offer` gets the URL of a navigation or window.open, to open outside if it is a known service.
 */
export function guardWebContents(contents: GuardedContents, offer: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    offer(url);
  });
  // Sub-frames have no business navigating either (the CSP allows none; this holds without it).
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    offer(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
