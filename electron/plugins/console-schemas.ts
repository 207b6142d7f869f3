import { z } from 'zod';

/** The shapes of Dify's console API answers the plugin features read (shared/facts.md, "Plugins"). */

export const UploadResultSchema = z.object({
  unique_identifier: z.string().min(1),
  manifest: z.record(z.string(), z.unknown()).nullish(),
  verification: z.unknown().optional(),
});
export const InstallResultSchema = z.object({ all_installed: z.boolean(), task_id: z.string() });
export const TaskStatusSchema = z.enum(['pending', 'running', 'success', 'failed']);
export const InstallTaskSchema = z.object({
  id: z.string(),
  status: TaskStatusSchema,
  total_plugins: z.number().optional(),
  completed_plugins: z.number().optional(),
  plugins: z
    .array(
      z.object({
        plugin_unique_identifier: z.string(),
        plugin_id: z.string().optional(),
        status: TaskStatusSchema,
        message: z.string().nullish(),
      }),
    )
    .default([]),
});
export const TaskResponseSchema = z.object({ task: InstallTaskSchema });
export const InstalledPluginSchema = z.object({
  installation_id: z.string(),
  plugin_id: z.string(),
  plugin_unique_identifier: z.string(),
  version: z.string(),
  name: z.string().optional(),
  source: z.string().optional(),
  declaration: z.record(z.string(), z.unknown()).nullish(),
});
export const ListResponseSchema = z.object({
  plugins: z.array(InstalledPluginSchema),
  total: z.number().optional(),
});
export const UninstallResponseSchema = z.object({ success: z.boolean() });
export const DebuggingKeySchema = z.object({
  key: z.string(),
  host: z.string(),
  port: z.union([z.number(), z.string()]),
});
/** ≤ 1.9.1 and 2.0.0-beta put the tokens in `data`; later releases answer `{"result":"success"}` only. */
export const LoginResponseSchema = z.object({
  result: z.string(),
  data: z
    .union([
      z.string(),
      z.object({ access_token: z.string(), refresh_token: z.string().optional() }).passthrough(),
    ])
    .optional(),
});

export type UploadResult = z.infer<typeof UploadResultSchema>;
export type InstallResult = z.infer<typeof InstallResultSchema>;
export type InstallTask = z.infer<typeof InstallTaskSchema>;
export type InstalledPlugin = z.infer<typeof InstalledPluginSchema>;
export type DebuggingKey = z.infer<typeof DebuggingKeySchema>;
