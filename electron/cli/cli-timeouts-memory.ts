/**
 * What a full `dify-stack timeouts [--json]` printed, kept in app data for the next run (issue 8:
 * a repeated view as a new CLI process ≤ 1 × one `docker compose config`). The full view loads the
 * command tree, the services, Compose's project model, the YAML parser and zod before its answer —
 * ~0.45 s here — where the answer itself comes from the reach cache without running Compose. A
 * repeated run with nothing changed prints the remembered text instead, after one engine call and
 * reading the files the view was made of.
 *
 * An entry is found by a key over everything the printed text is made of that can change between two
 * runs: this build of the CLI, the language, text or JSON, the project (folder, compose file, `.env`,
 * name) and its containers (service, state, image: the release the rules follow, whether it runs),
 * which Compose the containers ask for, the bytes of the compose file and of every env file the view
 * listed with its `*.env.example`, which `*.env` files `envs/` holds (a new one is a new candidate),
 * and the process environment Compose reads (COMPOSE_* and every variable the files name). As for the
 * remembered status models (stack/status-cache.ts), a new Compose release alone is not in it. Only a
 * complete view (Compose resolved every key) printed without a warning is kept.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pkg from '../../package.json';
import { composePreference } from '../docker/compose-cli';
import { composeEnvironment } from '../docker/compose-environment';
import { envFilesUnder } from '../env/envs-folder';
import { readCacheEntries } from '../core/cache-file';
import type { AppServices } from '../services';
import type { OpenProject } from '../stack/api';

/** Raised when the entry's shape or the key's ingredients change, so an older file is not misread. */
const FORMAT = 1;
/** A few projects, languages and both outputs side by side. */
const MAX_ENTRIES = 8;
/**
 * Set by scripts/build.mjs for each build of the CLI: the text depends on the code and the locale
 * files, which the version alone does not tell apart between two builds.
 */
const BUILD = `${pkg.version} ${process.env.DIFY_STACK_BUILD_ID ?? 'source'}`;

export interface TimeoutsOutputScope {
  project: OpenProject['project'];
  containers: OpenProject['containers'];
  env: NodeJS.ProcessEnv;
  lang: string;
  json: boolean;
}

interface Entry {
  key: string;
  dir: string;
  composeFile: string;
  lang: string;
  json: boolean;
  /** The files the view was made of (absolute): the compose file, each env file and its `.example`. */
  files: string[];
  stdout: string;
}

interface CacheFile {
  format: number;
  entries: Entry[];
}

/** The files a view was made of: its compose file, and each env file it listed with its `.example`. */
export function viewFiles(project: OpenProject['project'], listed: readonly { file: string }[]): string[] {
  const abs = listed.map((f) => path.resolve(project.dir, f.file));
  return [project.composeFile, ...abs.flatMap((f) => [f, `${f}.example`])];
}

/** The key of the text printed for `scope` from `files` as they are now. */
export async function timeoutsOutputKey(
  scope: TimeoutsOutputScope,
  files: readonly string[],
): Promise<string> {
  return keyOf(scope, await filesKey(scope.project.dir, files, scope.env));
}

/**
 * The part of the key the files make (their bytes, `envs/`'s `*.env` files, the variables Compose
 * would read): apart, so that a repeated run reads them while the engine answers.
 */
async function filesKey(dir: string, files: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [contents, envsFiles] = await Promise.all([
    Promise.all(files.map((f) => readFile(f).catch(() => null))),
    envFilesUnder(path.join(dir, 'envs')),
  ]);
  const texts = contents.map((c) => c?.toString('utf8') ?? '');
  const defined = texts.flatMap((t) =>
    [...t.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1] as string),
  );
  return JSON.stringify([
    composeEnvironment(env, texts, defined),
    envsFiles.sort(),
    files.map((f, i) => [f, contents[i] ? sha256(contents[i]) : null]),
  ]);
}

function keyOf(scope: TimeoutsOutputScope, files: string): string {
  const { project } = scope;
  const createdBy = scope.containers.find((c) => c.composeVersion)?.composeVersion ?? null;
  return createHash('sha256')
    .update(
      JSON.stringify([
        FORMAT,
        BUILD,
        scope.lang,
        scope.json,
        project.dir,
        project.composeFile,
        project.envFile,
        project.projectName,
        composePreference(createdBy),
        scope.containers.map((c) => [c.service, c.state, c.image ?? null]).sort(),
        files,
      ]),
    )
    .digest('hex');
}

/**
 * The text remembered for the scope `scopeNow` resolves to, with the files as they are now; null when
 * there is none. `dir`, the project folder when known before (`--dify-dir` or the settings): the
 * entries of that folder have their files read while `scopeNow` runs (one engine call).
 */
export async function rememberedTimeoutsOutput(
  file: string,
  scopeNow: () => Promise<TimeoutsOutputScope | null>,
  early: { dir: string; env: NodeJS.ProcessEnv } | null = null,
): Promise<string | null> {
  const entries = readCacheEntries(file, FORMAT, isEntry).then((all) =>
    all.map((entry) => ({
      entry,
      files: early && entry.dir === early.dir ? filesKey(entry.dir, entry.files, early.env) : null,
    })),
  );
  // Read while the engine answers; not left unhandled if the scope is not found.
  entries.then((all) => all.forEach((e) => e.files?.catch(() => undefined))).catch(() => undefined);
  const scope = await scopeNow();
  if (!scope) return null;
  for (const { entry, files } of await entries) {
    if (!sameScope(entry, scope)) continue;
    const read =
      files && early?.env === scope.env ? await files : await filesKey(entry.dir, entry.files, scope.env);
    if (keyOf(scope, read) === entry.key) return entry.stdout;
  }
  return null;
}

/**
 * After a full view: keeps what it printed under `key` — the key read before the view was made, so a
 * file saved meanwhile leaves a key that no later run finds (the caller checks it again after).
 */
export async function rememberTimeoutsOutput(
  file: string,
  scope: TimeoutsOutputScope,
  key: string,
  files: readonly string[],
  stdout: string,
): Promise<void> {
  const entry: Entry = {
    key,
    dir: scope.project.dir,
    composeFile: scope.project.composeFile,
    lang: scope.lang,
    json: scope.json,
    files: [...files],
    stdout,
  };
  const others = (await readCacheEntries(file, FORMAT, isEntry)).filter((e) => !sameScope(e, scope));
  const data: CacheFile = { format: FORMAT, entries: [entry, ...others].slice(0, MAX_ENTRIES) };
  // The view shows values of the user's .env: private like it (0700 folder, 0600 file, as the reach cache).
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Another CLI run may read the file at any moment: it sees the old file or the new one, never half.
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(file, JSON.stringify(data), { mode: 0o600 });
}

/** What rememberingTimeouts needs of the CLI: its language and a copy of what it prints. */
export interface RecordingHost {
  readonly lang: string;
  record(): () => string;
}

/**
 * Runs a plain `timeouts` (`run` prints the view) and remembers what it printed when the view was
 * complete and its files did not change while it was made: the key is taken before (from the quick
 * view, which reads the files and starts the very resolution the full view then waits for) and again
 * after. A failure to remember changes nothing printed.
 */
export async function rememberingTimeouts(
  host: RecordingHost,
  services: Pick<AppServices, 'stack' | 'timeouts'>,
  options: { json: boolean; env: NodeJS.ProcessEnv; file: string; run: () => Promise<number> },
): Promise<number> {
  const scopeNow = async (): Promise<TimeoutsOutputScope> => {
    const open = await services.stack.openProject();
    return {
      project: open.project,
      containers: open.containers,
      env: options.env,
      lang: host.lang,
      json: options.json,
    };
  };
  const before = await (async () => {
    const scope = await scopeNow();
    const files = viewFiles(scope.project, (await services.timeouts.getView({ quick: true })).files);
    return { scope, files, key: await timeoutsOutputKey(scope, files) };
  })().catch(() => null);
  const stop = host.record();
  let code: number;
  let stdout: string;
  try {
    code = await options.run();
  } finally {
    stdout = stop();
  }
  if (code !== 0 || !before) return code;
  try {
    const view = await services.timeouts.getView();
    if (view.approximate || view.resolving) return code;
    const scope = await scopeNow();
    const files = viewFiles(scope.project, view.files);
    if (JSON.stringify(files) !== JSON.stringify(before.files)) return code;
    if ((await timeoutsOutputKey(scope, files)) !== before.key) return code;
    await rememberTimeoutsOutput(options.file, scope, before.key, files, stdout);
  } catch {
    // Only the next run's speed depends on it.
  }
  return code;
}

function sameScope(e: Entry, scope: TimeoutsOutputScope): boolean {
  return (
    e.dir === scope.project.dir &&
    e.composeFile === scope.project.composeFile &&
    e.lang === scope.lang &&
    e.json === scope.json
  );
}

function isEntry(e: unknown): e is Entry {
  const o = e as Partial<Entry> | null;
  return (
    typeof o?.key === 'string' &&
    typeof o.dir === 'string' &&
    typeof o.composeFile === 'string' &&
    typeof o.lang === 'string' &&
    typeof o.json === 'boolean' &&
    Array.isArray(o.files) &&
    o.files.every((f) => typeof f === 'string') &&
    typeof o.stdout === 'string'
  );
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
