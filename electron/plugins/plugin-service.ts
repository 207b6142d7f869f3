import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { SnapshotPart } from '../core/app-snapshot';
import { AppError, isAppError, toErrorInfo, type ErrorInfo } from '../core/errors';
import type { JobContext, JobHandle, JobManager } from '../core/jobs';
import type { EnvApi } from '../env/api';
import type { SettingsApi } from '../settings/api';
import {
  consoleApiBase,
  DifyConsoleClient,
  type ConsoleClientOptions,
  type InstalledPlugin,
  type LoginInfo,
  type PluginConsoleApi,
} from './console-client';
import { summarizeCheck, type PluginCheckSummary } from './check-summary';
import type { PluginsApi } from './api';
import { PluginDebugService, type PluginDebugServiceOptions } from './plugin-debug-service';
import { LOGIN_MEMORY_FILE, LoginMemoryFile } from './login-memory';
import { checkPluginFolder } from './manifest';
import { SKIP_REASONS, type SkippedEntry } from './package-skips';
import { readAllPluginTimeouts, type PluginTimeouts } from './plugin-timeouts';
import { reinstallPlugin, type ReinstallResult, type ReinstallSource } from './reinstall';
import { deleteDifyPassword, lookupDifyPassword, saveDifyPassword, urlOrigin } from './dify-password';
import type { SecretStore } from './secrets';

/**
 * The plugin capability as the panel, the tray and the CLI use it: registered plugin folders (from
 * the settings) joined with what Dify has installed, the reinstall as a job, the Dify connection
 * (e-mail in the settings, password in the secret store) and the plugin side of the timeout chain.
 *
 * The signature fix (FORCE_VERIFYING_SIGNATURE=false + recreating plugin_daemon) runs only when the
 * caller says the user agreed (`allowUnsigned`): it changes the user's Dify configuration.
 */

export interface DifyClient extends PluginConsoleApi, Pick<DifyConsoleClient, 'debuggingKey'> {
  login(): Promise<LoginInfo>;
}

export interface PluginServiceOptions {
  jobs: JobManager;
  settings: SettingsApi;
  secrets: SecretStore;
  /** App-data folder: kept packages, built packages and last results live below `<dataDir>/plugins`. */
  dataDir: string;
  /** The .env capability (issue 3's `services.timeouts`); null when this build or set-up has none. */
  env?: () => EnvApi | null;
  createClient?: (options: ConsoleClientOptions) => DifyClient;
  taskTimeoutMs?: number;
  pollIntervalMs?: number;
  /** After the signature fix: how long to wait for Dify's plugin API to answer again. */
  daemonReadyTimeoutMs?: number;
  /** Diagnostic lines (requests: method, path, status, time — never bodies or passwords). */
  log?: (line: string) => void;
  /** The app snapshot's plugins part: the registered folders the tray lists. */
  snapshot?: SnapshotPart<'plugins'>;
  /**
   * The local Dify's release (its `api` image tag), used for the login when Dify's answers do not say
   * it themselves; null when there is no local stack to ask.
   */
  difyVersion?: () => Promise<string | null>;
  /** Remote debugging of plugin folders: where their logs go, and the platform they run on. */
  debug?: Pick<PluginDebugServiceOptions, 'logDir' | 'platform' | 'env' | 'timings'>;
}

export interface PluginManifestSummary {
  pluginId: string;
  author: string;
  name: string;
  version: string;
  label: Record<string, string>;
}

export interface InstalledSummary {
  pluginId: string;
  version: string;
  identifier: string;
  source: string;
  installationId: string;
}

export interface PluginLastResult {
  ok: boolean;
  at: number;
  action: ReinstallResult['action'] | null;
  version: string | null;
  identifier: string | null;
  /** What the package left out of the folder (shown with the result); [] for failures and old records. */
  skipped: SkippedEntry[];
  error: ErrorInfo | null;
}

export interface PluginProjectView extends PluginCheckSummary {
  dir: string;
  manifest: PluginManifestSummary | null;
  installed: InstalledSummary | null;
  lastResult: PluginLastResult | null;
}

export interface DifyConnectionView {
  url: string;
  email: string;
  /** A password is saved for this URL's origin (and would be sent there). */
  hasPassword: boolean;
  /** The origin a saved password was entered for when it is not this URL's: it must be entered again. */
  passwordSavedFor: string | null;
  /** False when the password cannot be saved here (no OS encryption; the CLI's environment). */
  canStorePassword: boolean;
}

export interface PluginsOverview {
  projects: PluginProjectView[];
  /** Everything Dify has installed; null when it could not be asked (see installedError). */
  installed: InstalledSummary[] | null;
  installedError: ErrorInfo | null;
  connection: DifyConnectionView;
}

export interface TestLoginResult {
  era: LoginInfo['era'];
  passwordEncoding: LoginInfo['passwordEncoding'];
  installedCount: number;
}

export interface ReinstallOptions {
  /** The user agreed to turn signature verification off if Dify refuses the unsigned package. */
  allowUnsigned?: boolean;
  /** Only registered folders (the panel and tray); the CLI may install any folder or package. */
  requireRegistered?: boolean;
  force?: boolean;
}

export interface ConnectionOverride {
  baseUrl?: string;
  email?: string;
}

const LastResultSchema = z.object({
  ok: z.boolean(),
  at: z.number(),
  action: z.enum(['installed', 'reinstalled', 'unchanged']).nullable(),
  version: z.string().nullable(),
  identifier: z.string().nullable(),
  skipped: z.array(z.object({ rel: z.string(), reason: z.enum(SKIP_REASONS) })).default([]),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      detail: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .nullable(),
});
const ResultsFileSchema = z.record(z.string(), LastResultSchema);

export const REINSTALL_JOB_KIND = 'plugins.reinstall';
const DAEMON_READY_TIMEOUT_MS = 90_000;
const DAEMON_POLL_MS = 1000;

export class PluginService implements PluginsApi {
  /** Plugin folders run against Dify's remote-debug port, restarted on every save. */
  readonly debug: PluginDebugService;
  private readonly events = new EventEmitter();
  private client: { key: string; client: DifyClient } | null = null;
  private names = new Map<string, string>();
  private override: ConnectionOverride = {};
  private resultsQueue: Promise<unknown> = Promise.resolve();
  private readonly offSettings: () => void;
  /** Shared by every client (and, through the file, with the CLI). */
  private readonly loginMemory: LoginMemoryFile;

  constructor(private readonly options: PluginServiceOptions) {
    this.loginMemory = new LoginMemoryFile(path.join(options.dataDir, LOGIN_MEMORY_FILE));
    this.debug = new PluginDebugService({
      client: () => this.getClient(),
      pythonPath: () => options.settings.get().settings.pythonPath,
      logDir: options.debug?.logDir ?? path.join(options.dataDir, 'logs'),
      backupRoot: options.dataDir,
      onChange: () => {
        this.publishSummary();
        this.events.emit('change');
      },
      platform: options.debug?.platform,
      env: options.debug?.env,
      timings: options.debug?.timings,
    });
    this.offSettings = options.settings.onChange(() => {
      // A folder no longer registered is no longer debugged.
      for (const dir of this.debug.activeDirs()) {
        if (!this.registeredDirs().some((d) => samePath(d, dir))) void this.debug.stop(dir);
      }
      // A folder just added shows at once (by its folder name) and gets its plugin's name when read.
      this.publishSummary();
      void this.refreshNames();
    });
    this.publishSummary();
    void this.refreshNames();
  }

  get pluginsDir(): string {
    return path.join(this.options.dataDir, 'plugins');
  }

  /** The CLI's `--dify-url` / `--email` for this run (not saved). */
  useConnection(override: ConnectionOverride): void {
    this.override = { ...override };
    this.client = null;
  }

  connectionSettings(): { url: string; email: string } {
    const s = this.options.settings.get().settings;
    return { url: this.override.baseUrl || s.difyUrl, email: this.override.email ?? s.difyEmail };
  }

  async connection(): Promise<DifyConnectionView> {
    const { url, email } = this.connectionSettings();
    const found = await lookupDifyPassword(this.options.secrets, url).catch(() => ({
      state: 'missing' as const,
    }));
    return {
      url,
      email,
      hasPassword: found.state === 'ok',
      passwordSavedFor: found.state === 'other-url' ? found.savedFor : null,
      canStorePassword: this.options.secrets.canStore(),
    };
  }

  /**
   * E-mail into the settings; password into the secret store for the current Dify URL's origin
   * (null/'' deletes it, undefined keeps it).
   */
  async setConnection(input: { email?: string; password?: string | null }): Promise<DifyConnectionView> {
    if (input.password !== undefined) {
      const { url } = this.connectionSettings();
      if (input.password) await saveDifyPassword(this.options.secrets, url, input.password);
      else await deleteDifyPassword(this.options.secrets);
    }
    if (input.email !== undefined && input.email.trim() !== this.options.settings.get().settings.difyEmail) {
      await this.options.settings.update({ difyEmail: input.email.trim() });
    }
    this.client = null;
    return this.connection();
  }

  async testLogin(): Promise<TestLoginResult> {
    // A fresh client: the test must really log in, not reuse a session.
    this.client = null;
    const client = this.getClient();
    const info = await client.login();
    const installed = await client.listPlugins();
    return { era: info.era, passwordEncoding: info.passwordEncoding, installedCount: installed.length };
  }

  async listInstalled(): Promise<InstalledSummary[]> {
    return (await this.getClient().listPlugins()).map(summarizeInstalled);
  }

  registeredDirs(): string[] {
    return [...this.options.settings.get().settings.pluginDirs];
  }

  async overview(): Promise<PluginsOverview> {
    const dirs = this.registeredDirs();
    const [checks, installedResult, results, connection] = await Promise.all([
      Promise.all(dirs.map((d) => checkPluginFolder(d))),
      this.installedOrError(),
      this.readResults(),
      this.connection(),
    ]);
    const installed = installedResult.ok ? installedResult.list : null;
    const projects = checks.map((check, i): PluginProjectView => {
      const dir = dirs[i] as string;
      const m = check.manifest;
      const manifest = m
        ? { pluginId: m.pluginId, author: m.author, name: m.name, version: m.version, label: m.label }
        : null;
      return {
        dir,
        manifest,
        ...summarizeCheck(check),
        installed: manifest ? (installed?.find((p) => p.pluginId === manifest.pluginId) ?? null) : null,
        lastResult: results[dir] ?? null,
      };
    });
    this.updateNames(projects);
    return {
      projects,
      installed,
      installedError: installedResult.ok ? null : installedResult.error,
      connection,
    };
  }

  async addProject(dir: string): Promise<void> {
    const abs = path.resolve(dir);
    const st = await fs.stat(abs).catch(() => null);
    if (!st?.isDirectory()) throw new AppError('PLUGIN_DIR_NOT_FOUND', { params: { dir: abs } });
    const dirs = this.registeredDirs();
    if (dirs.some((d) => samePath(d, abs))) return;
    await this.options.settings.update({ pluginDirs: [...dirs, abs] });
  }

  async removeProject(dir: string): Promise<void> {
    await this.debug.stop(dir);
    const dirs = this.registeredDirs();
    const next = dirs.filter((d) => !samePath(d, dir));
    if (next.length !== dirs.length) await this.options.settings.update({ pluginDirs: next });
  }

  /** What the tray lists: registered folders with the plugin's name (or the folder name until read). */
  trayEntries(): Array<{ dir: string; name: string }> {
    return this.registeredDirs().map((dir) => ({
      dir,
      name: this.names.get(dir) ?? path.basename(dir),
    }));
  }

  /**
   * The log a debug run of `folder` writes (the log viewer's `plugin` source): for a registered folder
   * or one being debugged, whether or not it runs now; null for any other folder.
   */
  debugLogFile(folder: string): string | null {
    const known =
      this.registeredDirs().some((d) => samePath(d, folder)) ||
      this.debug.activeDirs().some((d) => samePath(d, folder));
    return known ? this.debug.logFile(folder) : null;
  }

  /** Starts debugging a registered folder (the card's toggle, the tray). */
  async startDebug(dir: string): Promise<void> {
    if (!this.registeredDirs().some((d) => samePath(d, dir))) {
      throw new AppError('PLUGIN_PROJECT_NOT_REGISTERED', { params: { dir: path.resolve(dir) } });
    }
    await this.debug.start(dir);
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  pluginTimeouts(): Promise<PluginTimeouts[]> {
    return readAllPluginTimeouts(this.registeredDirs());
  }

  /**
   * Package (for a folder) → upload → replace → follow, as a job serialized per Dify URL, so two
   * reinstalls never interleave their uninstall/install steps on one Dify.
   */
  reinstall(
    target: { dir: string } | { file: string },
    options: ReinstallOptions = {},
  ): JobHandle<ReinstallResult> {
    const { url } = this.connectionSettings();
    let resource: string;
    try {
      resource = `plugins:${consoleApiBase(url)}`;
    } catch {
      resource = `plugins:${url}`;
    }
    const source: ReinstallSource =
      'dir' in target
        ? { kind: 'folder', dir: path.resolve(target.dir) }
        : { kind: 'package', file: path.resolve(target.file) };
    const registeredDir =
      source.kind === 'folder' ? this.registeredDirs().find((d) => samePath(d, source.dir)) : undefined;

    return this.options.jobs.start({ kind: REINSTALL_JOB_KIND, resource }, async (ctx) => {
      if (options.requireRegistered && source.kind === 'folder' && !registeredDir) {
        throw new AppError('PLUGIN_PROJECT_NOT_REGISTERED', { params: { dir: source.dir } });
      }
      const client = this.getClient();
      try {
        const result = await reinstallPlugin(source, {
          client,
          ctx,
          backupDir: path.join(this.pluginsDir, 'kept'),
          workDir: path.join(this.pluginsDir, 'packages'),
          fixSignature: options.allowUnsigned ? () => this.fixSignature(client, ctx) : undefined,
          taskTimeoutMs: this.options.taskTimeoutMs,
          pollIntervalMs: this.options.pollIntervalMs,
          force: options.force,
        });
        if (registeredDir) {
          await this.saveResult(registeredDir, {
            ok: true,
            at: Date.now(),
            action: result.action,
            version: result.version,
            identifier: result.identifier,
            skipped: result.skipped,
            error: null,
          });
        }
        return result;
      } catch (e) {
        const cancelled = isAppError(e) && e.code === 'CANCELLED';
        if (registeredDir && !cancelled) {
          await this.saveResult(registeredDir, {
            ok: false,
            at: Date.now(),
            action: null,
            version: null,
            identifier: null,
            skipped: [],
            error: toErrorInfo(e),
          });
        }
        throw e;
      }
    });
  }

  /** Ends every debug session (their plugins' process trees) too. */
  async dispose(): Promise<void> {
    this.offSettings();
    await this.debug.dispose();
    this.events.removeAllListeners();
  }

  // ---- internals ----

  private getClient(): DifyClient {
    const { url, email } = this.connectionSettings();
    const key = `${url}\n${email}`;
    if (this.client?.key === key) return this.client.client;
    const secrets = this.options.secrets;
    const options: ConsoleClientOptions = {
      baseUrl: url,
      email,
      password: async () => {
        const found = await lookupDifyPassword(secrets, url);
        if (found.state === 'other-url') {
          throw new AppError('DIFY_PASSWORD_FOR_OTHER_URL', {
            params: { url: urlOrigin(url), savedFor: found.savedFor },
          });
        }
        return found.state === 'ok' ? found.password : '';
      },
      difyVersion: this.options.difyVersion,
      loginMemory: this.loginMemory,
      log: this.options.log,
    };
    const client = this.options.createClient?.(options) ?? new DifyConsoleClient(options);
    this.client = { key, client };
    return client;
  }

  private async installedOrError(): Promise<
    { ok: true; list: InstalledSummary[] } | { ok: false; error: ErrorInfo }
  > {
    try {
      return { ok: true, list: await this.listInstalled() };
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  }

  /**
   * FORCE_VERIFYING_SIGNATURE=false through the .env machinery (a compose job of its own, serialized
   * with every other compose operation; it recreates only the services that read the key), then wait
   * until Dify's plugin API answers again: the freshly created daemon needs a moment.
   */
  private async fixSignature(client: DifyClient, ctx: JobContext): Promise<void> {
    const env = this.options.env?.() ?? null;
    if (!env) throw new AppError('PLUGIN_SIGNATURE_FIX_UNAVAILABLE');
    const handle = env.applyEnvChanges({ changes: { FORCE_VERIFYING_SIGNATURE: 'false' } });
    ctx.log(`FORCE_VERIFYING_SIGNATURE=false: .env job ${handle.id}`);
    const applied = await handle.done;
    for (const w of applied.written) ctx.log(`Written ${w.file} (backup ${w.backupId ?? 'none'})`);
    ctx.log(`Recreated: ${applied.recreated.join(', ') || 'nothing'}`);
    if (applied.notRunning) ctx.log('The Dify project is not running: the change applies at its next start.');
    ctx.step('plugins.steps.waitDaemon');
    const limit = this.options.daemonReadyTimeoutMs ?? DAEMON_READY_TIMEOUT_MS;
    const deadline = Date.now() + limit;
    for (;;) {
      ctx.throwIfCancelled();
      try {
        await client.listPlugins({ signal: ctx.signal });
        return;
      } catch (e) {
        const transient =
          isAppError(e) &&
          [
            'DIFY_UNREACHABLE',
            'DIFY_HTTP_ERROR',
            'DIFY_REQUEST_FAILED',
            'DIFY_PLUGIN_DAEMON_UNAVAILABLE',
          ].includes(e.code);
        if (!transient) throw e;
        if (Date.now() >= deadline) {
          throw new AppError('PLUGIN_DAEMON_NOT_READY', {
            params: { seconds: Math.round(limit / 1000) },
            cause: e,
          });
        }
        ctx.log(`Waiting for Dify's plugin API: ${e.message}`);
      }
      await new Promise((r) => setTimeout(r, DAEMON_POLL_MS));
    }
  }

  private async refreshNames(): Promise<void> {
    const dirs = this.registeredDirs();
    const checks = await Promise.all(dirs.map((d) => checkPluginFolder(d).catch(() => null)));
    this.updateNames(
      dirs.map((dir, i) => {
        const m = checks[i]?.manifest;
        return { dir, manifest: m ? { ...m } : null };
      }),
    );
  }

  private updateNames(
    projects: Array<{ dir: string; manifest: Pick<PluginManifestSummary, 'name' | 'label'> | null }>,
  ): void {
    const next = new Map<string, string>();
    for (const p of projects) {
      if (p.manifest) next.set(p.dir, p.manifest.label.en_US || p.manifest.name);
    }
    const changed =
      next.size !== this.names.size || [...next].some(([dir, name]) => this.names.get(dir) !== name);
    this.names = next;
    if (changed) {
      this.publishSummary();
      this.events.emit('change');
    }
  }

  private publishSummary(): void {
    this.options.snapshot?.set({
      folders: this.trayEntries().map((f) => {
        // Only folders debugged in this session carry a debug state; the rest stay as they were.
        const debug = this.debug.state(f.dir);
        return debug ? { ...f, debug } : f;
      }),
    });
  }

  private get resultsFile(): string {
    return path.join(this.pluginsDir, 'last-results.json');
  }

  private async readResults(): Promise<Record<string, PluginLastResult>> {
    try {
      const parsed = ResultsFileSchema.safeParse(JSON.parse(await fs.readFile(this.resultsFile, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  /** Best effort: a result that cannot be written must not turn a successful install into a failure. */
  private saveResult(dir: string, result: PluginLastResult): Promise<void> {
    const run = this.resultsQueue.then(async () => {
      try {
        const all = await this.readResults();
        all[dir] = result;
        await fs.mkdir(this.pluginsDir, { recursive: true });
        await writeFileAtomic(this.resultsFile, JSON.stringify(all, null, 2) + '\n');
      } catch (e) {
        this.options.log?.(`Could not save the last result for ${dir}: ${(e as Error).message}`);
      }
      this.events.emit('change');
    });
    this.resultsQueue = run;
    return run;
  }
}

function summarizeInstalled(p: InstalledPlugin): InstalledSummary {
  return {
    pluginId: p.plugin_id,
    version: p.version,
    identifier: p.plugin_unique_identifier,
    source: p.source ?? '',
    installationId: p.installation_id,
  };
}

/** Windows paths compare without case (the file system does too). */
function samePath(a: string, b: string): boolean {
  const ra = path.resolve(a);
  const rb = path.resolve(b);
  return process.platform === 'win32' ? ra.toLowerCase() === rb.toLowerCase() : ra === rb;
}
