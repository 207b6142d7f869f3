/**
 * The debug sessions of plugin folders (one runner per folder) and what they share: the workspace's
 * debugging key, fetched from Dify's console API and fetched again before its TTL ends, and Dify's
 * plugin list, which says whether a session is connected and whether a packaged install of the same
 * plugin is in the way.
 *
 * The key (dify-plugin-daemon internal/service/debugging_service/connection_key.go) is one per
 * workspace, kept in Redis for 2 h, and every fetch renews it; the daemon checks it only at the
 * handshake. So a session that runs for hours needs a fetch within each 2 h to be able to reconnect
 * after a save: one every hour, and the plugins restart only if Dify answered with another key.
 *
 * A packaged install of the same plugin_id (dify-plugin-daemon install_service/controlpanel.go,
 * OnDebuggingRuntimeConnected): the remote install fails with "already installed", the daemon attaches
 * the debug runtime to the packaged installation, and when the debug run disconnects it uninstalls
 * that installation. Hence the warning and the offer to uninstall it first (and reinstall after).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PluginDebugState } from '../core/contract';
import { AppError } from '../core/errors';
import { setEnvFileValues } from '../env/api';
import type { CallOptions, DebuggingKey, InstalledPlugin } from './console-client';
import { checkPythonVersion, locatePython, type FoundPython } from './debug-python';
import { checkPluginFolder } from './manifest';
import {
  PluginDebugRunner,
  type DebugTimings,
  type ListedState,
  type RemoteTarget,
} from './plugin-debug-runner';

/** What the sessions ask of Dify's console API. */
export interface DebugConsole {
  debuggingKey(options?: CallOptions): Promise<DebuggingKey>;
  listPlugins(options?: CallOptions): Promise<InstalledPlugin[]>;
  uninstall(installationId: string, options?: CallOptions): Promise<void>;
}

export interface PluginDebugServiceOptions {
  client: () => DebugConsole;
  /** The `pythonPath` setting, read at each session start. */
  pythonPath: () => string;
  /** Where each folder's log goes (the local data folder's `logs`). */
  logDir: string;
  /** App-data folder: backups of the plugin folders' `.env` go below it, never into the folder. */
  backupRoot: string;
  /** A session's state changed (the app snapshot is written again). */
  onChange: () => void;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  timings?: Partial<DebugTimings> & { keyRefreshMs?: number };
}

/** Half the key's 2 h TTL: a failed fetch has another hour to succeed. */
const KEY_REFRESH_MS = 60 * 60 * 1000;

interface Session {
  runner: PluginDebugRunner;
  pluginId: string;
}

export class PluginDebugService {
  private readonly sessions = new Map<string, Session>();
  /** The last state of folders whose session ended, for the card (the reinstall offer). */
  private readonly ended = new Map<string, PluginDebugState>();
  private key: RemoteTarget | null = null;
  private keyFetch: Promise<RemoteTarget> | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private readonly outputListeners = new Map<string, Set<(line: string) => void>>();

  constructor(private readonly options: PluginDebugServiceOptions) {}

  /** The log a debug run of `dir` writes (whether or not one runs now). */
  logFile(dir: string): string {
    const abs = path.resolve(dir);
    const id = createHash('sha256').update(abs).digest('hex').slice(0, 10);
    const name =
      path
        .basename(abs)
        .replace(/[^A-Za-z0-9_.-]/g, '_')
        .slice(0, 40) || 'plugin';
    return path.join(this.options.logDir, `plugin-debug-${name}-${id}.log`);
  }

  state(dir: string): PluginDebugState | null {
    const abs = path.resolve(dir);
    return this.sessions.get(abs)?.runner.current ?? this.ended.get(abs) ?? null;
  }

  /** Folders with a session (running or not yet stopped). */
  activeDirs(): string[] {
    return [...this.sessions.keys()];
  }

  /** Starts debugging `dir`; one already debugging is left as it is. */
  async start(dir: string): Promise<PluginDebugState> {
    const abs = path.resolve(dir);
    const running = this.sessions.get(abs);
    if (running) return running.runner.current;
    const check = await checkPluginFolder(abs);
    const m = check.manifest;
    if (!m) throw new AppError('PLUGIN_MANIFEST_MISSING', { params: { dir: abs } });
    if (m.runnerLanguage !== 'python') {
      throw new AppError('PLUGIN_DEBUG_NOT_PYTHON', {
        params: { dir: abs, language: m.runnerLanguage ?? '' },
      });
    }
    const runner = new PluginDebugRunner({
      dir: abs,
      logFile: this.logFile(abs),
      pluginId: m.pluginId,
      entrypoint: m.entrypoint || 'main',
      runnerVersion: m.runnerVersion,
      python: () => this.python(m.runnerVersion),
      target: (fresh) => this.target(fresh),
      writeEnv: (target) => this.writeEnv(abs, target),
      listed: (signal) => this.listed(m.pluginId, signal),
      onState: () => this.options.onChange(),
      onOutput: (line) => {
        for (const listener of this.outputListeners.get(abs) ?? []) listener(line);
      },
      env: this.options.env,
      platform: this.options.platform,
      timings: this.options.timings,
    });
    const previous = this.ended.get(abs);
    this.ended.delete(abs);
    this.sessions.set(abs, { runner, pluginId: m.pluginId });
    if (previous?.uninstalledPackage) runner.setPackaged(null, previous.uninstalledPackage);
    this.scheduleRefresh();
    try {
      await runner.start();
    } catch (e) {
      this.sessions.delete(abs);
      await runner.stop();
      throw e;
    }
    void this.lookForPackaged(abs);
    return runner.current;
  }

  async stop(dir: string): Promise<void> {
    const abs = path.resolve(dir);
    const session = this.sessions.get(abs);
    if (!session) return;
    await session.runner.stop();
    this.sessions.delete(abs);
    this.ended.set(abs, session.runner.current);
    if (this.sessions.size === 0) this.cancelRefresh();
    this.options.onChange();
  }

  /**
   * Each line of `dir`'s debug log as it is read — the plugin's output, pip's, the session's notes —
   * from the session's next start on (the CLI's stdout; subscribe before `start`).
   */
  onOutput(dir: string, listener: (line: string) => void): () => void {
    const abs = path.resolve(dir);
    let set = this.outputListeners.get(abs);
    if (!set) this.outputListeners.set(abs, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.outputListeners.delete(abs);
    };
  }

  /**
   * Uninstalls the packaged install of the plugin `dir` is debugging (the user agreed), so the daemon
   * lists the debug run as a remote install of its own; the card then offers to reinstall the package.
   */
  async uninstallPackaged(dir: string): Promise<void> {
    const abs = path.resolve(dir);
    const session = this.sessions.get(abs);
    const pluginId = session?.pluginId ?? (await checkPluginFolder(abs)).manifest?.pluginId;
    if (!pluginId) throw new AppError('PLUGIN_MANIFEST_MISSING', { params: { dir: abs } });
    const client = this.options.client();
    const packaged = (await client.listPlugins()).find(
      (p) => p.plugin_id === pluginId && p.source !== 'remote',
    );
    if (!packaged) throw new AppError('PLUGIN_DEBUG_NO_PACKAGED', { params: { pluginId } });
    await client.uninstall(packaged.installation_id);
    const uninstalled = { version: packaged.version };
    if (!session) {
      const last = this.ended.get(abs);
      if (last) this.ended.set(abs, { ...last, packaged: null, uninstalledPackage: uninstalled });
      return this.options.onChange();
    }
    session.runner.setPackaged(null, uninstalled);
    // The running plugin is attached to the installation just removed: connected again, it is a
    // remote install of its own.
    session.runner.restart(`The packaged ${pluginId} ${packaged.version} was uninstalled: connecting again`);
  }

  async dispose(): Promise<void> {
    this.cancelRefresh();
    await Promise.all([...this.sessions.keys()].map((dir) => this.stop(dir)));
  }

  // ---- what the runners ask ----

  private async python(required: string | null): Promise<FoundPython> {
    const found = await locatePython({
      configured: this.options.pythonPath(),
      platform: this.options.platform ?? process.platform,
      env: this.options.env ?? process.env,
    });
    checkPythonVersion(found, required, [found.command, ...found.args].join(' '));
    return found;
  }

  /** The workspace's key: the one kept, unless `fresh` or none yet. Concurrent callers share a fetch. */
  private target(fresh: boolean): Promise<RemoteTarget> {
    if (this.key && !fresh) return Promise.resolve(this.key);
    this.keyFetch ??= this.options
      .client()
      .debuggingKey()
      .then((k) => {
        this.key = { key: k.key, host: k.host, port: Number(k.port) };
        return this.key;
      })
      .finally(() => {
        this.keyFetch = null;
      });
    return this.keyFetch;
  }

  /**
   * The three keys of the SDK's remote install in the folder's `.env` (dify_plugin/config/config.py:
   * REMOTE_INSTALL_URL wins over REMOTE_INSTALL_HOST/PORT when set, so a user's HOST/PORT lines stay).
   */
  private async writeEnv(dir: string, target: RemoteTarget): Promise<Buffer> {
    const written = await setEnvFileValues(
      path.join(dir, '.env'),
      {
        INSTALL_METHOD: 'remote',
        REMOTE_INSTALL_URL: `${target.host}:${target.port}`,
        REMOTE_INSTALL_KEY: target.key,
      },
      { appDataRoot: this.options.backupRoot },
    );
    return written.bytes;
  }

  private async listed(pluginId: string, signal: AbortSignal): Promise<ListedState> {
    const all = (await this.options.client().listPlugins({ signal })).filter((p) => p.plugin_id === pluginId);
    const remote = all.find((p) => p.source === 'remote');
    if (remote) return { kind: 'remote', installationId: remote.installation_id };
    const other = all[0];
    return other
      ? { kind: 'packaged', version: other.version, installationId: other.installation_id }
      : { kind: 'absent' };
  }

  /** At a start: a packaged install found now is shown before the run even connects. */
  private async lookForPackaged(dir: string): Promise<void> {
    const session = this.sessions.get(dir);
    if (!session) return;
    const state = await this.listed(session.pluginId, AbortSignal.timeout(30_000)).catch(() => null);
    if (state?.kind === 'packaged' && this.sessions.get(dir) === session) {
      session.runner.setPackaged(
        { version: state.version, installationId: state.installationId },
        session.runner.current.uninstalledPackage,
      );
    }
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    const every = this.options.timings?.keyRefreshMs ?? KEY_REFRESH_MS;
    this.refreshTimer = setInterval(() => void this.refreshKey(), every);
    this.refreshTimer.unref();
  }

  private cancelRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }

  /** Renews the key's TTL; a new key (Redis lost it) restarts every session with it. */
  private async refreshKey(): Promise<void> {
    const before = this.key?.key;
    const after = await this.target(true).catch(() => null);
    // No key before: no plugin was started with one yet, so none needs the new one.
    if (!after || before === undefined || after.key === before) return;
    for (const session of this.sessions.values())
      session.runner.restart('Dify gave a new debugging key: connecting with it');
  }
}
