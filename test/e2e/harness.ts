/**
 * Runs the built renderer in Debian's Chromium against the REAL main-side services: the preload bridge
 * is replaced by `page.exposeFunction` (invoke → the same `dispatchInvoke` ipc.ts uses) and
 * `page.evaluate` (events from `wireEvents`, subscription batches included). The page is one
 * subscription owner, like a window: its streams close when a new document starts (reload) and when
 * the harness closes. Everything the harness starts — a Vite build in a temp folder, a static HTTP
 * server on 127.0.0.1, Chromium with a throw-away profile, the services — is stopped by `close()`.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { BRIDGE_KEY, type AppInfo, type EventName } from '../../electron/contract';
import { APP_ORIGIN, createAppProtocolHandler } from '../../electron/core/app-protocol';
import { rendererCsp } from '../../electron/core/renderer-csp';
import { createInvokeHandlers, dispatchInvoke, wireEvents } from '../../electron/handlers';
import type { SecretStore } from '../../electron/plugins/secrets';
import { createServices, type AppServices } from '../../electron/services';
import type { Settings } from '../../electron/settings/schema';
import { CHROMIUM_PATH } from '../helpers/docker-available';

const REPO = resolve(__dirname, '../..');
export const SCREENSHOT_DIR = join(REPO, 'test-results', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The page-side names the init script defines; not part of the app. */
const INVOKE_BINDING = '__e2eInvoke';
const EMIT_FN = '__e2eEmit';
/** Called by each new document before the app runs: what a window's did-start-navigation is to main. */
const DOCUMENT_BINDING = '__e2eDocumentStart';
/** The page's subscription owner (the harness has one page). */
const PAGE_OWNER = 'e2e-page';

let builtRenderer: Promise<string> | null = null;

/**
 * Builds the renderer once per test file into test-results/ (ignored by git), so tests always see the
 * current sources and never overwrite — or depend on — dist/.
 */
export function buildRenderer(): Promise<string> {
  builtRenderer ??= (async () => {
    const { build } = await import('vite');
    const outDir = join(REPO, 'test-results', 'e2e-renderer');
    // Vitest sets NODE_ENV=test, which makes Vite build React's development flavour: test what ships.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: join(REPO, 'renderer', 'vite.config.ts'),
        logLevel: 'warn',
        mode: 'production',
        build: { outDir, emptyOutDir: true, sourcemap: false },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    return outDir;
  })();
  return builtRenderer;
}

/**
 * The built renderer over http on 127.0.0.1 (Chromium refuses module scripts from file://), answered by
 * the app's own `app://` handler (electron/core/app-protocol.ts) with the app's CSP header: the pages are
 * tested as the window gets them — same path rules, MIME types, `nosniff`, full CSP incl. frame-ancestors.
 */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const handle = createAppProtocolHandler({
    rootDir: resolve(root),
    readFile: (file) => readFile(file),
    csp: () => rendererCsp(),
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const answer = await handle({ url: `${APP_ORIGIN}${req.url ?? '/'}`, method: req.method ?? 'GET' });
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      answer.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * The page-side half of the fake preload: the same shape preload.ts exposes with contextBridge
 * (`invoke`, `on`), backed by the exposed invoke binding and an emit function the harness calls.
 */
function bridgeScript(key: string): string {
  return `(() => {
    if (window === window.top) window[${JSON.stringify(DOCUMENT_BINDING)}]().catch(() => undefined);
    const listeners = new Map();
    window[${JSON.stringify(EMIT_FN)}] = (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    };
    const invoke = window[${JSON.stringify(INVOKE_BINDING)}];
    window[${JSON.stringify(key)}] = Object.freeze({
      invoke: (channel, input) => invoke(channel, input),
      on: (event, listener) => {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event).add(listener);
        return () => listeners.get(event).delete(listener);
      },
    });
  })();`;
}

export interface HarnessOptions {
  /** Written to the temp settings file before the services start. */
  settings?: Partial<Settings>;
  /**
   * A newcomer's start: the first-run setup not done (no settings file unless `settings` is given).
   * Without it the settings say `setupDone: true`.
   */
  firstRun?: boolean;
  /** Raw text for the settings file instead (e.g. broken JSON to see the warning banner). */
  settingsText?: string;
  /** Environment of the services (DOCKER_HOST etc.); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** What app:info reports; the browser locale follows it. */
  systemLocale?: string;
  /** What app:info reports as platform (the services themselves run on this machine's). */
  appPlatform?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Where the services keep the Dify password (default: DIFY_PASSWORD from `env`). */
  secrets?: SecretStore;
}

export interface Harness {
  page: Page;
  services: AppServices;
  configFile: string;
  /** URLs app:openDify handed to the (fake) shell. */
  openedUrls: string[];
  /** Files "Show in folder" handed to the (fake) shell. */
  shownInFolder: string[];
  /** What the next settings:pickDifyDir returns (null = the user cancelled the dialog). */
  setPickedFolder(dir: string | null): void;
  /** Console errors, page errors and CSP violations seen so far. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const root = await buildRenderer();
    const work = mkdtempSync(join(tmpdir(), 'dst-e2e-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));

    const configFile = join(work, 'config', 'settings.json');
    mkdirSync(join(work, 'config'));
    if (options.settingsText !== undefined) writeFileSync(configFile, options.settingsText);
    else if (!options.firstRun) {
      // Past the first-run setup unless the test says otherwise: the page under test opens, not the wizard.
      const settings = { setupDone: true, ...options.settings };
      writeFileSync(configFile, JSON.stringify(settings, null, 2));
    } else if (options.settings) writeFileSync(configFile, JSON.stringify(options.settings, null, 2));

    const services = await createServices({
      configFile,
      env: options.env ?? process.env,
      secrets: options.secrets,
    });
    cleanups.push(() => services.dispose());
    await services.stack.watch();
    services.processes.watch();

    const systemLocale = options.systemLocale ?? 'en-US';
    const openedUrls: string[] = [];
    const shownInFolder: string[] = [];
    let picked: string | null = null;
    // The log viewer's export: the save dialog's stand-in writes into a temp folder the test can read.
    const exportDir = mkdtempSync(join(tmpdir(), 'dst-e2e-export-'));
    cleanups.push(() => rmSync(exportDir, { recursive: true, force: true }));
    const exported: string[] = [];
    const appInfo: AppInfo = {
      version: (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version,
      platform: options.appPlatform ?? process.platform,
      systemLocale,
    };
    const handlers = createInvokeHandlers(services, {
      openExternal: async (url) => {
        openedUrls.push(url);
      },
      pickFolder: async () => picked,
      appInfo: () => appInfo,
      saveTextFile: async (suggestedName, content) => {
        const file = join(exportDir, suggestedName);
        writeFileSync(file, content, 'utf8');
        exported.push(file);
        return file;
      },
      // The diagnostics export's save dialog: a file in the same temp folder.
      pickSavePath: async (suggestedName) => join(exportDir, suggestedName),
      showInFolder: (file) => void shownInFolder.push(file),
    });

    const server = await serveStatic(root);
    cleanups.push(() => server.close());

    const viewport = options.viewport ?? { width: 1100, height: 760 };
    const profile = mkdtempSync(join(tmpdir(), 'dst-e2e-profile-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      locale: systemLocale,
      colorScheme: options.colorScheme ?? 'light',
      viewport,
      deviceScaleFactor: 1,
    });
    cleanups.push(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());

    const pageErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) pageErrors.push(`http ${res.status()}: ${res.url()}`);
    });

    await page.exposeFunction(INVOKE_BINDING, (channel: string, input: unknown) =>
      dispatchInvoke(handlers, channel, input, { validateOutput: true, caller: { owner: PAGE_OWNER } }),
    );
    // Each document calls this before any app script of its own runs, hence before its first subscribe.
    await page.exposeFunction(DOCUMENT_BINDING, () => void services.subscriptions.closeOwner(PAGE_OWNER));
    // A string, not a function: the test transpiler may wrap functions with helpers the page lacks.
    await page.addInitScript(bridgeScript(BRIDGE_KEY));

    const unwire = wireEvents(services, PAGE_OWNER, (event: EventName, payload: unknown) => {
      // Before the page has loaded (or after it closed) there is no one to tell; the page reads the
      // current state with status:get / jobs:list when it starts.
      page
        .evaluate(
          ([name, e, p]) => {
            const w = globalThis as unknown as Record<string, ((e: string, p: unknown) => void) | undefined>;
            if (typeof w[name] === 'function') w[name](e, p);
          },
          [EMIT_FN, event, payload] as const,
        )
        .catch(() => undefined);
    });
    // Cleanups run last-in first-out: events stop before the browser and the services go.
    cleanups.push(() => unwire());

    await page.goto(server.url);

    return {
      page,
      services,
      configFile,
      openedUrls,
      shownInFolder,
      setPickedFolder: (dir) => {
        picked = dir;
      },
      pageErrors,
      screenshot: async (name) => {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = join(SCREENSHOT_DIR, `${name}.png`);
        // Let any in-flight event render first.
        await page.waitForTimeout(150);
        // The window scrolls inside <main>, so a "full page" shot would cut it: grow the viewport to
        // the content for the shot, then put it back.
        const size = page.viewportSize() ?? viewport;
        // (A string: this file is type-checked without the DOM library.)
        const needed = await page.evaluate<number>(
          `(() => { const m = document.querySelector('main');
            return m ? m.scrollHeight + (window.innerHeight - m.clientHeight) : window.innerHeight; })()`,
        );
        if (needed > size.height) await page.setViewportSize({ width: size.width, height: needed });
        await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        if (needed > size.height) await page.setViewportSize(size);
        return file;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
