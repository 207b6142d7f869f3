import { describe, expect, it } from 'vitest';
import { isTrustedSender, type TrustedRenderer } from '../../../electron/ipc-sender';

const win: TrustedRenderer = {
  rendererFile: 'C:\\Program Files\\Dify Stack Tray\\resources\\app.asar\\dist\\renderer\\index.html',
  platform: 'win32',
};
const linux: TrustedRenderer = {
  rendererFile: '/opt/dify stack/dist/renderer/index.html',
  platform: 'linux',
};
const main = (url: string | null | undefined) => ({ url, isMainFrame: true });

describe('isTrustedSender', () => {
  it('accepts our own index.html, with or without hash and query', () => {
    const base = 'file:///C:/Program%20Files/Dify%20Stack%20Tray/resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSender(main(base), win)).toBe(true);
    expect(isTrustedSender(main(`${base}#/settings`), win)).toBe(true);
    expect(isTrustedSender(main(`${base}?lang=ja`), win)).toBe(true);
    // Windows paths are case-insensitive; Chromium may report the drive letter in lower case.
    expect(isTrustedSender(main(base.replace('C:', 'c:')), win)).toBe(true);
    expect(isTrustedSender(main('file:///opt/dify%20stack/dist/renderer/index.html#/'), linux)).toBe(true);
  });

  it('refuses other files, also ones next to ours or reached through ..', () => {
    expect(isTrustedSender(main('file:///C:/Users/me/Downloads/index.html'), win)).toBe(false);
    expect(
      isTrustedSender(
        main('file:///C:/Program%20Files/Dify%20Stack%20Tray/resources/app.asar/dist/renderer/evil.html'),
        win,
      ),
    ).toBe(false);
    expect(
      isTrustedSender(main('file:///opt/dify%20stack/dist/renderer/../renderer2/index.html'), linux),
    ).toBe(false);
    expect(isTrustedSender(main('file:///opt/DIFY%20STACK/dist/renderer/index.html'), linux)).toBe(false);
    // A UNC share that happens to hold the same path.
    expect(
      isTrustedSender(
        main(
          'file://evil-host/C$/Program%20Files/Dify%20Stack%20Tray/resources/app.asar/dist/renderer/index.html',
        ),
        win,
      ),
    ).toBe(false);
  });

  it('refuses web pages, devtools, blank frames and sub-frames', () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:5173/',
      'devtools://devtools/bundled/x.html',
      'about:blank',
      'data:text/html,hi',
      '',
      null,
      undefined,
      'not a url',
    ]) {
      expect(isTrustedSender(main(url), win)).toBe(false);
    }
    const ours = 'file:///opt/dify%20stack/dist/renderer/index.html';
    expect(isTrustedSender({ url: ours, isMainFrame: false }, linux)).toBe(false);
  });

  it('accepts the dev server only when main said so, matched by origin', () => {
    const dev: TrustedRenderer = { ...linux, devServerUrl: 'http://127.0.0.1:5173/' };
    expect(isTrustedSender(main('http://127.0.0.1:5173/'), dev)).toBe(true);
    expect(isTrustedSender(main('http://127.0.0.1:5173/#/logs'), dev)).toBe(true);
    expect(isTrustedSender(main('http://127.0.0.1:5174/'), dev)).toBe(false);
    expect(isTrustedSender(main('http://localhost:5173/'), dev)).toBe(false);
    expect(isTrustedSender(main('http://127.0.0.1:5173.evil.test/'), dev)).toBe(false);
    expect(isTrustedSender(main('https://127.0.0.1:5173/'), dev)).toBe(false);
  });

  it('accepts the app:// entry main loads (issue 9, finding 11), and no other app:// page or file', () => {
    const app: TrustedRenderer = { appEntryUrl: 'app://dify-stack/index.html', platform: 'win32' };
    expect(isTrustedSender(main('app://dify-stack/index.html'), app)).toBe(true);
    expect(isTrustedSender(main('app://dify-stack/index.html#/settings'), app)).toBe(true);
    expect(isTrustedSender({ url: 'app://dify-stack/index.html', isMainFrame: false }, app)).toBe(false);
    for (const url of [
      'app://dify-stack/other.html',
      'app://dify-stack/',
      'app://evil/index.html',
      'app://dify-stack.evil/index.html',
      'app://x@dify-stack/index.html',
      'file:///C:/Program%20Files/Dify%20Stack%20Tray/resources/app.asar/dist/renderer/index.html',
      'https://dify-stack/index.html',
    ]) {
      expect(isTrustedSender(main(url), app)).toBe(false);
    }
  });
});
