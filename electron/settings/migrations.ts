/**
 * The settings file's versions and the chain of migrations between them. Pure: JSON object in, JSON
 * object out. Each step takes the shape of version N to version N+1, so a file of any age walks the
 * chain to the current one.
 *
 * Version 0 is every file written before `version` existed (test/fixtures/settings/ holds each shape
 * as those versions wrote it). Those shapes only ever gained fields, each with a default the schema
 * fills in, so no field needs renaming; the one thing version 1 changes is setupDone (below).
 */
export const SETTINGS_VERSION = 1;

type Json = Record<string, unknown>;
type Migration = (from: Json) => Json;

/** MIGRATIONS[n] turns version n into version n + 1. */
const MIGRATIONS: readonly Migration[] = [
  (v0) => ({
    ...v0,
    // The first-run wizard opens until setupDone is true. A user whose file already points at their
    // stack set the app up long before the wizard existed: greeting them with it would be wrong. The
    // 4ee90c0 build wrote `setupDone: false` into every file it saved, as a default and not as a
    // choice, so an explicit false does not count against a configured stack.
    setupDone: v0.setupDone === true || configuredStack(v0),
  }),
];

/** The file's version: a missing one is 0; null when the value is not a version at all. */
export function fileVersion(json: Json): number | null {
  if (!('version' in json)) return 0;
  const v = json.version;
  return Number.isInteger(v) && (v as number) >= 0 ? (v as number) : null;
}

/**
 * Brings a file of `version` ≤ SETTINGS_VERSION to the current shape (with `version` set). Keys the
 * migrations do not touch, known or not, are carried over as they are.
 */
export function migrateSettings(json: Json, version: number): Json {
  if (version > SETTINGS_VERSION) throw new RangeError(`version ${version} is newer than ours`);
  let out: Json = { ...json };
  for (let n = version; n < SETTINGS_VERSION; n++) out = MIGRATIONS[n]!(out);
  return { ...out, version: SETTINGS_VERSION };
}

function configuredStack(json: Json): boolean {
  const set = (k: string): boolean => typeof json[k] === 'string' && (json[k] as string).trim() !== '';
  return (
    set('difyDir') ||
    set('a1111Dir') ||
    set('ollamaPath') ||
    (Array.isArray(json.pluginDirs) && json.pluginDirs.length > 0)
  );
}
