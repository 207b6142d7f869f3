/**
 * The plan of a change to the env files, made before anything is written: every value validated
 * (nothing is written when one is invalid), the file each key goes to, the complete new bytes of each
 * file, the services that read the change and those a plain `up -d` would recreate. The panel's
 * preview, the CLI's dry run and the first step of Apply / Restore are all this plan; carrying it
 * out is timeout-deploy.ts's job.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../core/errors';
import { shownValue } from '../core/secret-mask';
import type { OpenProject } from '../stack/api';
import { listBackups, type BackupOptions } from './backups';
import type { ChangePreview } from './contract';
import { EnvDocument, isValidEnvKey } from './env-file';
import { toRel, type KeyReach, type ProjectReach, type ReachProject } from './reach-model';
import type { ReachResolver } from './reach-resolver';
import { getTimeoutKey } from './timeout-catalog';
import { validateTimeoutValue, type TranslatedError } from './timeout-validation';

export type ApplyMode = 'readers' | 'full';

export interface PlannedFile {
  abs: string;
  rel: string;
  /** Bytes now (null: the file does not exist yet). */
  before: Buffer | null;
  after: Buffer;
}

export interface Predicted {
  services: string[];
  approximate: boolean;
}

export interface Plan {
  preview: ChangePreview;
  files: PlannedFile[];
  /**
   * Apply does not wait for the plain-`up -d` prediction (one more `config` run) before it starts:
   * it is needed only for a full apply, for readers with dependencies, and for the final report.
   */
  predicted?: Promise<Predicted>;
}

/** The project's resolver; one per project, kept by the service so plan and deploy share its cache. */
export type ResolverFor = (open: OpenProject) => ReachResolver;

type PreviewEntry = ChangePreview['entries'][number];

export function reachProject(open: OpenProject): ReachProject {
  const { dir, composeFile, envFile, projectName } = open.project;
  return { dir, composeFile, envFile, projectName };
}

export function resolveReach(
  resolverFor: ResolverFor,
  open: OpenProject,
  keys: readonly string[],
): Promise<ProjectReach> {
  return resolverFor(open).resolve(reachProject(open), keys);
}

export function isRunning(open: Pick<OpenProject, 'containers'>): boolean {
  return open.containers.some((c) => c.state === 'running');
}

/** `file` (relative to the project folder or absolute) as an absolute path; refused outside the folder. */
export function projectFile(project: ReachProject, file: string): string {
  const abs = path.resolve(project.dir, file);
  const rel = path.relative(project.dir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new AppError('ENV_FILE_OUTSIDE_PROJECT', { params: { file, dir: project.dir } });
  }
  return abs;
}

/** Catalog keys by the catalog's rules; any other key by the editor's (a name Compose accepts, one line). */
export function validateChange(key: string, value: string): TranslatedError | null {
  if (getTimeoutKey(key)) {
    const result = validateTimeoutValue(key, value);
    return result.ok ? null : result.error;
  }
  if (!isValidEnvKey(key)) return { key: 'timeouts.validation.badKey', params: { key } };
  if (/[\0]/.test(value)) return { key: 'timeouts.validation.badCharacter', params: {} };
  return null;
}

export function invalidChanges(errors: ChangePreview['errors']): AppError {
  const first = errors[0] as ChangePreview['errors'][number];
  return new AppError('ENV_VALUE_INVALID', {
    params: { key: first.key, value: first.value },
    detail: errors
      .map((e) => `${e.key}=${e.value}: ${e.error.key} ${JSON.stringify(e.error.params)}`)
      .join('\n'),
  });
}

/** Absolute file → the keys written there: the forced file, else each key's suggested file, else `.env`. */
export function placeChanges(
  project: ReachProject,
  keys: readonly KeyReach[],
  values: Readonly<Record<string, string>>,
  forced: string | null,
): Map<string, { rel: string; keys: KeyReach[] }> {
  const byFile = new Map<string, { rel: string; keys: KeyReach[] }>();
  for (const r of keys) {
    if (values[r.key] === undefined) continue;
    const abs = forced ?? (r.suggestedFile ? path.resolve(project.dir, r.suggestedFile) : project.envFile);
    const entry = byFile.get(abs) ?? { rel: toRel(project.dir, abs), keys: [] };
    entry.keys.push(r);
    byFile.set(abs, entry);
  }
  return byFile;
}

/** One line of the preview: a value written to `rel` has no effect unless a reader gets it from there. */
export function previewEntry(
  r: KeyReach,
  rel: string,
  fileOld: string | null,
  value: string,
  createsFile: boolean,
  forced = false,
): PreviewEntry {
  const fileReach = r.files.find((f) => f.file === rel);
  // A preview is shown and printed: secret-looking values never appear in it (the write uses `value`).
  return {
    key: r.key,
    old: shownValue(r.key, r.effective.value),
    fileOld: shownValue(r.key, fileOld),
    new: shownValue(r.key, value),
    file: rel,
    createsFile,
    reason: forced ? 'chosen' : (r.suggestedReason ?? 'fallback'),
    readers: fileReach?.readers ?? [],
    noEffect: (fileReach?.readers.length ?? 0) > 0 ? null : fileNoEffect(r, rel, fileReach),
  };
}

/**
 * Why a value written to `rel` changes nothing. A reader that loads the file but maps the key in its
 * own `environment:` (from `.env`) never sees it (facts.md: FORCE_VERIFYING_SIGNATURE in
 * plugin-daemon.env on Dify 1.16); saying "no service receives it" would send the user looking for a
 * missing `env_file:` entry.
 */
function fileNoEffect(
  r: KeyReach,
  rel: string,
  fileReach: KeyReach['files'][number] | undefined,
): NonNullable<PreviewEntry['noEffect']> {
  if (fileReach?.environmentWins) {
    return { reason: 'environment', files: [rel], by: fileReach.environmentWins, instead: r.suggestedFile };
  }
  const loadingReader = fileReach?.loadedBy.some((s) => r.readers.includes(s)) ?? false;
  if (loadingReader) return { reason: 'shadowed', files: [rel], by: r.decidingFile ?? r.suggestedFile };
  return r.noEffect ?? { reason: 'notReferenced', files: [rel], by: null };
}

/** The preview once the plain-`up -d` set is known: what is pending, and what the mode recreates. */
export function withPrediction(
  base: Pick<ChangePreview, 'entries' | 'errors' | 'readers' | 'mode' | 'running' | 'approximate'>,
  predicted: Predicted,
): ChangePreview {
  return {
    entries: base.entries,
    errors: base.errors,
    readers: base.readers,
    upSet: predicted.services,
    pending: predicted.services.filter((s) => !base.readers.includes(s)),
    recreate: base.mode === 'full' ? predicted.services : base.readers,
    mode: base.mode,
    running: base.running,
    approximate: base.approximate || predicted.approximate,
  };
}

/** Keys whose value differs between two versions of a file (a restore changes exactly these). */
export function changedKeys(before: EnvDocument, after: EnvDocument): string[] {
  return [...new Set([...before.entries(), ...after.entries()].map((e) => e.key))].filter(
    (k) => before.get(k) !== after.get(k),
  );
}

export async function planChanges(
  resolverFor: ResolverFor,
  open: OpenProject,
  changes: Record<string, string>,
  options: { file?: string; mode?: ApplyMode },
  deferPrediction = false,
): Promise<Plan> {
  const mode = options.mode ?? 'readers';
  const keys = Object.keys(changes);
  if (keys.length === 0) throw new AppError('ENV_NO_CHANGES');
  const errors: ChangePreview['errors'] = [];
  const values: Record<string, string> = {};
  for (const key of keys) {
    const raw = changes[key] as string;
    const error = validateChange(key, raw);
    if (error) errors.push({ key, value: shownValue(key, raw), error });
    else values[key] = getTimeoutKey(key) ? raw.trim() : raw;
  }
  const forced = options.file !== undefined ? projectFile(open.project, options.file) : null;
  const reach = await resolveReach(resolverFor, open, keys);
  const envDoc = EnvDocument.parse((await fsp.readFile(open.project.envFile).catch(() => null)) ?? '');

  const files: PlannedFile[] = [];
  const entries: ChangePreview['entries'] = [];
  for (const [abs, { rel, keys: fileKeys }] of placeChanges(open.project, reach.keys, values, forced)) {
    const before = await readExisting(abs);
    // A new optional file holds only the keys set here, in the line-ending style of `.env`.
    const doc = EnvDocument.parse(before ?? '', { name: rel, defaultLineEnding: envDoc.lineEnding });
    if (before) doc.assertNoInvalidLines();
    for (const r of fileKeys) {
      entries.push(
        previewEntry(
          r,
          rel,
          doc.get(r.key) ?? null,
          values[r.key] as string,
          before === null,
          forced !== null,
        ),
      );
      doc.set(r.key, values[r.key] as string);
    }
    files.push({ abs, rel, before, after: doc.toBytes() });
  }

  const readers = unique(entries.flatMap((e) => e.readers));
  const changed = files.filter((f) => !f.before || !f.before.equals(f.after));
  const prediction: Promise<Predicted> =
    changed.length === 0
      ? Promise.resolve({ services: [], approximate: reach.approximate })
      : resolverFor(open).predictChanged(
          reachProject(open),
          changed.map((f) => ({ file: f.abs, bytes: f.after })),
          () =>
            unique(
              entries.flatMap(
                (e) =>
                  reach.keys.find((k) => k.key === e.key)?.files.find((f) => f.file === e.file)?.services ??
                  [],
              ),
            ),
          reach.fingerprint,
        );
  if (deferPrediction) {
    // Observed here so a failure (Compose refusing the new values) is not an unhandled rejection;
    // the same failure shows again, in compose's own words, when `up` runs.
    const predicted = prediction.catch(() => ({ services: [], approximate: true }));
    const deferred: ChangePreview = {
      entries,
      errors,
      readers,
      upSet: [],
      pending: [],
      recreate: readers,
      mode,
      running: isRunning(open),
      approximate: reach.approximate,
    };
    return { preview: deferred, files: changed, predicted };
  }
  const predicted = await prediction;
  const base = { entries, errors, readers, mode, running: isRunning(open), approximate: reach.approximate };
  return { preview: withPrediction(base, predicted), files: changed };
}

/** Putting a backup back, planned like a change: the keys it changes, their readers, the `up -d` set. */
export async function planRestore(
  resolverFor: ResolverFor,
  open: OpenProject,
  file: string,
  backupId: string,
  mode: ApplyMode,
  backupOptions: BackupOptions,
): Promise<Plan> {
  const abs = projectFile(open.project, file);
  const backup = (await listBackups(abs, backupOptions)).find((b) => b.id === backupId);
  if (!backup) throw new AppError('ENV_BACKUP_NOT_FOUND', { params: { backup: backupId } });
  const before = await fsp.readFile(abs).catch(() => null);
  const after = await fsp.readFile(backup.path);
  const keys = changedKeys(EnvDocument.parse(before ?? ''), EnvDocument.parse(after));
  const rel = toRel(open.project.dir, abs);
  const reach = await resolveReach(resolverFor, open, keys);
  const readers = unique(reach.keys.flatMap((k) => k.files.find((f) => f.file === rel)?.readers ?? []));
  const predicted = await resolverFor(open).predictChanged(
    reachProject(open),
    [{ file: abs, bytes: after }],
    () => unique(reach.keys.flatMap((k) => k.files.find((f) => f.file === rel)?.services ?? [])),
  );
  const base = {
    entries: [],
    errors: [],
    readers,
    mode,
    running: isRunning(open),
    approximate: reach.approximate,
  };
  return { preview: withPrediction(base, predicted), files: [{ abs, rel, before, after }] };
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

async function readExisting(file: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((e as NodeJS.ErrnoException).code === 'EBUSY')
      throw new AppError('ENV_FILE_LOCKED', { params: { path: file } });
    throw new AppError('ENV_WRITE_FAILED', {
      params: { path: file, reason: String((e as NodeJS.ErrnoException).code) },
    });
  }
}
