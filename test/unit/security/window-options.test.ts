/**
 * Issue 15: every BrowserWindow's options meet Electron's security recommendations. The options come
 * from one pure module (electron/core/window-options.ts); the second half checks that main.ts (and
 * nothing else under electron/) builds a window any other way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardWindowOptions } from '../../../electron/core/window-options';

const ROOT = path.resolve(__dirname, '../../..');
const appDir = path.join(ROOT, 'dist');
const facts = { appDir, resourcesDir: path.join(ROOT, 'resources'), title: 'Dify Stack Tray' };

describe('dashboardWindowOptions', () => {
  for (const packaged of [false, true]) {
    it(`pins every security setting (${packaged ? 'packaged' : 'development'})`, () => {
      const { webPreferences } = dashboardWindowOptions({ ...facts, packaged });
      expect(webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
        navigateOnDragDrop: false,
        disableBlinkFeatures: 'Auxclick',
      });
      // Nothing that would switch a Chromium feature on behind the settings above.
      expect(Object.keys(webPreferences)).not.toContain('enableBlinkFeatures');
      expect(Object.keys(webPreferences)).not.toContain('additionalArguments');
    });
  }

  it('turns DevTools off when packaged', () => {
    expect(dashboardWindowOptions({ ...facts, packaged: true }).webPreferences.devTools).toBe(false);
    expect(dashboardWindowOptions({ ...facts, packaged: false }).webPreferences.devTools).toBe(true);
  });

  it('loads the preload from the app’s own folder, by an absolute path', () => {
    const { preload } = dashboardWindowOptions({ ...facts, packaged: true }).webPreferences;
    expect(path.isAbsolute(preload)).toBe(true);
    expect(path.relative(appDir, preload)).toBe('preload.js');
  });

  it('starts hidden (main shows it, or keeps it in the tray at login)', () => {
    expect(dashboardWindowOptions({ ...facts, packaged: true }).show).toBe(false);
  });
});

/** Every .ts file under electron/, with its path relative to the repository. */
function electronSources(dir = path.join(ROOT, 'electron')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return electronSources(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

describe('windows in the app’s source', () => {
  it('are built only in main.ts, and every one from dashboardWindowOptions', () => {
    const constructing = electronSources().filter((file) =>
      /new\s+(?:Electron\.)?BrowserWindow\s*\(/.test(readFileSync(file, 'utf8')),
    );
    expect(constructing.map((file) => path.relative(ROOT, file))).toEqual([path.join('electron', 'main.ts')]);
    const main = readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8');
    const calls = [...main.matchAll(/new\s+(?:Electron\.)?BrowserWindow\s*\(\s*([A-Za-z_$][\w$]*)?/g)];
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call[1]).toBe('dashboardWindowOptions');
  });

  it('are never given options after the fact (setting webPreferences on a live window)', () => {
    const main = readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8');
    expect(main).not.toMatch(/webPreferences\s*[:=]/);
  });
});
