/**
 * electron/main.ts against a recording fake of the `electron` module (the real binary cannot run
 * here): checks the wiring — single-instance lock, hardened window hidden on close, navigation and
 * window.open denied, CSP header, remote requests blocked, IPC sender check, dispose on quit.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, invokeIpcName } from '../../../electron/contract';

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    app: null as unknown as EventEmitter & Record<string, unknown>,
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    windows: [] as Array<EventEmitter & Record<string, unknown>>,
    trays: [] as Array<Record<string, unknown>>,
    opened: [] as string[],
    headersHook: null as null | ((details: unknown, cb: (r: unknown) => void) => void),
    requestHook: null as null | ((details: unknown, cb: (r: unknown) => void) => void),
    schemes: [] as unknown[],
    /** Whether app ready had fired when the schemes were registered (Electron requires before). */
    schemesBeforeReady: null as boolean | null,
    ready: false,
    protocolHandlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
    quitCalls: 0,
    readyResolve: null as null | (() => void),
  };
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const ready = new Promise<void>((r) => (fake.readyResolve = r));
  const app = Object.assign(new EE(), {
    isPackaged: false,
    getAppPath: () => '/app',
    getLocale: () => 'ja-JP',
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: () => fake.lock,
    whenReady: () => ready,
    setAppUserModelId: vi.fn(),
    quit: () => {
      fake.quitCalls++;
    },
    exit: vi.fn(),
  });
  fake.app = app as never;
  class BrowserWindow extends EE {
    options: unknown;
    visible = false;
    destroyed = false;
    loaded: string | null = null;
    webContents = Object.assign(new EE(), { id: 7, send: vi.fn() });
    constructor(options: unknown) {
      super();
      this.options = options;
      fake.windows.push(this as never);
      // What Electron does for every new window's contents.
      app.emit('web-contents-created', {}, Object.assign(new EE(), { setWindowOpenHandler: vi.fn() }));
    }
    isMinimized = () => false;
    isDestroyed = () => this.destroyed;
    restore = vi.fn();
    show = () => void (this.visible = true);
    hide = () => void (this.visible = false);
    focus = vi.fn();
    loadFile = async (f: string) => void (this.loaded = f);
    loadURL = async (u: string) => void (this.loaded = u);
  }
  class Tray {
    image: unknown;
    tooltip = '';
    menu: unknown = null;
    constructor(image: unknown) {
      this.image = image;
      fake.trays.push(this as never);
    }
    setImage = (i: unknown) => void (this.image = i);
    setToolTip = (t: string) => void (this.tooltip = t);
    setContextMenu = (m: unknown) => void (this.menu = m);
    on = vi.fn();
  }
  return {
    app,
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (t: unknown) => ({ template: t }), setApplicationMenu: vi.fn() },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
    Notification: Object.assign(vi.fn(), { isSupported: () => false }),
    dialog: { showOpenDialog: vi.fn(), showErrorBox: vi.fn() },
    shell: { openExternal: async (u: string) => void fake.opened.push(u) },
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: vi.fn(),
      decryptString: vi.fn(),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.schemes = schemes;
        fake.schemesBeforeReady = !fake.ready;
      },
      handle: (scheme: string, fn: (request: { url: string; method: string }) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, fn),
    },
    ipcMain: {
      handle: (name: string, fn: (...args: unknown[]) => unknown) => fake.handlers.set(name, fn),
      removeHandler: (name: string) => fake.handlers.delete(name),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        webRequest: {
          onHeadersReceived: (fn: typeof fake.headersHook) => (fake.headersHook = fn),
          onBeforeRequest: (fn: typeof fake.requestHook) => (fake.requestHook = fn),
        },
      },
    },
  };
});

const services = vi.hoisted(() => ({
  disposed: 0,
  watched: 0,
  hub: null as
    | null
    | import('../../../electron/core/subscriptions').SubscriptionHub<
        typeof import('../../../electron/contract').topicContract
      >,
  jobs: null as null | import('../../../electron/core/jobs').JobManager,
  snapshot: null as null | import('../../../electron/core/app-snapshot').AppSnapshotStore,
  acks: 0,
}));
vi.mock('../../../electron/services', async () => {
  const { AppSnapshotStore } = await import('../../../electron/core/app-snapshot');
  const { JobManager, jobOutputSource } = await import('../../../electron/core/jobs');
  const { SubscriptionHub } = await import('../../../electron/core/subscriptions');
  const { topicContract } = await import('../../../electron/contract');
  const { SettingsStore } = await import('../../../electron/settings/store');
  const { FakeStack } = await import('../../doubles/fake-stack');
  const os = await import('node:os');
  const p = await import('node:path');
  return {
    createServices: async () => {
      const jobs = new JobManager();
      const stack = new FakeStack(jobs);
      stack.watch = async () => void services.watched++;
      const subscriptions = new SubscriptionHub(topicContract);
      subscriptions.register('job-output', jobOutputSource(jobs));
      services.hub = subscriptions;
      services.jobs = jobs;
      services.snapshot = new AppSnapshotStore();
      return {
        settings: new SettingsStore(p.join(os.tmpdir(), 'never-written', 'settings.json')),
        jobs,
        stack,
        subscriptions,
        plugins: { reinstall: vi.fn() },
        snapshot: services.snapshot,
        logs: { ackErrors: () => void services.acks++ },
        dispose: async () => void services.disposed++,
      };
    },
  };
});

async function boot(before?: () => void): Promise<void> {
  vi.resetModules();
  // The mocked electron module (and its app emitter) outlives resetModules: drop the last boot's listeners.
  fake.app?.removeAllListeners();
  before?.();
  fake.handlers.clear();
  fake.windows.length = 0;
  fake.trays.length = 0;
  fake.opened.length = 0;
  fake.quitCalls = 0;
  fake.protocolHandlers.clear();
  fake.schemes = [];
  fake.schemesBeforeReady = null;
  services.disposed = 0;
  services.watched = 0;
  services.acks = 0;
  fake.ready = false;
  await import('../../../electron/main');
  fake.ready = true;
  fake.readyResolve?.();
  await vi.waitFor(() => expect(services.watched).toBe(1));
}

const mainDir = path.resolve(__dirname, '../../../electron');
const ourPage = 'app://dify-stack/index.html';

describe('electron/main.ts wiring', () => {
  beforeEach(() => {
    fake.lock = true;
  });

  it('quits at once when another instance holds the lock', async () => {
    fake.lock = false;
    vi.resetModules();
    fake.app?.removeAllListeners();
    fake.quitCalls = 0;
    fake.handlers.clear();
    await import('../../../electron/main');
    expect(fake.quitCalls).toBe(1);
    expect(fake.handlers.size).toBe(0);
  });

  it('starts services, IPC for every channel, the tray and a hardened dashboard', async () => {
    await boot();
    expect([...fake.handlers.keys()].sort()).toEqual(INVOKE_CHANNELS.map(invokeIpcName).sort());
    expect(fake.trays).toHaveLength(1);
    expect(fake.trays[0]?.tooltip).toContain('Dify Stack Tray');
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.options).toMatchObject({
      show: false,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        preload: path.join(mainDir, 'preload.js'),
      },
    });
    expect(win.loaded).toBe('app://dify-stack/index.html');
    expect(win.visible).toBe(true);
  });

  it('hides the window on close instead of closing it, and shows it for a second instance', async () => {
    await boot();
    const win = fake.windows[0]!;
    const event = { preventDefault: vi.fn() };
    win.emit('close', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.visible).toBe(false);
    fake.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(fake.windows).toHaveLength(1);
  });

  it('denies navigation and new windows, opening only the configured Dify URL in the browser', async () => {
    const created: Array<EventEmitter & { setWindowOpenHandler: ReturnType<typeof vi.fn> }> = [];
    await boot(() =>
      fake.app.on(
        'web-contents-created',
        (_e: unknown, c: unknown) => void created.push(c as (typeof created)[number]),
      ),
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const contents = created.at(-1)!;
      const nav = { preventDefault: vi.fn() };
      contents.emit('will-navigate', nav, 'https://evil.example/phish?token=s3cret');
      expect(nav.preventDefault).toHaveBeenCalled();
      const other = { preventDefault: vi.fn() };
      // The settings' default Dify URL is http://localhost.
      contents.emit('will-navigate', other, 'http://localhost/apps');
      expect(other.preventDefault).toHaveBeenCalled();
      const handler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as (d: { url: string }) => unknown;
      expect(handler({ url: 'https://docs.dify.ai/' })).toEqual({ action: 'deny' });
      expect(handler({ url: 'file:///C:/Windows/System32/calc.exe' })).toEqual({ action: 'deny' });
      expect(handler({ url: 'http://localhost/signin' })).toEqual({ action: 'deny' });
      await new Promise((r) => setTimeout(r, 0));
      expect(fake.opened).toEqual(['http://localhost/apps', 'http://localhost/signin']);
      const logged = warn.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(logged).toContain('https://evil.example/phish');
      expect(logged).toContain('https://docs.dify.ai/');
      expect(logged).not.toContain('s3cret');
    } finally {
      warn.mockRestore();
    }
  });

  it('app:openDify goes through the same check', async () => {
    await boot();
    const handler = fake.handlers.get(invokeIpcName('app:openDify'))!;
    const sender = { senderFrame: { url: ourPage, parent: null }, sender: { id: 7 } };
    await expect(Promise.resolve(handler(sender, {}))).resolves.toMatchObject({
      ok: true,
      value: { url: 'http://localhost' },
    });
    expect(fake.opened).toEqual(['http://localhost/']);
  });

  it('adds a CSP header and blocks every remote request', async () => {
    await boot();
    let headers: Record<string, string[]> = {};
    fake.headersHook?.({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(headers['Content-Type']).toEqual(['text/html']);
    const decide = (url: string): boolean => {
      let cancel = false;
      fake.requestHook?.({ url }, (r) => (cancel = (r as { cancel: boolean }).cancel));
      return cancel;
    };
    expect(decide('https://cdn.example.com/x.js')).toBe(true);
    expect(decide('ws://127.0.0.1:5173/')).toBe(true);
    expect(decide(ourPage)).toBe(false);
    expect(decide(`file://${path.join(mainDir, 'renderer', 'index.html')}`)).toBe(true);
  });

  it('serves the renderer from a privileged app:// scheme, only from its own folder, with the CSP', async () => {
    await boot();
    expect(fake.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.schemesBeforeReady).toBe(true);
    const serve = fake.protocolHandlers.get('app')!;
    expect((await serve({ url: 'app://dify-stack/%2e%2e/main.ts', method: 'GET' })).status).toBe(403);
    // The unit test runs from source: electron/renderer does not exist, so the entry is missing.
    expect((await serve({ url: 'app://dify-stack/', method: 'GET' })).status).toBe(404);
    let headers: Record<string, string[]> = {};
    fake.headersHook?.({ responseHeaders: {} }, (r) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    expect(headers['Content-Security-Policy']?.[0]).toContain("frame-src 'none'");
  });

  it('answers IPC only for our own page', async () => {
    await boot();
    const handler = fake.handlers.get(invokeIpcName('status:get'))!;
    const status = (...args: unknown[]) => Promise.resolve(handler(...args));
    const frame = (url: string) => ({ senderFrame: { url, parent: null }, sender: { id: 7 } });
    await expect(status(frame('https://evil.example/'), {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    await expect(status({ senderFrame: null }, {})).resolves.toMatchObject({ ok: false });
    await expect(status(frame(ourPage), {})).resolves.toMatchObject({ ok: true });
  });

  it('streams belong to the sending window and close when its page reloads, crashes or goes', async () => {
    await boot();
    const contents = fake.windows[0]!.webContents as unknown as EventEmitter & {
      send: ReturnType<typeof vi.fn>;
    };
    const hub = services.hub!;
    // A job that prints one line and runs until the test ends.
    const job = services.jobs!.start({ kind: 'k', resource: 'r' }, async (ctx) => {
      ctx.log('hello');
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
    });
    job.done.catch(() => undefined);
    const subscribe = fake.handlers.get(invokeIpcName('subscriptions:subscribe'))!;
    const open = async (): Promise<string> => {
      const sender = { senderFrame: { url: ourPage, parent: null }, sender: { id: 7 } };
      const result = (await subscribe(sender, { topic: 'job-output', params: { jobId: job.id } })) as {
        ok: boolean;
        value: { id: string };
      };
      expect(result.ok).toBe(true);
      return result.value.id;
    };

    await open();
    expect(hub.count('webContents:7')).toBe(1);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(hub.count('webContents:7')).toBe(1);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    expect(hub.count('webContents:7')).toBe(0);

    await open();
    contents.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(hub.count('webContents:7')).toBe(0);

    // Batches go to this window's contents as `subscription` events.
    const id = await open();
    await vi.waitFor(() =>
      expect(contents.send).toHaveBeenCalledWith(
        'event:subscription',
        expect.objectContaining({ id, items: ['hello'] }),
      ),
    );
    contents.emit('destroyed');
    expect(hub.count()).toBe(0);
    services.jobs!.cancel(job.id);
  });

  it('opens the log viewer from the tray once the page listens, at the last error (acknowledged)', async () => {
    await boot();
    const win = fake.windows[0]! as unknown as { hide(): void; visible: boolean; webContents: unknown };
    const contents = win.webContents as EventEmitter & { send: ReturnType<typeof vi.fn> };
    const last = {
      service: 'plugin_daemon',
      at: 1_796_280_305_123,
      text: 'ERROR local runtime start failed',
    };
    services.snapshot!.part('logs').set({ watching: true, errors: 2, last });
    type Item = { id?: string; click?: () => void };
    const item = (): Item | undefined =>
      (fake.trays[0]?.menu as { template: Item[] } | null)?.template.find(
        (i) => i.id === 'logs:pluginDaemon',
      );
    await vi.waitFor(() => expect(item()).toBeDefined());
    const request = {
      sources: [{ kind: 'service', service: 'plugin_daemon' }],
      at: { key: 'service:plugin_daemon', at: last.at, text: last.text },
    };
    const sentOpens = () => contents.send.mock.calls.filter(([name]) => name === 'event:logs:open');

    win.hide();
    item()?.click?.();
    expect(win.visible).toBe(true);
    expect(services.acks).toBe(1);
    // The page has not asked for its first status: it would not hear the event yet.
    expect(sentOpens()).toEqual([]);
    const status = fake.handlers.get(invokeIpcName('status:get'))!;
    await status({ senderFrame: { url: ourPage, parent: null }, sender: { id: 7 } }, {});
    expect(sentOpens()).toEqual([['event:logs:open', request]]);

    // Listening now: at once. After a reload: again only once the new page asks.
    item()?.click?.();
    expect(sentOpens()).toHaveLength(2);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    item()?.click?.();
    expect(sentOpens()).toHaveLength(2);
    await status({ senderFrame: { url: ourPage, parent: null }, sender: { id: 7 } }, {});
    expect(sentOpens()).toHaveLength(3);
  });

  it('disposes the services before quitting', async () => {
    await boot();
    const event = { preventDefault: vi.fn() };
    fake.app.emit('before-quit');
    fake.app.emit('will-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.quitCalls).toBe(1));
    expect(services.disposed).toBe(1);
    expect(fake.handlers.size).toBe(0);
    // The second will-quit (from that quit) goes through.
    const again = { preventDefault: vi.fn() };
    fake.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    // After quitting starts, closing the window really closes it.
    const close = { preventDefault: vi.fn() };
    fake.windows[0]!.emit('close', close);
    expect(close.preventDefault).not.toHaveBeenCalled();
  });
});
