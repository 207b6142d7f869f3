/**
 * THE contract between the main process and the renderer: every invoke channel and every event,
 * defined once with zod schemas. `ipc.ts` validates against it, `preload.ts` exposes only these
 * channels, and `renderer/src/api.ts` derives its types from it. No channel string is written twice.
 */
import { z } from 'zod';
import {
  DifyConnectionSchema,
  PluginDirInputSchema,
  PluginsOverviewSchema,
  PluginTimeoutsSchema,
  SetConnectionInputSchema,
  TestLoginResultSchema,
} from './plugins/ipc-schemas';
import { SettingsPatchSchema, SettingsSchema } from './settings/schema';
import {
  BackupEntrySchema,
  ChangePreviewSchema,
  ChangesInputSchema,
  CheckResultSchema,
  RestoreInputSchema,
  TimeoutsViewSchema,
} from './env/timeouts-schema';

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

export const ComponentStatusSchema = z.object({
  id: ComponentIdSchema,
  state: ComponentStateSchema,
  /** One line in English for the CLI and logs. */
  detail: z.string(),
  /** The same line as an i18n key for the UI. */
  reason: ReasonSchema.nullable(),
  error: ErrorInfoSchema.nullable(),
  services: z.array(ServiceStatusSchema).optional(),
});

export const JobSnapshotSchema = z.object({
  id: z.string(),
  kind: z.string(),
  resource: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  step: ReasonSchema.nullable(),
  progress: z.number().nullable(),
  lines: z.array(z.string()),
  error: ErrorInfoSchema.nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

export const StatusSnapshotSchema = z.object({
  components: z.array(ComponentStatusSchema),
  /** The Dify project the snapshot is about, when one is known. */
  project: z.object({ dir: z.string(), name: z.string(), composeVersion: z.string().nullable() }).nullable(),
  updatedAt: z.number(),
});

export const JobRefSchema = z.object({ jobId: z.string() });

export const DifyDirCheckSchema = z.object({
  dir: z.string(),
  ok: z.boolean(),
  error: ErrorInfoSchema.nullable(),
  composeFile: z.string().nullable(),
});

export const DetectedProjectSchema = z.object({
  dir: z.string(),
  project: z.string(),
  services: z.array(z.string()),
});

export const SettingsViewSchema = z.object({
  settings: SettingsSchema,
  path: z.string(),
  /** Set when the file on disk was unreadable: defaults are in use and the file is left untouched. */
  warning: ErrorInfoSchema.nullable(),
});

export const AppInfoSchema = z.object({
  version: z.string(),
  platform: z.string(),
  systemLocale: z.string(),
});

const none = z.object({}).strict();

/** Invoke channels: renderer → main, one argument object, one result. */
export const invokeContract = {
  'app:info': { input: none, output: AppInfoSchema },
  'app:openDify': { input: none, output: z.object({ url: z.string() }) },
  'status:get': { input: none, output: StatusSnapshotSchema },
  'status:refresh': { input: none, output: StatusSnapshotSchema },
  'stack:start': { input: none, output: JobRefSchema },
  'stack:stop': { input: none, output: JobRefSchema },
  'stack:restartService': {
    input: z.object({ service: z.string().min(1).max(128) }).strict(),
    output: JobRefSchema,
  },
  'jobs:list': { input: none, output: z.array(JobSnapshotSchema) },
  'jobs:cancel': {
    input: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Registered plugin folders joined with Dify's installed list (plugins panel). */
  'plugins:list': { input: none, output: PluginsOverviewSchema },
  'plugins:add': { input: PluginDirInputSchema, output: PluginsOverviewSchema },
  'plugins:remove': { input: PluginDirInputSchema, output: PluginsOverviewSchema },
  /** Opens the OS folder picker for a plugin folder (Electron only); null when cancelled. */
  'plugins:pickFolder': { input: none, output: z.object({ dir: z.string().nullable() }) },
  'plugins:reinstall': { input: PluginDirInputSchema, output: JobRefSchema },
  /** The user agreed to FORCE_VERIFYING_SIGNATURE=false (recreating plugin_daemon) if Dify refuses. */
  'plugins:reinstallAllowUnsigned': { input: PluginDirInputSchema, output: JobRefSchema },
  /** MAX_REQUEST_TIMEOUT and timeout= literals of registered folders, for the timeout chain. */
  'plugins:timeouts': { input: none, output: z.array(PluginTimeoutsSchema) },
  'dify:getConnection': { input: none, output: DifyConnectionSchema },
  'dify:setConnection': { input: SetConnectionInputSchema, output: DifyConnectionSchema },
  'dify:testLogin': { input: none, output: TestLoginResultSchema },
  'settings:get': { input: none, output: SettingsViewSchema },
  'settings:update': { input: SettingsPatchSchema.strict(), output: SettingsViewSchema },
  'settings:checkDifyDir': {
    input: z.object({ dir: z.string().max(4096) }).strict(),
    output: DifyDirCheckSchema,
  },
  'settings:detectDifyDir': { input: none, output: z.array(DetectedProjectSchema) },
  /** Opens the OS folder picker (Electron only); null when the user cancelled. */
  'settings:pickDifyDir': { input: none, output: z.object({ dir: z.string().nullable() }) },
  /** The timeout panel: every catalog key with what Compose says about it (value, file, readers). */
  'timeouts:view': { input: none, output: TimeoutsViewSchema },
  /** Validation of draft values and the timeout chains they give (pure; called while typing). */
  'timeouts:check': {
    input: z
      .object({
        values: z.record(z.string().max(200), z.string().max(4096)),
        /** Limits read from a plugin's own code (plugins:timeouts), in seconds. */
        plugin: z
          .object({
            maxRequestTimeout: z.number().positive().nullable().optional(),
            toolHttpTimeout: z.number().positive().nullable().optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    output: CheckResultSchema,
  },
  'timeouts:preview': { input: ChangesInputSchema, output: ChangePreviewSchema },
  'timeouts:apply': { input: ChangesInputSchema, output: JobRefSchema },
  'timeouts:backups': { input: none, output: z.array(BackupEntrySchema) },
  'timeouts:restore': { input: RestoreInputSchema, output: JobRefSchema },
} as const;

/** Events: main → renderer. */
export const eventContract = {
  status: StatusSnapshotSchema,
  job: JobSnapshotSchema,
  settings: SettingsViewSchema,
} as const;

export type InvokeChannel = keyof typeof invokeContract;
export type EventName = keyof typeof eventContract;
export type InvokeInput<C extends InvokeChannel> = z.input<(typeof invokeContract)[C]['input']>;
export type InvokeOutput<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof eventContract)[E]>;

export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
export type ComponentId = z.infer<typeof ComponentIdSchema>;
export type ComponentState = z.infer<typeof ComponentStateSchema>;
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;
export type ComponentStatus = z.infer<typeof ComponentStatusSchema>;
export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;
export type JobSnapshotDto = z.infer<typeof JobSnapshotSchema>;
export type DifyDirCheck = z.infer<typeof DifyDirCheckSchema>;
export type DetectedProject = z.infer<typeof DetectedProjectSchema>;
export type SettingsView = z.infer<typeof SettingsViewSchema>;
export type AppInfo = z.infer<typeof AppInfoSchema>;

export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** What preload puts on `window.difyStack` (and what the E2E harness imitates). */
export interface DifyStackBridge {
  invoke<C extends InvokeChannel>(channel: C, input: InvokeInput<C>): Promise<InvokeResult<InvokeOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export { BRIDGE_KEY } from './bridge-key';
/** Electron channel names derive from the contract keys; nothing else spells them. */
export const invokeIpcName = (c: InvokeChannel): string => `invoke:${c}`;
export const eventIpcName = (e: EventName): string => `event:${e}`;
export const INVOKE_CHANNELS = Object.keys(invokeContract) as InvokeChannel[];
export const EVENT_NAMES = Object.keys(eventContract) as EventName[];
