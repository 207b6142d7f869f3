import { z } from 'zod';

/**
 * The one settings file shared by the app and the CLI. Every field has a default.
 *
 * Fields are declared once without defaults: the patch schema must not have them, because zod's
 * `.partial()` keeps `.default()` and would silently reset every field a patch does not mention.
 */
const fields = {
  /** The Dify `docker` folder (holds docker-compose.yaml and .env). Empty: detect from containers. */
  difyDir: z.string().max(4096),
  /** Where "Open Dify" goes and where the console API lives. Only http(s): it is handed to the OS. */
  difyUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  language: z.enum(['system', 'ja', 'en']),
  /** Local plugin folders registered for one-click reinstall (each holds a manifest.yaml). */
  pluginDirs: z.array(z.string().min(1).max(4096)).max(200),
  /** The Dify account used for plugin management; its password lives in the secret store, never here. */
  difyEmail: z.string().max(320),
};

export const SettingsSchema = z.object({
  difyDir: fields.difyDir.default(''),
  difyUrl: fields.difyUrl.default('http://localhost'),
  language: fields.language.default('system'),
  pluginDirs: fields.pluginDirs.default([]),
  difyEmail: fields.difyEmail.default(''),
});

export type Settings = z.infer<typeof SettingsSchema>;
/** A change to some fields; absent fields stay as they are. */
export const SettingsPatchSchema = z.object(fields).partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
