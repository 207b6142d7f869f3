/**
 * The plugin panel's part of the IPC contract (electron/contract.ts lists the channels). Only zod here:
 * the renderer bundles this file for its types.
 */
import { z } from 'zod';

const ErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

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

export const PluginLastResultSchema = z.object({
  ok: z.boolean(),
  at: z.number(),
  action: z.enum(['installed', 'reinstalled', 'unchanged']).nullable(),
  version: z.string().nullable(),
  identifier: z.string().nullable(),
  error: ErrorShape.nullable(),
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
  problems: z.array(ManifestProblemSchema),
  installed: InstalledSummarySchema.nullable(),
  lastResult: PluginLastResultSchema.nullable(),
});

export const DifyConnectionSchema = z.object({
  url: z.string(),
  email: z.string(),
  hasPassword: z.boolean(),
  canStorePassword: z.boolean(),
});

export const PluginsOverviewSchema = z.object({
  projects: z.array(PluginProjectSchema),
  installed: z.array(InstalledSummarySchema).nullable(),
  installedError: ErrorShape.nullable(),
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
  error: ErrorShape.nullable(),
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
