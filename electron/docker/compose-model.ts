import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml, parseDocument } from 'yaml';
import { AppError } from '../core/errors';
import { composeFailure, runCompose, type ComposeBinary, type ComposeProjectRef } from './compose-cli';
import { readDotenvValue } from './dotenv-value';

export { readDotenvValue };

/**
 * What a Dify project consists of, read from the user's own files — never from a fixed list (Dify
 * 1.16 added api_websocket, agent_backend, local_sandbox). Compose itself resolves the project
 * (profiles, anchors, interpolation, env_file); when it cannot, we read the YAML and say so.
 */
export interface ServiceSpec {
  name: string;
  hasHealthcheck: boolean;
  /** Runs once and exits (others depend on it with `service_completed_successfully`). */
  oneShot: boolean;
}

export interface ProjectModel {
  /** Services of the active profiles, in the compose file's order. */
  services: ServiceSpec[];
  /** 'compose': resolved by `compose config`; 'yaml': read directly (approximate: no env_file/extends). */
  source: 'compose' | 'yaml';
  /** When the source is 'yaml', why Compose could not resolve it. */
  composeError: AppError | null;
}

type RawService = {
  healthcheck?: { disable?: boolean; test?: unknown };
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
};

/** Pure: the service specs of a resolved or raw compose document. */
export function servicesFromConfig(doc: unknown, activeProfiles: string[] | null): ServiceSpec[] {
  const services = (doc as { services?: Record<string, RawService> } | null)?.services;
  if (!services || typeof services !== 'object') return [];
  const completedDeps = new Set<string>();
  for (const svc of Object.values(services)) {
    const deps = svc?.depends_on;
    if (deps && !Array.isArray(deps)) {
      for (const [dep, cond] of Object.entries(deps)) {
        if (cond?.condition === 'service_completed_successfully') completedDeps.add(dep);
      }
    }
  }
  return Object.entries(services)
    .filter(([, svc]) => activeProfiles === null || profileActive(svc?.profiles, activeProfiles))
    .map(([name, svc]) => ({
      name,
      hasHealthcheck: hasHealthcheck(svc?.healthcheck),
      oneShot: completedDeps.has(name),
    }));
}

function profileActive(profiles: string[] | undefined, active: string[]): boolean {
  if (!profiles || profiles.length === 0) return true;
  return active.includes('*') || profiles.some((p) => active.includes(p));
}

function hasHealthcheck(hc: RawService['healthcheck']): boolean {
  if (!hc || hc.disable) return false;
  const test = hc.test;
  if (Array.isArray(test)) return test.length > 0 && test[0] !== 'NONE';
  return test !== undefined && test !== null && test !== '';
}

interface CacheEntry {
  key: string;
  model: ProjectModel;
}

/** Resolves project models, re-running Compose only when the compose file or .env changed. */
export class ProjectModelCache {
  private entry: CacheEntry | null = null;

  async load(
    bin: ComposeBinary | null,
    project: ComposeProjectRef & { envFile: string },
    env: NodeJS.ProcessEnv,
  ): Promise<ProjectModel> {
    const key = `${bin?.flavor}:${project.projectName}:${await fingerprint([project.composeFile, project.envFile])}`;
    if (this.entry?.key === key) return this.entry.model;
    const model = await resolveModel(bin, project, env);
    this.entry = { key, model };
    return model;
  }

  invalidate(): void {
    this.entry = null;
  }
}

async function resolveModel(
  bin: ComposeBinary | null,
  project: ComposeProjectRef & { envFile: string },
  env: NodeJS.ProcessEnv,
): Promise<ProjectModel> {
  let composeError: AppError | null = null;
  if (bin) {
    const args = bin.flavor === 'v2' ? ['config', '--format', 'json'] : ['config'];
    const result = await runCompose(bin, project, args, { env });
    if (result.code === 0) {
      // v2 prints only the active profiles' services; v1's `config` prints all of them.
      const profiles = bin.flavor === 'v1' ? await activeProfiles(project.envFile, env) : null;
      return {
        services: servicesFromConfig(parseYaml(result.stdout), profiles),
        source: 'compose',
        composeError: null,
      };
    }
    const failure = composeFailure(bin, 'config', result);
    composeError =
      failure.code === 'COMPOSE_V2_REQUIRED'
        ? failure
        : new AppError('COMPOSE_FILE_INVALID', {
            params: { file: project.composeFile },
            detail: failure.detail,
          });
  } else {
    composeError = new AppError('COMPOSE_MISSING');
  }
  return { services: await servicesFromYaml(project, env), source: 'yaml', composeError };
}

/** The fallback: the compose file's own services, with profiles from COMPOSE_PROFILES (env, then .env). */
async function servicesFromYaml(
  project: ComposeProjectRef & { envFile: string },
  env: NodeJS.ProcessEnv,
): Promise<ServiceSpec[]> {
  let text: string;
  try {
    text = await readFile(project.composeFile, 'utf8');
  } catch {
    return [];
  }
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) return [];
  return servicesFromConfig(doc.toJS({ maxAliasCount: -1 }), await activeProfiles(project.envFile, env));
}

async function activeProfiles(envFile: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const profiles = env.COMPOSE_PROFILES ?? (await readDotenvValue(envFile, 'COMPOSE_PROFILES'));
  return (profiles ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

async function fingerprint(files: string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => {
      try {
        const s = await stat(f);
        return `${s.mtimeMs}:${s.size}`;
      } catch {
        return 'missing';
      }
    }),
  );
  return parts.join('|');
}
