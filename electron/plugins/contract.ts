/**
 * The plugin capability's piece of the contract: registered plugin folders, one-click reinstall, the
 * Dify console connection. The renderer imports only the types.
 */
import { z } from 'zod';
import { defineInvoke } from '../core/contract-kit';
import { ErrorInfoSchema, JobRefSchema, NoInput, PluginDebugStateSchema } from '../core/contract';
import { WARNING_CODES } from './manifest-problems';
import { SKIP_REASONS } from './package-skips';
import { PYTHON_INSTALLS } from './python-deps';

export const InstalledSummarySchema = z.object({
  pluginId: z.string(),
  version: z.string(),
  identifier: z.string(),
  source: z.string(),
  installationId: z.string(),
});

export const ManifestProblemSchema = z.object({
  code: z.string(),
  file: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

/** What Dify accepts but the user should know before an upload (i18n `plugins.warnings.<code>`). */
export const ManifestWarningSchema = ManifestProblemSchema.extend({ code: z.enum(WARNING_CODES) });

export const PythonDependencySummarySchema = z.object({
  install: z.enum(PYTHON_INSTALLS),
  files: z.array(z.string()),
  officialAddsRequirements: z.boolean(),
});

export const SkippedEntrySchema = z.object({ rel: z.string(), reason: z.enum(SKIP_REASONS) });

export const PluginLastResultSchema = z.object({
  ok: z.boolean(),
  at: z.number(),
  action: z.enum(['installed', 'reinstalled', 'unchanged']).nullable(),
  version: z.string().nullable(),
  identifier: z.string().nullable(),
  /** Entries of the folder the package left out (links out of the folder among them). */
  skipped: z.array(SkippedEntrySchema),
  error: ErrorInfoSchema.nullable(),
});

export const PluginProjectSchema = z.object({
  dir: z.string(),
  manifest: z
    .object({
      pluginId: z.string(),
      author: z.string(),
      name: z.string(),
      version: z.string(),
      label: z.record(z.string(), z.string()),
    })
    .nullable(),
  /** Dify would refuse the package: Package and Reinstall stay disabled. */
  problems: z.array(ManifestProblemSchema),
  /** Dify accepts the package: shown, never blocking. */
  warnings: z.array(ManifestWarningSchema),
  /** For a Python plugin: which files the plugin daemon installs packages from. */
  python: PythonDependencySummarySchema.nullable(),
  installed: InstalledSummarySchema.nullable(),
  lastResult: PluginLastResultSchema.nullable(),
});

export const DifyConnectionSchema = z.object({
  url: z.string(),
  email: z.string(),
  hasPassword: z.boolean(),
  passwordSavedFor: z.string().nullable(),
  canStorePassword: z.boolean(),
});

export const PluginsOverviewSchema = z.object({
  projects: z.array(PluginProjectSchema),
  installed: z.array(InstalledSummarySchema).nullable(),
  installedError: ErrorInfoSchema.nullable(),
  connection: DifyConnectionSchema,
});

export const TestLoginResultSchema = z.object({
  era: z.enum(['cookie', 'bearer']),
  passwordEncoding: z.enum(['base64', 'plain']),
  installedCount: z.number(),
});

const TimeoutFindingSchema = z.object({
  seconds: z.number().nullable(),
  file: z.string(),
  line: z.number(),
  text: z.string(),
});

export const PluginTimeoutsSchema = z.object({
  dir: z.string(),
  pluginId: z.string().nullable(),
  maxRequestTimeout: TimeoutFindingSchema.extend({ isDefault: z.boolean() }),
  httpTimeouts: z.array(TimeoutFindingSchema),
  error: ErrorInfoSchema.nullable(),
});

export const PluginDirInputSchema = z.object({ dir: z.string().min(1).max(4096) }).strict();

export const SetConnectionInputSchema = z
  .object({
    email: z.string().max(320).optional(),
    /** A new password; null removes the stored one; absent keeps it. Never echoed back. */
    password: z.string().max(1024).nullable().optional(),
  })
  .strict();

export type PluginsOverviewDto = z.infer<typeof PluginsOverviewSchema>;
export type PluginProjectDto = z.infer<typeof PluginProjectSchema>;
export type InstalledSummaryDto = z.infer<typeof InstalledSummarySchema>;
export type DifyConnectionDto = z.infer<typeof DifyConnectionSchema>;
export type PluginTimeoutsDto = z.infer<typeof PluginTimeoutsSchema>;
export type TestLoginResultDto = z.infer<typeof TestLoginResultSchema>;
export type { PluginDebugState as PluginDebugStateDto } from '../core/contract';

/** A debug channel's answer: the folder's debug state now (the snapshot carries every later one). */
const DebugStateOutput = z.object({ state: PluginDebugStateSchema.nullable() });

export const pluginsInvoke = defineInvoke({
  /** Registered plugin folders joined with Dify's installed list (plugins panel). */
  'plugins:list': { input: NoInput, output: PluginsOverviewSchema },
  'plugins:add': { input: PluginDirInputSchema, output: PluginsOverviewSchema },
  'plugins:remove': { input: PluginDirInputSchema, output: PluginsOverviewSchema },
  /** Opens the OS folder picker for a plugin folder (Electron only); null when cancelled. */
  'plugins:pickFolder': { input: NoInput, output: z.object({ dir: z.string().nullable() }) },
  'plugins:reinstall': { input: PluginDirInputSchema, output: JobRefSchema },
  /** The user agreed to FORCE_VERIFYING_SIGNATURE=false (recreating plugin_daemon) if Dify refuses. */
  'plugins:reinstallAllowUnsigned': { input: PluginDirInputSchema, output: JobRefSchema },
  /** MAX_REQUEST_TIMEOUT and timeout= literals of registered folders, for the timeout chain. */
  'plugins:timeouts': { input: NoInput, output: z.array(PluginTimeoutsSchema) },
  /**
   * Remote debugging of a registered folder: `python -m main` against Dify's debug port, restarted on
   * every save; its state lives in the app snapshot's plugin folder entry.
   */
  'plugins:debugStart': { input: PluginDirInputSchema, output: DebugStateOutput },
  'plugins:debugStop': { input: PluginDirInputSchema, output: DebugStateOutput },
  /** The user agreed: uninstall the packaged install of the plugin being debugged (reinstall it after). */
  'plugins:debugUninstallPackaged': { input: PluginDirInputSchema, output: DebugStateOutput },
  'dify:getConnection': { input: NoInput, output: DifyConnectionSchema },
  'dify:setConnection': { input: SetConnectionInputSchema, output: DifyConnectionSchema },
  'dify:testLogin': { input: NoInput, output: TestLoginResultSchema },
});
