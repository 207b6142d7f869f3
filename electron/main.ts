/**
 * The Electron shell, kept thin: single-instance lock, the services, the tray, the dashboard window
 * and its hardening. Everything with logic lives in modules that run (and are tested) without
 * Electron: handlers.ts, ipc-sender.ts, tray.ts, services.ts.
 */
import writeFileAtomic from 'write-file-atomic';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventIpcName, type LogsOpenRequest, type NotificationOpen } from './contract';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from './core/app-protocol';
import { AppError, toErrorInfo } from './core/errors';
import { allowedOrigins } from './core/external-links';
import { resolveLang, translate } from './core/i18n';
import { rendererCsp } from './core/renderer-csp';
import { createExternalOpener, guardWebContents } from './core/web-contents-guards';
import { dashboardWindowOptions } from './core/window-options';
import {
  createInvokeHandlers,
  webContentsOwner,
  wireEvents,
  type HandlerAdapters,
  type InvokeHandlers,
} from './handlers';
import { registerIpc } from './ipc';
import { EncryptedFileSecretStore, type SecretCipher } from './plugins/secrets';
import type { AppNotification, NotificationTarget } from './notifications/api';
import { createServices, type AppServices } from './services';
import { settingsFilePath } from './settings/paths';
import { electronLoginItem, LOGIN_ARG } from './setup/api';
import { TrayController, trayIconFile } from './tray';

/** Must match electron-builder.yml's appId (Windows groups notifications and taskbar entries by it). */
const APP_ID = 'io.github.difystacktray';
/** `npm run dev:renderer` serves the renderer here; only honoured when running unpackaged. */
const devServerUrl = !app.isPackaged ? process.env.DIFY_STACK_DEV_SERVER_URL || null : null;
/** Served as app://dify-stack/ (core/app-protocol.ts), never loaded from file://. */
const rendererDir = path.join(__dirname, 'renderer');
const resourcesDir = app.isPackaged
  ? path.join(process.resourcesPath, 'resources')
  : path.join(app.getAppPath(), 'resources');
/**
 * safeStorage for the Dify password. On Linux without a keyring Electron falls back to a hard-coded
 * key ('basic_text'): that is no protection, so it counts as "no encryption" and nothing is stored.
 */
const safeStorageCipher: SecretCipher = {
  isEncryptionAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'),
  encryptString: (plain) => safeStorage.encryptString(plain),
  decryptString: (encrypted) => safeStorage.decryptString(encrypted),
};

/** Next to settings.json, in the per-user app-data folder. */
function secretsFile(): string {
  const settings = settingsFilePath({ platform: process.platform, env: process.env, homedir: os.homedir() });
  return path.join(path.dirname(settings), 'secrets.json');
}

/** How long quitting waits for jobs and Docker streams to close before it gives up on them. */
const DISPOSE_TIMEOUT_MS = 5000;

/** Header copy of the renderer's meta CSP, plus frame-ancestors (which a meta tag cannot carry). */
const csp = (): string => rendererCsp({ devServer: devServerUrl !== null });

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp()] },
    });
  });
  // No remote content: the only web origin the window may reach is the dev server during development.
  // No local files either: the renderer comes from app://, so a file:// request is never ours.
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : null;
  ses.webRequest.onBeforeRequest((details, callback) => {
    const url = new URL(details.url);
    const web = ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol);
    const origin = `${url.protocol.replace(/^ws/, 'http')}//${url.host}`;
    callback({ cancel: url.protocol === 'file:' || (web && origin !== devOrigin) });
  });
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ rootDir: rendererDir, readFile: (file) => readFile(file), csp }),
  );
}

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  // Before app ready, or Chromium treats app:// as an opaque, non-secure scheme.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

  let services: AppServices | null = null;
  let handlers: InvokeHandlers | null = null;
  let window: BrowserWindow | null = null;
  let trayController: TrayController<Electron.NativeImage, Electron.Menu> | null = null;
  let unregisterIpc: (() => void) | null = null;
  let quitting = false;
  let disposed = false;
  /**
   * The window's page listens for events once it has asked for its first status (useLiveData and the
   * `logs:open` listener are effects of the same first render): an event sent earlier would be lost,
   * so a log-viewer request waits for that.
   */
  let pageListening = false;
  let pendingLogsOpen: LogsOpenRequest | null = null;
  let pendingPageOpen: NotificationOpen | null = null;

  const lang = () => resolveLang(services?.settings.get().settings.language ?? 'system', app.getLocale());

  /** Only the services the user configured reach the browser (core/external-links.ts says why). */
  const openExternal = createExternalOpener({
    origins: () => allowedOrigins([services?.settings.get().settings.difyUrl]),
    // Reached only through createExternalOpener, after core/external-links.ts allowed the URL.
    open: (url) => shell.openExternal(url), // eng-disable OPEN_EXTERNAL_JS_CHECK
    warn: (message) => console.warn(message),
  });

  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, (url) => void openExternal(url));
  });

  const showDashboard = (): void => {
    if (!services) return;
    window ??= createWindow(services);
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const sendLogsOpen = (request: LogsOpenRequest): void => {
    if (window && !window.isDestroyed()) window.webContents.send(eventIpcName('logs:open'), request);
  };

  /** The tray's "Plugin daemon logs": the window on its log viewer, at the last error if there is one. */
  const openLogs = (request: LogsOpenRequest): void => {
    showDashboard();
    if (pageListening) sendLogsOpen(request);
    else pendingLogsOpen = request;
    // Opened at the errors' line: they are seen, as when the dashboard's badge is clicked.
    if (request.at) services?.logs.ackErrors();
  };

  const pageStarted = (owner: string | undefined): void => {
    if (!window || owner !== webContentsOwner(window.webContents.id) || pageListening) return;
    pageListening = true;
    const request = pendingLogsOpen;
    pendingLogsOpen = null;
    if (request) sendLogsOpen(request);
    const page = pendingPageOpen;
    pendingPageOpen = null;
    if (page && window) window.webContents.send(eventIpcName('notifications:open'), page);
  };

  /** A clicked notification: the window, on the page it was about (electron/notifications decides which). */
  const openNotificationTarget = (target: NotificationTarget): void => {
    if (target.page === 'logs') return openLogs(target.request);
    const page: NotificationOpen =
      target.page === 'gpu' ? { page: 'gpu', jobId: null } : { page: 'dashboard', jobId: target.jobId };
    showDashboard();
    if (pageListening && window) window.webContents.send(eventIpcName('notifications:open'), page);
    else pendingPageOpen = page;
  };

  /** Electron's Notification, nothing more: what to tell and when is the Notifier's. */
  const showNotification = (n: AppNotification): void => {
    if (!Notification.isSupported()) return;
    const toast = new Notification({ title: n.title, body: n.body });
    toast.on('click', () => openNotificationTarget(n.target));
    toast.show();
  };

  function createWindow(s: AppServices): BrowserWindow {
    const facts = {
      appDir: __dirname,
      resourcesDir,
      title: translate(lang(), 'app.name'),
      packaged: app.isPackaged,
    };
    // electronegativity reads one file at a time and cannot see the options this call builds: they
    // pin contextIsolation, sandbox and disableBlinkFeatures 'Auxclick' by their type, and
    // test/unit/security/window-options.test.ts asserts them.
    const w = new BrowserWindow(dashboardWindowOptions(facts)); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
    // Closing the window only hides it: the tray keeps the app (and the stack watch) running.
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      w.hide();
    });
    // Windows log-off/shutdown: let the window close so the session can end.
    w.on('session-end', () => {
      quitting = true;
    });
    const contents = w.webContents;
    const owner = webContentsOwner(contents.id);
    const unwire = wireEvents(s, owner, (event, payload) => {
      if (!w.isDestroyed()) contents.send(eventIpcName(event), payload);
    });
    // A page that goes away cannot unsubscribe what it opened: a reload or a crash closes its streams
    // (the next document subscribes afresh), destroying the contents closes them for good.
    const closeStreams = () => void s.subscriptions.closeOwner(owner);
    contents.on('did-start-navigation', (details) => {
      if (!details.isMainFrame || details.isSameDocument) return;
      closeStreams();
      pageListening = false;
    });
    contents.on('render-process-gone', closeStreams);
    contents.on('destroyed', unwire);
    w.on('closed', () => {
      unwire();
      window = null;
      pageListening = false;
    });
    void w.loadURL(devServerUrl ?? APP_ENTRY_URL);
    return w;
  }

  function createTray(s: AppServices, h: InvokeHandlers): void {
    const image = (state: Parameters<typeof trayIconFile>[1]) =>
      nativeImage.createFromPath(trayIconFile(resourcesDir, state));
    const tray = new Tray(image('stopped'));
    // The tooltip's VRAM line at 1 s while the pointer rests on the icon ('mouse-move': Windows, macOS).
    let releaseTooltip: (() => void) | null = null;
    let tooltipTimer: NodeJS.Timeout | null = null;
    tray.on('mouse-move', () => {
      releaseTooltip ??= s.gpu.need('tooltip');
      if (tooltipTimer) clearTimeout(tooltipTimer);
      tooltipTimer = setTimeout(() => {
        releaseTooltip?.();
        releaseTooltip = null;
      }, 10_000);
    });
    // A job's failure surfaces as job state; the catch only keeps it from being an unhandled rejection.
    const detach = (run: () => { done: Promise<unknown> }) => void run().done.catch(() => undefined);
    trayController = new TrayController<Electron.NativeImage, Electron.Menu>({
      tray,
      buildMenu: (template) => Menu.buildFromTemplate(template),
      image,
      snapshot: s.snapshot,
      jobs: s.jobs,
      settings: s.settings,
      systemLocale: app.getLocale(),
      plugins: {
        reinstall: (dir) => detach(() => s.plugins.reinstall({ dir }, { requireRegistered: true })),
        stopDebug: (dir) =>
          void s.plugins.debug.stop(dir).catch((e: unknown) => console.error(toErrorInfo(e).message)),
      },
      gpu: {
        unloadModels: () =>
          void s.gpu.unloadOllama().catch((e: unknown) => console.error(toErrorInfo(e).message)),
      },
      logs: { open: openLogs },
      components: {
        start: (id) => detach(() => s.processes.startComponents([id])),
        stop: (id) => detach(() => s.processes.stopComponents([id])),
      },
      actions: {
        // The whole stack, in order: engine → Ollama → A1111 → Dify (Stop the reverse).
        start: () => detach(() => s.processes.startComponents()),
        stop: () => detach(() => s.processes.stopComponents()),
        openDify: () =>
          void h['app:openDify']({}).catch((e: unknown) => console.error(toErrorInfo(e).message)),
        openDashboard: showDashboard,
        quit: () => {
          quitting = true;
          app.quit();
        },
      },
    });
  }

  const adapters: HandlerAdapters = {
    async openExternal(url) {
      if (!(await openExternal(url))) {
        throw new AppError('INVALID_ARGUMENT', { params: { reason: 'not a configured service URL' } });
      }
    },
    async pickFolder() {
      const options: Electron.OpenDialogOptions = {
        title: translate(lang(), 'tray.pickDifyDir'),
        properties: ['openDirectory'],
      };
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async pickPluginFolder() {
      const options: Electron.OpenDialogOptions = {
        title: translate(lang(), 'plugins.page.pickFolder'),
        properties: ['openDirectory'],
      };
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async saveTextFile(suggestedName, content) {
      const options: Electron.SaveDialogOptions = {
        title: translate(lang(), 'logs.exportTitle'),
        defaultPath: suggestedName,
        filters: [{ name: 'Log', extensions: ['log', 'txt'] }],
      };
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return null;
      await writeFileAtomic(result.filePath, content, 'utf8');
      return result.filePath;
    },
    async pickSavePath(suggestedName) {
      const options: Electron.SaveDialogOptions = {
        title: translate(lang(), 'diagnostics.saveTitle'),
        defaultPath: path.join(app.getPath('downloads'), suggestedName),
        filters: [{ name: 'Zip', extensions: ['zip'] }],
      };
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    showInFolder: (file) => shell.showItemInFolder(file),
    appInfo: () => ({ version: app.getVersion(), platform: process.platform, systemLocale: app.getLocale() }),
  };

  app.on('second-instance', showDashboard);
  // Keep running in the tray when the window is gone; quitting is the tray's Quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    trayController?.dispose();
    unregisterIpc?.();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_TIMEOUT_MS).unref());
    void Promise.race([services?.dispose() ?? Promise.resolve(), timeout])
      .catch((e: unknown) => console.error('dispose failed:', e))
      .finally(() => {
        disposed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(async () => {
      app.setAppUserModelId(APP_ID);
      Menu.setApplicationMenu(null);
      hardenSession();
      services = await createServices({
        secrets: new EncryptedFileSecretStore(secretsFile(), safeStorageCipher),
        notifications: {
          systemLocale: app.getLocale(),
          windowVisible: () =>
            !!window && !window.isDestroyed() && window.isVisible() && !window.isMinimized(),
          show: showNotification,
        },
      });
      const invokeHandlers = createInvokeHandlers(services, adapters);
      handlers = {
        ...invokeHandlers,
        'status:get': async (input, caller) => {
          const status = await invokeHandlers['status:get'](input, caller);
          pageStarted(caller?.owner);
          return status;
        },
      };
      // Results are checked against the contract while developing; a mismatch there is a bug in main.
      unregisterIpc = registerIpc(
        handlers,
        { appEntryUrl: APP_ENTRY_URL, devServerUrl, platform: process.platform },
        { validateOutput: !app.isPackaged },
      );
      createTray(services, handlers);
      // Started by the OS at login (`--hidden`): stay in the tray. Started by the user: show the dashboard.
      if (!process.argv.includes(LOGIN_ARG)) showDashboard();
      services.stack
        .watch()
        .catch((e: unknown) => console.error('status watch failed:', toErrorInfo(e).message));
      services.processes.watch();
      // The OS login item follows the `startAtLogin` setting (now, and at each change of it).
      services.setup.followLoginItem(electronLoginItem((item) => app.setLoginItemSettings(item)));
      services.setup
        .startStackOnLaunch()
        .catch((e: unknown) => console.error('start on launch failed:', toErrorInfo(e).message));
      // The tray's VRAM line, tooltip and alert badge: a reading every 5 s (a view asks for 1 s).
      services.gpu.need('badge');
    })
    .catch((e: unknown) => {
      const info = toErrorInfo(e);
      dialog.showErrorBox(
        translate(lang(), 'app.name'),
        [info.message, info.detail].filter(Boolean).join('\n\n'),
      );
      app.exit(1);
    });
}

start();
