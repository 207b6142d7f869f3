/** The settings piece of the contract: the one settings file shared by the app and the CLI. */
import { z } from 'zod';
import { defineEvents, defineInvoke } from '../core/contract-kit';
import { ErrorInfoSchema, NoInput } from '../core/contract';
import { SettingsPatchSchema, SettingsSchema } from './schema';

export const SettingsViewSchema = z.object({
  settings: SettingsSchema,
  path: z.string(),
  /** Set when the file on disk was unreadable: defaults are in use and the file is left untouched. */
  warning: ErrorInfoSchema.nullable(),
});

export const settingsInvoke = defineInvoke({
  'settings:get': { input: NoInput, output: SettingsViewSchema },
  'settings:update': { input: SettingsPatchSchema.strict(), output: SettingsViewSchema },
});

export const settingsEvents = defineEvents({
  settings: SettingsViewSchema,
});

export type SettingsView = z.infer<typeof SettingsViewSchema>;
