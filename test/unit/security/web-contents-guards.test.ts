/**
 * Issue 15: navigation and window.open denied, webviews refused, and only the configured services'
 * origins reach shell.openExternal. Against a recording fake of the WebContents subset the guards use.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { allowedOrigins } from '../../../electron/core/external-links';
import {
  createExternalOpener,
  guardWebContents,
  type GuardedContents,
  type PreventableEvent,
} from '../../../electron/core/web-contents-guards';

type Listener = (event: PreventableEvent, url?: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  const contents: GuardedContents = {
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler) {
      openHandler = handler;
    },
  } as GuardedContents;
  /** Emits like Electron; resolves whether some listener prevented the default. */
  const emit = (event: string, url?: string): boolean => {
    let prevented = false;
    const e = { preventDefault: () => void (prevented = true) };
    for (const listener of listeners.get(event) ?? []) listener(e, url);
    return prevented;
  };
  return { contents, emit, windowOpen: (url: string) => openHandler?.({ url }) };
}

const APP_PAGE = 'app://dify-stack/index.html';
const DIFY = 'http://localhost';

function guarded() {
  const fake = fakeContents();
  const offered: string[] = [];
  guardWebContents(fake.contents, (url) => offered.push(url));
  return { ...fake, offered };
}

describe('guardWebContents', () => {
  it('prevents every navigation, the app’s own page included', () => {
    const { emit } = guarded();
    for (const url of [APP_PAGE, `${APP_PAGE}#/logs`, DIFY, 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect({ url, prevented: emit('will-navigate', url) }).toEqual({ url, prevented: true });
    }
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string()), (url) => emit('will-navigate', url)),
      { numRuns: 200 },
    );
  });

  it('prevents sub-frame navigations and every webview', () => {
    const { emit } = guarded();
    expect(emit('will-frame-navigate', APP_PAGE)).toBe(true);
    expect(emit('will-attach-webview')).toBe(true);
  });

  it('denies every window.open', () => {
    const { windowOpen } = guarded();
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.constant(APP_PAGE), fc.string()), (url) => {
        expect(windowOpen(url)).toEqual({ action: 'deny' });
      }),
      { numRuns: 200 },
    );
  });

  it('offers navigations and window.open URLs to open outside (the opener decides)', () => {
    const { emit, windowOpen, offered } = guarded();
    emit('will-navigate', `${DIFY}/apps`);
    windowOpen('https://evil.example/');
    expect(offered).toEqual([`${DIFY}/apps`, 'https://evil.example/']);
  });
});

describe('createExternalOpener', () => {
  const opener = (configured: () => string[]) => {
    const opened: string[] = [];
    const warn = vi.fn();
    const open = createExternalOpener({
      origins: () => allowedOrigins(configured()),
      open: async (url) => void opened.push(url),
      warn,
    });
    return { open, opened, warn };
  };

  it('opens only URLs on a configured service’s origin', async () => {
    const { open, opened } = opener(() => [DIFY]);
    await expect(open('http://localhost/apps')).resolves.toBe(true);
    await expect(open('HTTP://LocalHost:80/signin')).resolves.toBe(true);
    for (const url of [
      APP_PAGE,
      'file:///C:/Windows/System32/calc.exe',
      'http://localhost:8080/',
      'https://localhost/',
      'http://user:pw@localhost/',
      'https://evil.example/?next=http://localhost',
      'ms-settings:',
      'not a url',
    ]) {
      await expect(open(url)).resolves.toBe(false);
    }
    expect(opened).toEqual(['http://localhost/apps', 'http://localhost/signin']);
  });

  it('never reaches the browser for a random URL off the configured origins', async () => {
    const { open, opened } = opener(() => ['http://dify.internal:8080']);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string()), async (url) => {
        await open(url);
      }),
      { numRuns: 300 },
    );
    for (const url of opened) expect(new URL(url).origin).toBe('http://dify.internal:8080');
  });

  it('reads the origins at each call (a changed Dify URL applies at once) and logs no query', async () => {
    let configured = [DIFY];
    const { open, opened, warn } = opener(() => configured);
    configured = ['http://dify.lan'];
    await expect(open('http://localhost/x?token=s3cret')).resolves.toBe(false);
    await expect(open('http://dify.lan/x')).resolves.toBe(true);
    expect(opened).toEqual(['http://dify.lan/x']);
    expect(warn.mock.calls.join('\n')).toContain('http://localhost/x');
    expect(warn.mock.calls.join('\n')).not.toContain('s3cret');
  });
});
