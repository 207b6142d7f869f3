import { z } from 'zod';

/** The one settings file shared by the app and the CLI. Every field has a default. */
export const SettingsSchema = z.object({
  /** The Dify `docker` folder (holds docker-compose.yaml and .env). Empty: detect from containers. */
  difyDir: z.string().default(''),
  /** Where "Open Dify" goes and where the console API lives. */
  difyUrl: z.string().url().default('http://localhost'),
  language: z.enum(['system', 'ja', 'en']).default('system'),
});

export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
