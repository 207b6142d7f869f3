import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../core/errors';
import type { DetectedProject, DifyDirCheck } from './contract';
import { LABEL_PROJECT, LABEL_SERVICE, LABEL_WORKDIR } from '../docker/compose-labels';
import { readDotenvValue } from '../docker/dotenv-value';

/** Compose looks for these names, in this order. */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
];

export interface DifyProject {
  dir: string;
  composeFile: string;
  envFile: string;
  projectName: string;
}

/** Validates a Dify `docker` folder: it must exist and hold a compose file and `.env`. */
export async function checkDifyDir(dir: string): Promise<DifyDirCheck> {
  try {
    const composeFile = await requireDifyDir(dir);
    return { dir, ok: true, error: null, composeFile };
  } catch (e) {
    if (e instanceof AppError) return { dir, ok: false, error: e.toInfo(), composeFile: null };
    throw e;
  }
}

async function requireDifyDir(dir: string): Promise<string> {
  if (!dir.trim()) throw new AppError('DIFY_DIR_NOT_SET');
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new AppError('DIFY_DIR_NOT_FOUND', { params: { dir } });
  let composeFile: string | null = null;
  for (const name of COMPOSE_FILE_NAMES) {
    const candidate = join(dir, name);
    if ((await stat(candidate).catch(() => null))?.isFile()) {
      composeFile = candidate;
      break;
    }
  }
  if (!composeFile) throw new AppError('DIFY_DIR_NO_COMPOSE', { params: { dir } });
  if (!(await stat(join(dir, '.env')).catch(() => null))?.isFile())
    throw new AppError('DIFY_DIR_NO_ENV', { params: { dir } });
  return composeFile;
}

/**
 * The project name Compose would use when the user runs `docker compose up -d` in the folder:
 * COMPOSE_PROJECT_NAME (environment, then .env), else the file's top-level `name:`, else the folder
 * name normalised (lower case, only [a-z0-9_-], starting with a letter or digit).
 */
export async function composeProjectName(
  dir: string,
  composeFile: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const fromEnv =
    env.COMPOSE_PROJECT_NAME || (await readDotenvValue(join(dir, '.env'), 'COMPOSE_PROJECT_NAME'));
  if (fromEnv) return normalizeProjectName(fromEnv);
  try {
    const text = await readFile(composeFile, 'utf8');
    // Only a top-level `name:` names the project. A file with no line that could start one — `name:`
    // at the first column, quoted or not, or a flow mapping or complex key (`{`, `?`) — needs no parser:
    // Dify's has none, and a repeated `dify-stack timeouts` of a stopped Dify parsed it only to learn that.
    if (!/^(?:["']?name["']?[ \t]*:|[ \t]*[{?])/m.test(text)) return normalizeProjectName(basename(dir));
    // Loaded here, not at the top: most callers know the name from the containers' labels, and the
    // parser costs `dify-stack status` tens of milliseconds.
    const { parse: parseYaml } = await import('yaml');
    const doc = parseYaml(text, { merge: true }) as { name?: unknown } | null;
    if (typeof doc?.name === 'string' && doc.name && !doc.name.includes('$'))
      return normalizeProjectName(doc.name);
  } catch {
    // An unparsable file is reported by the model loader with compose's own message.
  }
  return normalizeProjectName(basename(dir));
}

export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

export async function openDifyProject(
  dir: string,
  env: NodeJS.ProcessEnv,
  knownProjectName?: string,
): Promise<DifyProject> {
  const composeFile = await requireDifyDir(dir);
  const projectName = knownProjectName ?? (await composeProjectName(dir, composeFile, env));
  return { dir, composeFile, envFile: join(dir, '.env'), projectName };
}

/** The container facts discovery needs (a subset of Docker's container list entry). */
export interface LabelledContainer {
  labels: Record<string, string>;
  state: string;
}

/** Services whose presence marks a compose project as a Dify one. */
const DIFY_MARKERS = ['plugin_daemon', 'api'];

/**
 * Pure: Dify projects among containers, from their compose labels. Projects with a running marker
 * service come first, then by name, so "detect" picks the Dify the user is actually running.
 */
export function discoverDifyProjects(containers: LabelledContainer[]): DetectedProject[] {
  const byKey = new Map<
    string,
    { dir: string; project: string; services: Set<string>; running: boolean; marker: boolean }
  >();
  for (const c of containers) {
    const project = c.labels[LABEL_PROJECT];
    const dir = c.labels[LABEL_WORKDIR];
    const service = c.labels[LABEL_SERVICE];
    if (!project || !dir || !service) continue;
    const key = `${project}\u0000${dir}`;
    const entry = byKey.get(key) ?? {
      dir,
      project,
      services: new Set<string>(),
      running: false,
      marker: false,
    };
    entry.services.add(service);
    if (DIFY_MARKERS.includes(service)) {
      entry.marker = true;
      if (c.state === 'running') entry.running = true;
    }
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .filter((e) => e.marker)
    .sort((a, b) => Number(b.running) - Number(a.running) || a.project.localeCompare(b.project))
    .map((e) => ({ dir: e.dir, project: e.project, services: [...e.services].sort() }));
}
