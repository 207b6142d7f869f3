/**
 * Issue 15, "Installer": electron-builder.yml cannot be built into an installer on these Linux machines
 * (no Electron binary, no NSIS run), so this test holds it to what electron-builder itself would accept
 * — its own validateConfiguration over the installed scheme.json — and to the decisions the YAML
 * comments explain, one option at a time. The fuses are asserted in test/unit/security/electron-fuses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardWindowOptions } from '../../../electron/core/window-options';
import { TRAY_BADGES, TRAY_ICON_STATES, trayIconFile } from '../../../electron/tray';

const ROOT = path.resolve(__dirname, '../../..');

interface ExtraResource {
  from: string;
  to: string;
  filter: string[];
}

interface BuilderConfig {
  appId?: string;
  asar?: boolean;
  asarUnpack?: string[];
  files?: string[];
  extraResources?: ExtraResource[];
  electronFuses?: Record<string, boolean>;
  win?: { target?: { target: string; arch: string[] }[]; icon?: string };
  nsis?: Record<string, unknown>;
}

function readConfig(): BuilderConfig {
  return parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

/**
 * electron-builder's file sets: patterns in order, a `!` pattern takes back what earlier ones matched
 * (app-builder-lib's FileMatcher does the same with minimatch, dot files included).
 */
function matchesFileSet(patterns: readonly string[], relative: string): boolean {
  let included = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (minimatch(relative, pattern.slice(1), { dot: true })) included = false;
    } else if (minimatch(relative, pattern, { dot: true })) {
      included = true;
    }
  }
  return included;
}

describe('electron-builder.yml', () => {
  const config = readConfig();

  it('passes the installed electron-builder’s own validation (its scheme.json)', async () => {
    // The function `electron-builder` calls before building; it throws on anything its schema refuses.
    const { validateConfiguration } =
      (await import('app-builder-lib/out/util/config/config.js')) as unknown as {
        validateConfiguration(c: unknown, logger: { isEnabled: boolean }): Promise<void>;
      };
    await expect(validateConfiguration(config, { isEnabled: false })).resolves.toBeUndefined();
    // The validator is strict enough to catch a misspelt key, or this test proves nothing (it names
    // the object holding the unknown key, not the key).
    await expect(
      validateConfiguration({ ...config, nsis: { ...config.nsis, perMachin: false } }, { isEnabled: false }),
    ).rejects.toThrow(/configuration\.nsis /);
  });

  it('has the app id main.ts gives Windows (notifications and taskbar group by it)', () => {
    const mainSource = readFileSync(path.join(ROOT, 'electron/main.ts'), 'utf8');
    const appId = /const APP_ID = '([^']+)'/.exec(mainSource)?.[1];
    expect(appId).toBeDefined();
    expect(config.appId).toBe(appId);
  });

  it('builds a per-user one-click NSIS installer for x64 that never asks for elevation', () => {
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.nsis).toMatchObject({
      oneClick: true,
      perMachine: false,
      allowElevation: false,
      runAfterFinish: true,
      deleteAppDataOnUninstall: false,
      uninstallDisplayName: '${productName}',
    });
  });

  it('speaks Japanese and English in the installer', () => {
    expect(config.nsis?.installerLanguages).toEqual(['ja_JP', 'en_US']);
    expect(config.nsis?.multiLanguageInstaller).toBe(true);
  });

  it('makes a start-menu and a desktop shortcut named after the product', () => {
    expect(config.nsis).toMatchObject({
      createStartMenuShortcut: true,
      createDesktopShortcut: true,
      shortcutName: 'Dify Stack Tray',
    });
  });

  it('has a Windows icon electron-builder accepts: a PNG of at least 256×256', () => {
    const icon = readFileSync(path.join(ROOT, config.win?.icon ?? 'missing'));
    expect(icon.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The IHDR chunk: width and height as big-endian 32-bit integers at offsets 16 and 20.
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(256);
    expect(icon.readUInt32BE(20)).toBeGreaterThanOrEqual(256);
  });

  it('packs into an asar with the fuses set', () => {
    expect(config.asar).toBe(true);
    expect(Object.keys(config.electronFuses ?? {})).toContain('onlyLoadAppFromAsar');
  });

  it('leaves every native addon of the production dependencies unpacked', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const productionDirs = Object.entries(lock.packages)
      .filter(([dir, entry]) => dir.startsWith('node_modules/') && entry.dev !== true)
      .map(([dir]) => dir)
      .filter((dir) => existsSync(path.join(ROOT, dir)));
    expect(productionDirs.length).toBeGreaterThan(0);
    const addons = productionDirs.flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.node'))
        .map((file) => path.posix.join(dir, file.split(path.sep).join('/'))),
    );
    for (const addon of addons) {
      expect({ addon, unpacked: matchesFileSet(config.asarUnpack ?? [], addon) }).toEqual({
        addon,
        unpacked: true,
      });
    }
  });

  describe('ships every file the app reads by path', () => {
    const files = config.files ?? [];
    /** main.js runs from dist/ (package.json main); the preload and the renderer sit beside it. */
    const appDir = path.dirname(
      (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main,
    );
    const window = dashboardWindowOptions({
      appDir,
      resourcesDir: 'resources',
      title: '',
      packaged: true,
    });

    it('main, preload, the CLI and the renderer through files:', () => {
      const wanted = [
        'package.json',
        path.posix.join(appDir, 'main.js'),
        window.webPreferences.preload,
        path.posix.join(appDir, 'cli.js'),
        path.posix.join(appDir, 'renderer', 'index.html'),
      ];
      // After a build (CI builds before the tests), every file it wrote but the source maps.
      const built = existsSync(path.join(ROOT, appDir))
        ? readdirSync(path.join(ROOT, appDir), { recursive: true, encoding: 'utf8' })
            .map((file) => path.posix.join(appDir, file.split(path.sep).join('/')))
            .filter((file) => !file.endsWith('.map') && !file.endsWith('/'))
        : [];
      for (const file of [...wanted, ...built]) {
        expect({ file, shipped: matchesFileSet(files, file) }).toEqual({ file, shipped: true });
      }
      expect(matchesFileSet(files, path.posix.join(appDir, 'main.js.map'))).toBe(false);
    });

    it('the window and tray icons as plain files in resources/ (nativeImage reads them by path)', () => {
      const resources = config.extraResources?.find((r) => r.to === 'resources');
      expect(resources?.from).toBe('resources');
      const trayFiles = TRAY_ICON_STATES.flatMap((state) =>
        [null, ...TRAY_BADGES].map((badge) => trayIconFile('resources', state, badge)),
      );
      const wanted = [window.icon, ...trayFiles, ...trayFiles.map((f) => f.replace(/\.png$/, '@2x.png'))];
      for (const file of wanted.map((f) => f.split(path.sep).join('/'))) {
        const inFolder = path.posix.relative('resources', file);
        expect({
          file,
          exists: existsSync(path.join(ROOT, file)),
          shipped: matchesFileSet(resources?.filter ?? [], inFolder),
        }).toEqual({ file, exists: true, shipped: true });
      }
    });

    it('the locales: inside main.js, beside the CLI bundles in dist/locales/ (issue 8)', () => {
      const i18n = readFileSync(path.join(ROOT, 'electron/core/i18n.ts'), 'utf8');
      for (const lang of ['en', 'ja']) {
        // Required where translations start (resolved by esbuild: bundled into main, beside the CLI's).
        expect(i18n).toContain(`require('../../resources/locales/${lang}.json')`);
        const copy = path.posix.join(appDir, 'locales', `${lang}.json`);
        expect({ copy, shipped: matchesFileSet(files, copy) }).toEqual({ copy, shipped: true });
      }
      const build = readFileSync(path.join(ROOT, 'scripts/build.mjs'), 'utf8');
      expect(build).toContain('copyFileSync(`resources/locales/${lang}.json`, `dist/locales/${lang}.json`)');
      // After a build: the CLI's bundles read them from there, main.js has them inside.
      if (existsSync(path.join(ROOT, appDir, 'cli-status.js'))) {
        expect(readFileSync(path.join(ROOT, appDir, 'cli-status.js'), 'utf8')).toContain(
          'require("./locales/en.json")',
        );
        expect(readFileSync(path.join(ROOT, appDir, 'main.js'), 'utf8')).not.toContain('./locales/en.json');
      }
    });
  });
});
