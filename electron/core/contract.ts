/**
 * Core's piece of the contract: the shapes every capability shares (errors, the app snapshot and its
 * components, jobs) and the channels that belong to no capability (app info, the job list).
 */
import { z } from 'zod';
import { defineEvents, defineInvoke } from './contract-kit';

export const ErrorInfoSchema = z.object({
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const ComponentIdSchema = z.enum(['docker', 'dify', 'ollama', 'a1111']);
export const ComponentStateSchema = z.enum([
  'running',
  'partial',
  'stopped',
  'starting',
  'unavailable',
  'error',
]);

export const ServiceStatusSchema = z.object({
  name: z.string(),
  /** Docker's container state (running, exited, created, restarting, paused, dead, removing) or 'missing'. */
  state: z.string(),
  health: z.enum(['healthy', 'unhealthy', 'starting']).nullable(),
  containerId: z.string(),
  /** A one-shot service (e.g. init_permissions) is fine when it exited 0. */
  oneShot: z.boolean(),
  exitCode: z.number().nullable(),
});

export const ReasonSchema = z.object({
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** A program we supervise (Ollama, A1111): who runs it and how it last ended. */
export const ProcessInfoSchema = z.object({
  /** Who owns the running server: a process we (the app or a CLI run) started, Ollama's desktop app, or someone else. */
  owner: z.enum(['app', 'cli', 'desktop-app', 'external']).nullable(),
  pid: z.number().int().nullable(),
  /** The settings say how to start it (an executable / a launcher folder was found). */
  startable: z.boolean(),
  /** Restarts after a crash since the last Start. */
  restarts: z.number().int().nonnegative(),
  /** The exit code of the last run that ended (null: still running, never ran, or unknown). */
  lastExitCode: z.number().int().nullable(),
  /** The last lines the program printed (newest last), kept for a crash report. */
  lastLines: z.array(z.string()),
  /** Its output log in app data, when we started it. */
  logFile: z.string().nullable(),
});

export const OllamaInfoSchema = z.object({
  /** Where we talk to it (always a loopback address when it listens on every interface). */
  url: z.string(),
  version: z.string().nullable(),
  models: z.array(z.object({ name: z.string(), size: z.number() })),
  /** Loaded models: size in memory and how much of it sits in VRAM (bytes). */
  loaded: z.array(z.object({ name: z.string(), size: z.number(), sizeVram: z.number() })),
});

export const A1111PhaseSchema = z.enum(['installing', 'launching', 'loading-model', 'ready', 'stopped']);

export const A1111InfoSchema = z.object({
  url: z.string(),
  phase: A1111PhaseSchema,
  /** The last line of output while installing or loading (what it is busy with). */
  phaseLine: z.string().nullable(),
  /** The API answers (started with --api). False while it starts, or when it runs without --api. */
  api: z.boolean(),
  checkpoint: z.string().nullable(),
  /** A generation in progress: 0..1 and the seconds it expects to need. */
  progress: z.object({ fraction: z.number(), etaSeconds: z.number().nullable() }).nullable(),
});

export const ComponentStatusSchema = z.object({
  id: ComponentIdSchema,
  state: ComponentStateSchema,
  /** One line in English for the CLI and logs. */
  detail: z.string(),
  /** The same line as an i18n key for the UI. */
  reason: ReasonSchema.nullable(),
  error: ErrorInfoSchema.nullable(),
  services: z.array(ServiceStatusSchema).optional(),
  process: ProcessInfoSchema.optional(),
  ollama: OllamaInfoSchema.optional(),
  a1111: A1111InfoSchema.optional(),
});

export const JobSnapshotSchema = z.object({
  id: z.string(),
  kind: z.string(),
  resource: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  step: ReasonSchema.nullable(),
  progress: z.number().nullable(),
  /**
   * Output lines printed so far, as of this snapshot (a line alone sends no job event). The lines
   * themselves reach views only through the `job-output` topic.
   */
  outputLines: z.number().int().nonnegative(),
  error: ErrorInfoSchema.nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

/**
 * A plugin folder's remote-debug run (electron/plugins/plugin-debug-runner.ts). `connected` needs both
 * the plugin's start lines and Dify's plugin list showing it with source "remote" (`listed`), except
 * when a packaged install of the same plugin is there: the daemon then runs the debug session under
 * that installation and lists no remote one. `crashed`: the plugin ended by itself (the next save
 * starts it again); `failed`: it cannot run as things are (no Python, a refused key, pip failed).
 */
export const PluginDebugStateSchema = z.object({
  phase: z.enum(['installing', 'starting', 'connected', 'crashed', 'failed', 'stopped']),
  /** Starts after the first one: one per save (or key change) that restarted the plugin. */
  restarts: z.number().int().nonnegative(),
  /** When the phase began (ms since the epoch). */
  since: z.number(),
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
  /** The run's last lines of output, when it crashed or failed. */
  lastLines: z.array(z.string()),
  error: ErrorInfoSchema.nullable(),
  /** Dify's plugin list shows this run installed with source "remote". */
  listed: z.boolean(),
  /** Dify also has this plugin installed from a package (the debug run is attached to it). */
  packaged: z.object({ version: z.string(), installationId: z.string() }).nullable(),
  /** The packaged version this app uninstalled for the debug run: offered for reinstall after it. */
  uninstalledPackage: z.object({ version: z.string() }).nullable(),
  /** The run's output and pip's (the log viewer's `plugin` source). */
  logFile: z.string(),
});

/** A registered local plugin folder, named by its manifest (the folder's name until that is read). */
export const PluginFolderSchema = z.object({
  dir: z.string(),
  name: z.string(),
  /** Its debug run in this app session; absent (or null) when it has not been debugged. */
  debug: PluginDebugStateSchema.nullable().optional(),
});

export const PluginsSummarySchema = z.object({
  folders: z.array(PluginFolderSchema),
});

/** One GPU as nvidia-smi reports it (MiB, %, °C); null = unknown (`[N/A]`, `[Not Supported]`…), never 0. */
export const GpuReadingSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  memoryTotal: z.number().nullable(),
  memoryUsed: z.number().nullable(),
  memoryFree: z.number().nullable(),
  utilization: z.number().nullable(),
  temperature: z.number().nullable(),
});

/** Who holds VRAM: a loaded Ollama model, A1111, or the rest (used − known). MiB. */
export const GpuConsumerSchema = z.object({
  kind: z.enum(['ollama-model', 'a1111', 'other']),
  name: z.string(),
  vram: z.number().nullable(),
  /** The part that did not fit and sits in system RAM (Ollama: size − size_vram); slow when > 0. */
  spilled: z.number().nullable(),
});

/** The GPU capability's part of the app snapshot (electron/gpu): the latest reading and who holds the VRAM. */
export const GpuSummarySchema = z.object({
  /** `off`: monitoring is off in the settings; the others say why there is no reading. */
  state: z.enum(['ok', 'starting', 'off', 'not-found', 'no-gpu', 'driver-mismatch', 'error']),
  error: ErrorInfoSchema.nullable(),
  gpus: z.array(GpuReadingSchema),
  consumers: z.array(GpuConsumerSchema),
  /** VRAM use above the threshold for the configured time (the tray badge and the notification). */
  alert: z.boolean(),
  /** When the reading was taken (ms since the epoch), null before the first. */
  at: z.number().nullable(),
});

/** error/warn/info/debug, from the line's own words (`[ERROR]`, `level=warn`, `ERROR:`, …). */
export const LogLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);

/** A log the viewer can open: a compose service's container, Ollama's server log, A1111's output, a plugin's debug run. */
export const LogSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('service'),
      // Compose service names: letters, digits, `_`, `.`, `-` (compose-spec's pattern).
      service: z
        .string()
        .min(1)
        .max(63)
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
    })
    .strict(),
  z.object({ kind: z.literal('ollama') }).strict(),
  z.object({ kind: z.literal('a1111') }).strict(),
  /** A plugin folder's debug run (remote debugging): the plugin's own output and its pip installs. */
  z.object({ kind: z.literal('plugin'), folder: z.string().min(1).max(4096) }).strict(),
]);

/**
 * The log capability's part of the app snapshot (electron/logs): errors the plugin daemon printed
 * since the user last looked (the quiet badge on the tray and the dashboard). `last` is the newest
 * such line, so the badge can open the viewer at it.
 */
export const LogsSummarySchema = z.object({
  /** Whether the plugin daemon's log is being watched (the project runs a plugin_daemon). */
  watching: z.boolean(),
  errors: z.number().int().nonnegative(),
  last: z.object({ service: z.string(), at: z.number(), text: z.string() }).nullable(),
});

/**
 * The one app snapshot (`core/app-snapshot.ts`): every service writes its own part, and the renderer,
 * the tray and the CLI render it. Components keep the order of ComponentIdSchema.
 */
export const StatusSnapshotSchema = z.object({
  components: z.array(ComponentStatusSchema),
  /** The Dify project the snapshot is about, when one is known. */
  project: z.object({ dir: z.string(), name: z.string(), composeVersion: z.string().nullable() }).nullable(),
  plugins: PluginsSummarySchema,
  /** The GPU capability's VRAM summary; null until it has looked once (or when it is not built in). */
  gpu: GpuSummarySchema.nullable(),
  /** The plugin daemon's error badge; null when the log capability is not built in. */
  logs: LogsSummarySchema.nullable(),
  updatedAt: z.number(),
});

export const JobRefSchema = z.object({ jobId: z.string() });

export const AppInfoSchema = z.object({
  version: z.string(),
  platform: z.string(),
  systemLocale: z.string(),
});

/** The input of a channel that takes no arguments. */
export const NoInput = z.object({}).strict();

export const coreInvoke = defineInvoke({
  'app:info': { input: NoInput, output: AppInfoSchema },
  'jobs:list': { input: NoInput, output: z.array(JobSnapshotSchema) },
  'jobs:cancel': {
    input: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
});

export const coreEvents = defineEvents({
  job: JobSnapshotSchema,
});

export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
export type ComponentId = z.infer<typeof ComponentIdSchema>;
export type ComponentState = z.infer<typeof ComponentStateSchema>;
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;
export type ComponentStatus = z.infer<typeof ComponentStatusSchema>;
export type ProcessInfo = z.infer<typeof ProcessInfoSchema>;
export type OllamaInfo = z.infer<typeof OllamaInfoSchema>;
export type A1111Info = z.infer<typeof A1111InfoSchema>;
export type A1111Phase = z.infer<typeof A1111PhaseSchema>;
export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;
export type PluginsSummary = z.infer<typeof PluginsSummarySchema>;
export type PluginDebugState = z.infer<typeof PluginDebugStateSchema>;
export type JobSnapshotDto = z.infer<typeof JobSnapshotSchema>;
export type AppInfo = z.infer<typeof AppInfoSchema>;
export type GpuReading = z.infer<typeof GpuReadingSchema>;
export type GpuConsumer = z.infer<typeof GpuConsumerSchema>;
export type GpuSummary = z.infer<typeof GpuSummarySchema>;
export type LogLevel = z.infer<typeof LogLevelSchema>;
export type LogSource = z.infer<typeof LogSourceSchema>;
export type LogsSummary = z.infer<typeof LogsSummarySchema>;
