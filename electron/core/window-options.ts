/**
 * The dashboard window's options, kept out of main.ts so a unit test can assert every security
 * setting (test/unit/security/window-options.test.ts) and main.ts only passes them to BrowserWindow.
 * The types are this module's own (no `electron` import under core/): a structural subset of
 * Electron's BrowserWindowConstructorOptions, with the security switches typed as the only value
 * they may take, so a weakened option does not even compile.
 */
import path from 'node:path';

/** Electron's recommendations (electronjs.org/docs/latest/tutorial/security), each pinned. */
export interface HardenedWebPreferences {
  /** Inside the app: the bundle beside main.js, never a path from settings or the environment. */
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  /** Dropping a file on the window must not navigate it to that file. */
  navigateOnDragDrop: false;
  /** A middle click would open a link in a new window (denied anyway, but it never starts). */
  disableBlinkFeatures: 'Auxclick';
  /** Dify's terms and Japanese text are not English: the red underlines would be noise. */
  spellcheck: false;
  /** Only while developing: a packaged app's DevTools would hand the bridge to whoever opens them. */
  devTools: boolean;
}

export interface DashboardWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  /** Shown by main once created (or kept in the tray when started with --hidden). */
  show: false;
  title: string;
  icon: string;
  autoHideMenuBar: true;
  webPreferences: HardenedWebPreferences;
}

export interface DashboardWindowFacts {
  /** The folder of the built main.js; the preload is bundled beside it (scripts/build.mjs). */
  appDir: string;
  /** The app's resources folder (icons). */
  resourcesDir: string;
  title: string;
  /** app.isPackaged. */
  packaged: boolean;
}

export function dashboardWindowOptions(facts: DashboardWindowFacts): DashboardWindowOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: facts.title,
    icon: path.join(facts.resourcesDir, 'icon.png'),
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(facts.appDir, 'preload.js'),
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
      spellcheck: false,
      devTools: !facts.packaged,
    },
  };
}
