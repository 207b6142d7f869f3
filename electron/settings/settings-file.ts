/**
 * What the bytes of a settings file mean, decided without I/O (the store does the reading, the
 * locking and the writing). Every outcome keeps as much of the user's file as can be trusted:
 * - `corrupt`: not JSON, not one object, or a `version` that is no version — nothing in it can be
 *   trusted, so the store moves the file aside whole and runs on defaults;
 * - `newer`: written by a later version of the app — the fields we understand are used, the rest keep
 *   their defaults, and the file is never written (we could not know what our write would drop);
 * - `ok`: migrated to our version; fields the schema refuses fall back to their defaults one by one
 *   (`refused`) rather than throwing away the whole file for one bad value — the store keeps a copy
 *   of the original bytes beside it, so the refused value is not lost either.
 */
import { formatIssues } from '../core/zod-issues';
import { fileVersion, migrateSettings, SETTINGS_VERSION } from './migrations';
import { SettingsSchema, type Settings } from './schema';

export type SettingsFile =
  | { kind: 'corrupt'; reason: string }
  | { kind: 'newer'; version: number; settings: Settings; extras: Record<string, unknown> }
  | {
      kind: 'ok';
      settings: Settings;
      /** Keys this version does not know: kept, so an older build does not strip a newer one's. */
      extras: Record<string, unknown>;
      /** The version the file was written in. */
      version: number;
      /** Fields whose value the schema refused (reset to defaults), with why. */
      refused: { fields: string[]; reason: string } | null;
    };

const KNOWN = new Set(Object.keys(SettingsSchema.shape));

export function readSettingsText(text: string): SettingsFile {
  let json: unknown;
  try {
    // Notepad and other Windows editors may save UTF-8 with a byte order mark; JSON.parse rejects it.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { kind: 'corrupt', reason: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { kind: 'corrupt', reason: 'the file must hold one JSON object' };
  }
  const record = json as Record<string, unknown>;
  const version = fileVersion(record);
  if (version === null) {
    return {
      kind: 'corrupt',
      reason: `"version" must be a whole number, not ${JSON.stringify(record.version)}`,
    };
  }
  if (version > SETTINGS_VERSION) {
    const { settings, extras } = salvage(record);
    return { kind: 'newer', version, settings, extras };
  }
  const { settings, extras, refused } = salvage(migrateSettings(record, version));
  return { kind: 'ok', settings, extras, version, refused };
}

/** The file's text for `settings` (known fields in schema order after `version`, then the extras). */
export function settingsText(settings: Settings, extras: Record<string, unknown>): string {
  return JSON.stringify({ version: SETTINGS_VERSION, ...settings, ...extras }, null, 2) + '\n';
}

/** Parses the known fields; a field the schema refuses is left to its default, the others stay. */
function salvage(json: Record<string, unknown>): {
  settings: Settings;
  extras: Record<string, unknown>;
  refused: { fields: string[]; reason: string } | null;
} {
  const extras = Object.fromEntries(Object.entries(json).filter(([k]) => !KNOWN.has(k) && k !== 'version'));
  const known = Object.fromEntries(Object.entries(json).filter(([k]) => KNOWN.has(k)));
  const whole = SettingsSchema.safeParse(known);
  if (whole.success) return { settings: whole.data, extras, refused: null };
  const fields = [...new Set(whole.error.issues.map((i) => String(i.path[0])))];
  const kept = Object.fromEntries(Object.entries(known).filter(([k]) => !fields.includes(k)));
  // Every field is checked on its own, so dropping the refused ones leaves a valid object.
  const settings = SettingsSchema.parse(kept);
  return { settings, extras, refused: { fields, reason: formatIssues(whole.error) } };
}
