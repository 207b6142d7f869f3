/**
 * The app's services, built the same way for the tray app, the CLI and the E2E harness. No Electron
 * here: everything Electron-only is passed in by main.ts as small adapters.
 */
import type Docker from 'dockerode';
import os from 'node:os';
import path from 'node:path';
import pkg from '../package.json';
import { topicContract, type TopicContract } from './contract';
import { AppLog, silentAppLog, type AppLogLike } from './core/app-log';
import { AppSnapshotStore } from './core/app-snapshot';
import { JobManager, jobOutputSource } from './core/jobs';
import { ProjectLocks } from './core/project-lock';
import { SubscriptionHub } from './core/subscriptions';
import { TimeoutService } from './env/timeout-service';
import { dockerConnectionOptions } from './docker/connection';
import { detectCompose } from './docker/compose-cli';
import { engineGetJson } from './docker/engine-http';
import type { DiagnosticsApi } from './diagnostics/api';
import { followAppEvents } from './diagnostics/app-log-events';
import { defaultProbes, type ProbeSources } from './diagnostics/default-probes';
import { DiagnosticsService } from './diagnostics/diagnostics-service';
import { locateNvidiaSmi } from './gpu/nvidia-smi-locate';
import { lazyDocker } from './docker/lazy-docker';
import { versionFromImage } from './plugins/auth-era';
import { PluginService } from './plugins/plugin-service';
import type { GpuApi } from './gpu/api';
import { GpuService } from './gpu/gpu-service';
import type { LogsApi } from './logs/api';
import { fileSource } from './logs/file-source';
import { LOG_LINES_MAX_QUEUE, LogService } from './logs/log-service';
import { EnvSecretStore, type SecretStore } from './plugins/secrets';
import type { ProcessesApi } from './processes/api';
import { Notifier, type NotifierOptions } from './notifications/api';
import { ProcessService } from './processes/process-service';
import { localDataDir, settingsFilePath } from './settings/paths';
import { SettingsStore } from './settings/store';
import type { SetupApi } from './setup/api';
import { SetupService } from './setup/setup-service';
import type { StackApi } from './stack/api';
import { StackService } from './stack/stack-service';

export interface AppServices {
  settings: SettingsStore;
  jobs: JobManager;
  stack: StackApi;
  plugins: PluginService;
  /** The one app snapshot every service writes its part into; the tray renders it. */
  snapshot: AppSnapshotStore;
  /** Timeout panel, `env` CLI commands; the EnvApi the plugin signature fix uses. */
  timeouts: TimeoutService;
  /** Ollama and A1111 beside Dify, the whole stack in order, the connectivity doctor. */
  processes: ProcessesApi;
  /** GPU VRAM: readings by demand, who holds the VRAM, unloads. */
  gpu: GpuApi;
  /** The log viewer's sources and streams, and the plugin daemon's error badge. */
  logs: LogsApi;
  /** The first-run setup: what is not configured yet, the OS login item, starting the stack at launch. */
  setup: SetupApi;
  /** Streams to views (job output, …): capabilities register topics, views subscribe. */
  subscriptions: SubscriptionHub<TopicContract>;
  /** The app's own (redacted, rotated) log and the diagnostics export. */
  diagnostics: DiagnosticsApi;
  dispose(): Promise<void>;
}

export interface CreateServicesOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** `--config FILE`: another settings file than the per-user one. */
  configFile?: string;
  /** `--dify-dir DIR`: wins over the settings and detection. */
  difyDir?: string;
  /** Base for a relative `configFile`. */
  cwd?: string;
  /** Where the Dify password is kept: safeStorage-backed in the app; default DIFY_PASSWORD (CLI). */
  secrets?: SecretStore;
  /** Who we are when another program waits for our project lock ("waiting for the dify-stack CLI"). */
  program?: 'app' | 'cli';
  /** How long a project job waits for another program's lock (default 10 min). */
  lockWaitMs?: number;
  /**
   * The app's notifications (the tray app passes Electron's Notification; the CLI has none): the
   * Notifier hears the jobs from the start, so the stack's start at launch is told too.
   */
  notifications?: Pick<NotifierOptions, 'systemLocale' | 'windowVisible' | 'show'>;
}

const PROGRAM_NAMES = { app: 'Dify Stack Tray', cli: 'dify-stack CLI' } as const;

export async function createServices(opts: CreateServicesOptions = {}): Promise<AppServices> {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const file = settingsFilePath({
    platform,
    env,
    homedir: opts.homedir ?? os.homedir(),
    configFile: opts.configFile,
    cwd: opts.cwd,
  });
  const settings = await SettingsStore.open(file);
  const jobs = new JobManager();
  const snapshot = new AppSnapshotStore();
  // The lock folder is the per-user app-data folder even with `--config FILE`: every program on this
  // machine must meet at the same lock, whichever settings file it reads.
  const appData = path.dirname(settingsFilePath({ platform, env, homedir: opts.homedir ?? os.homedir() }));
  const locks = new ProjectLocks({
    dir: path.join(appData, 'locks'),
    program: PROGRAM_NAMES[opts.program ?? 'app'],
    platform,
  });
  const stack = new StackService({
    jobs,
    snapshot,
    locks,
    lockWaitMs: opts.lockWaitMs,
    getSettings: () => settings.get().settings,
    difyDirOverride: opts.difyDir || undefined,
    platform,
    env,
    modelsFile: path.join(appData, 'cache', 'status-models.json'),
  });
  const localData = localDataDir({ platform, env, homedir: opts.homedir ?? os.homedir() });
  const plugins = new PluginService({
    jobs,
    settings,
    secrets: opts.secrets ?? new EnvSecretStore(env),
    dataDir: path.dirname(settings.path),
    // A debug run's log sits with the supervised programs' logs: machine-bound, never roaming.
    debug: { logDir: path.join(localData, 'logs'), platform, env },
    // The signature fix writes FORCE_VERIFYING_SIGNATURE through the timeout panel's .env machinery.
    env: () => timeouts,
    snapshot: snapshot.part('plugins'),
    // The login's password form follows the running Dify's release: its `api` image tag (facts.md).
    difyVersion: async () => {
      const containers = (await stack.openProject().catch(() => null))?.containers ?? [];
      const apis = containers.filter((c) => c.service === 'api');
      return versionFromImage((apis.find((c) => c.state === 'running') ?? apis[0])?.image);
    },
  });
  const timeouts = new TimeoutService({
    stack,
    // Backups of .env and the resolved config hold secrets: always in the per-user app-data folder,
    // never next to a `--config FILE` that may sit in a shared place.
    backupRoot: appData,
    cacheDir: path.join(appData, 'cache'),
    env,
    platform,
  });
  const docker = lazyDocker(dockerConnectionOptions(platform, env));
  const processes = new ProcessService({
    jobs,
    stack,
    settings: () => settings.get().settings,
    snapshot: snapshot.part('processes'),
    dataDir: localData,
    program: opts.program ?? 'app',
    platform,
    env,
    docker: () => docker,
  });
  const gpu = new GpuService({
    settings,
    processes,
    snapshot: snapshot.part('gpu'),
    platform,
    env,
    // `dify-stack gpu --watch` is an explicit request, whatever the app's monitoring setting says.
    monitoring: opts.program === 'cli' ? 'always' : 'settings',
  });
  // The badge is the app's: a one-shot CLI run does not follow the daemon.
  const logs = createLogService({ settings, snapshot, stack, processes, plugins }, () => docker, {
    watchErrors: opts.program !== 'cli',
  });
  // The app's own log beside the supervised programs' logs. The app and the CLI write a file each
  // (`app.log`, `cli.log`); CLI runs that overlap share theirs safely (core/app-log.ts says how).
  const program = opts.program ?? 'app';
  const logDir = path.join(localData, 'logs');
  const log = new AppLog({
    file: path.join(logDir, program === 'cli' ? 'cli.log' : 'app.log'),
    pid: program === 'cli' ? process.pid : undefined,
  });
  log.info('program.started', { program, version: pkg.version, pid: process.pid, platform });
  const probeSources: ProbeSources = {
    engineVersion: () => engineGetJson(dockerConnectionOptions(platform, env), '/version', 5000),
    openProject: () => stack.openProject(),
    detectCompose: () => detectCompose(platform, undefined, env),
    snapshot: () => stack.getSnapshot(),
    nvidiaSmi: () => locateNvidiaSmi({ setting: settings.get().settings.nvidiaSmiPath, platform, env }),
    env,
  };
  return assembleServices(settings, jobs, stack, {
    diagnostics: { log, logDir, program, probes: defaultProbes(probeSources) },
    plugins,
    timeouts,
    snapshot,
    processes,
    gpu,
    logs,
    notifications: opts.notifications,
  });
}

/** The log capability over the other services: containers through the stack, files through processes and plugins. */
function createLogService(
  parts: {
    settings: SettingsStore;
    snapshot: AppSnapshotStore;
    stack: StackApi;
    processes: ProcessesApi;
    plugins: PluginService;
  },
  docker: () => Docker,
  options: { watchErrors: boolean },
): LogService {
  return new LogService({
    settings: parts.settings,
    snapshot: parts.snapshot.part('logs'),
    stack: parts.stack,
    docker,
    programLog: (id) => parts.processes.logFileOf(id),
    plugins: parts.plugins,
    openFile: (file) => fileSource(file),
    watchErrors: options.watchErrors,
  });
}

/**
 * Ties the parts together: a settings change (say, another Dify folder) triggers a fresh status,
 * and dispose stops jobs before the stack closes its Docker event stream.
 */
export function assembleServices(
  settings: SettingsStore,
  jobs: JobManager,
  stack: StackApi,
  parts: {
    plugins?: PluginService;
    timeouts?: TimeoutService;
    snapshot?: AppSnapshotStore;
    processes?: ProcessesApi;
    gpu?: GpuApi;
    logs?: LogsApi;
    notifications?: CreateServicesOptions['notifications'];
    diagnostics?: {
      log: AppLogLike;
      logDir: string;
      program: 'app' | 'cli';
      probes: ReturnType<typeof defaultProbes>;
    };
  } = {},
): AppServices {
  const snapshot = parts.snapshot ?? new AppSnapshotStore();
  // Services without a log folder (unit tests over a fake stack) log nothing.
  const log = parts.diagnostics?.log ?? silentAppLog();
  const shown = parts.notifications;
  const notifier = shown
    ? new Notifier({
        ...shown,
        show: (n) => {
          log.info('notification.shown', { kind: n.kind, target: n.target.page });
          shown.show(n);
        },
        snapshot,
        jobs,
        settings,
      })
    : null;
  const timeouts = parts.timeouts ?? new TimeoutService({ stack, backupRoot: path.dirname(settings.path) });
  const plugins =
    parts.plugins ??
    new PluginService({
      jobs,
      settings,
      secrets: new EnvSecretStore(process.env),
      dataDir: path.dirname(settings.path),
      env: () => timeouts,
      snapshot: snapshot.part('plugins'),
    });
  const processes =
    parts.processes ??
    new ProcessService({
      jobs,
      stack,
      settings: () => settings.get().settings,
      snapshot: snapshot.part('processes'),
      dataDir: path.dirname(settings.path),
      program: 'app',
      docker: () => {
        throw new Error('no engine client in these services');
      },
    });
  // Nothing samples until something needs readings (a view, the tray): building it starts no process.
  const gpu = parts.gpu ?? new GpuService({ settings, processes, snapshot: snapshot.part('gpu') });
  const logs =
    parts.logs ??
    createLogService(
      { settings, snapshot, stack, processes, plugins },
      () => {
        throw new Error('no engine client in these services');
      },
      { watchErrors: false },
    );
  const setup = new SetupService({ settings, stack, processes, connection: () => plugins.connection() });
  const diagnostics = new DiagnosticsService({
    jobs,
    log,
    logDir: parts.diagnostics?.logDir ?? path.join(path.dirname(settings.path), 'logs'),
    program: parts.diagnostics?.program ?? 'app',
    appVersion: pkg.version,
    settings: () => settings.get(),
    status: async () => {
      await Promise.all([stack.refresh().catch(() => undefined), processes.refresh().catch(() => undefined)]);
      return stack.getSnapshot();
    },
    doctor: { last: () => processes.lastDoctor(), run: () => processes.runDoctor() },
    probes:
      parts.diagnostics?.probes ??
      defaultProbes({
        engineVersion: () => Promise.reject(new Error('no engine client in these services')),
        openProject: () => stack.openProject(),
        detectCompose: () => Promise.resolve({ v2: null, v1: null }),
        snapshot: () => stack.getSnapshot(),
        nvidiaSmi: () => ({ path: null, looked: [] }),
        env: {},
      }),
  });
  const offLogEvents = followAppEvents(log, { jobs, settings });
  const offSettings = settings.onChange(() => {
    // The snapshot event carries the result; a failed refresh already shows up in the snapshot.
    stack.refresh().catch(() => undefined);
    processes.refresh().catch(() => undefined);
  });
  const subscriptions = new SubscriptionHub(topicContract);
  subscriptions.register('job-output', jobOutputSource(jobs));
  subscriptions.register('process-output', processes.outputSource());
  subscriptions.register('gpu-samples', gpu.samplesSource());
  // A view's first batch is its backlog, up to the whole ring (log-service.ts says why the queue is this long).
  subscriptions.register('log-lines', logs.linesSource(), { maxQueue: LOG_LINES_MAX_QUEUE });
  let disposing: Promise<void> | null = null;
  return {
    settings,
    jobs,
    stack,
    plugins,
    snapshot,
    timeouts,
    processes,
    gpu,
    logs,
    setup,
    subscriptions,
    diagnostics,
    dispose() {
      disposing ??= (async () => {
        offSettings();
        notifier?.dispose();
        subscriptions.dispose();
        await logs.dispose();
        await plugins.dispose();
        await jobs.dispose();
        await gpu.dispose();
        await processes.dispose();
        await stack.dispose();
        snapshot.dispose();
        offLogEvents();
        await log.flush();
      })();
      return disposing;
    },
  };
}
