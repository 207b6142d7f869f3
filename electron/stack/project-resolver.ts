/**
 * Which Dify project the stack is about, and what the engine says of it: the one place that reads
 * the configured folder, lists compose containers and chooses Compose. Both the live status and
 * the project jobs look through it, so they never disagree about the project.
 */
import type Docker from 'dockerode';
import { AppError, messageOf } from '../core/errors';
import type { SettingsView } from '../settings/contract';
import type { OpenProject } from './api';
import type { DetectedProject } from './contract';
import {
  composeInvocation,
  type ComposeBinary,
  type ComposeFlavor,
  type ComposeLocator,
} from '../docker/compose-cli';
import { resolveExecutable } from '../core/child-process';
import { LABEL_PROJECT, LABEL_WORKDIR } from '../docker/compose-labels';
import type { ProjectModel, ProjectModelCache } from '../docker/compose-model';
import { engineError, isDockerInstalled, probeEngine, type EngineState } from '../docker/engine';
import { discoverDifyProjects, openDifyProject, type DifyProject } from './project';
import { createdByOf, readStatusModel, rememberModel, statusModelKey } from './status-cache';
import { containerFacts, type ContainerFacts } from './status-model';

export interface ResolvedProject {
  project: DifyProject;
  containers: ContainerFacts[];
}

export interface ProjectResolverOptions {
  docker: Docker;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Read on every call, so a changed setting applies without a restart. */
  getSettings: () => SettingsView['settings'];
  /** CLI `--dify-dir`: wins over settings and detection. */
  difyDirOverride?: string;
  composeLocator: ComposeLocator;
  models: ProjectModelCache;
  /** Lists containers without the engine client (lazy-docker.ts); default: `docker.listContainers`. */
  listContainers?: (filters: Record<string, string[]>) => Promise<Docker.ContainerInfo[]>;
  /**
   * Where resolved models are remembered between processes (status-cache.ts, app data): a new CLI
   * process or a restarted app opens an unchanged project without running Compose at all.
   */
  modelsFile?: string;
}

export class ProjectResolver {
  constructor(private readonly options: ProjectResolverOptions) {}

  get docker(): Docker {
    return this.options.docker;
  }

  /** The folder the user chose ('' when the project is to be detected). */
  configuredDir(): string {
    return this.options.difyDirOverride || this.options.getSettings().difyDir;
  }

  probe(): Promise<EngineState> {
    const { platform, env } = this.options;
    return probeEngine(this.options.docker, { dockerInstalled: () => isDockerInstalled(platform, env) });
  }

  async listContainers(filters: Record<string, string[]>): Promise<Docker.ContainerInfo[]> {
    try {
      const list = this.options.listContainers;
      return await (list ? list(filters) : this.options.docker.listContainers({ all: true, filters }));
    } catch (e) {
      throw new AppError('DOCKER_API_ERROR', {
        params: { reason: messageOf(e) },
        cause: e,
      });
    }
  }

  /** Every compose container on the engine (one call; also the cheapest liveness check). */
  listComposeContainers(): Promise<Docker.ContainerInfo[]> {
    return this.listContainers({ label: [LABEL_PROJECT] });
  }

  /** Override → settings → the running Dify found by its compose labels. */
  async resolve(listed?: Docker.ContainerInfo[]): Promise<ResolvedProject> {
    const all = listed ?? (await this.listComposeContainers());
    return resolveProject(all, this.configuredDir(), this.options.platform, this.options.env);
  }

  /** The Dify project as it is now: folder, chosen Compose, resolved model, containers. Read-only. */
  async open(): Promise<OpenProject> {
    const { project, containers } = await this.resolve();
    const createdBy = createdByOf(containers);
    const { modelsFile: file, env, platform } = this.options;
    const key = file ? await statusModelKey(project, createdBy, env) : null;
    if (file && key) {
      const remembered = await readStatusModel(file, key);
      const bin = remembered ? rememberedBinary(remembered.bin, platform, env) : null;
      if (remembered && bin) {
        const model: ProjectModel = { services: remembered.services, source: 'compose', composeError: null };
        return { project, bin, model, containers };
      }
    }
    const bin = await this.options.composeLocator.choose(createdBy);
    const model = await this.options.models.load(bin, project, env);
    // Kept only when the files did not change while Compose read them (the key is taken again).
    if (file && key && model.source === 'compose' && !model.composeError) {
      if ((await statusModelKey(project, createdBy, env)) === key) {
        await rememberModel(file, key, bin, model.services).catch(() => undefined);
      }
    }
    return { project, bin, model, containers };
  }

  /**
   * For the status: the model with whichever Compose fits the containers, or none at all — the
   * status must still list the services when Compose is missing (the model then comes from the YAML).
   */
  async statusModel(resolved: ResolvedProject): Promise<{ bin: ComposeBinary | null; model: ProjectModel }> {
    const createdBy = resolved.containers.find((c) => c.composeVersion)?.composeVersion ?? null;
    const bin = await this.options.composeLocator.choose(createdBy).catch(() => null);
    const model = await this.options.models.load(bin, resolved.project, this.options.env);
    return { bin, model };
  }

  /** The Compose version that created the project's containers, when any exist. */
  async createdBy(project: DifyProject): Promise<string | null> {
    const list = await this.listContainers({ label: [`${LABEL_PROJECT}=${project.projectName}`] });
    return list.map(containerFacts).find((c) => c?.composeVersion)?.composeVersion ?? null;
  }

  /** Dify projects seen in containers' compose labels (running or stopped). */
  async detect(): Promise<DetectedProject[]> {
    const list = await this.listComposeContainers().catch(async (e: unknown) => {
      // Say why in the user's terms: most often the engine is simply not running.
      throw engineError(await this.probe()) ?? e;
    });
    return discoverDifyProjects(list.map((c) => ({ labels: c.Labels ?? {}, state: c.State })));
  }
}

/**
 * Which project `configuredDir` means ('' : the running Dify found by its compose labels) and its
 * containers, from one container list. Apart from the resolver so that `dify-stack status` can
 * resolve the project from a list it read without dockerode (stack/quick-status.ts).
 */
export async function resolveProject(
  all: Docker.ContainerInfo[],
  configuredDir: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedProject> {
  let dir = configuredDir;
  let knownName: string | undefined;
  if (!dir) {
    const detected = discoverDifyProjects(all.map((c) => ({ labels: c.Labels ?? {}, state: c.State })));
    // Two Difys and no folder chosen: `down` or `env set` must not hit whichever is listed first.
    if (detected.length > 1) {
      throw new AppError('DIFY_DIR_AMBIGUOUS', {
        params: { count: detected.length, dirs: detected.map((d) => d.dir).join(', ') },
      });
    }
    const found = detected[0];
    if (!found) throw new AppError('DIFY_DIR_NOT_SET');
    dir = found.dir;
    knownName = found.project;
  } else {
    // Containers created from this folder tell the name the user's own `compose up` used.
    knownName = all.find((c) => samePath(c.Labels?.[LABEL_WORKDIR], dir, platform))?.Labels?.[LABEL_PROJECT];
  }
  const project = await openDifyProject(dir, env, knownName);
  const containers = all
    .filter((c) => c.Labels?.[LABEL_PROJECT] === project.projectName)
    .map(containerFacts)
    .filter((c): c is ContainerFacts => c !== null);
  return { project, containers };
}

function samePath(a: string | undefined, b: string, platform: NodeJS.Platform): boolean {
  if (!a) return false;
  const norm = (p: string) => p.replace(/[\\/]+$/, '');
  return platform === 'win32' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

/** The Compose a remembered model was resolved with, without asking it its version again. */
function rememberedBinary(
  bin: { flavor: ComposeFlavor; version: string },
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): ComposeBinary | null {
  const inv = composeInvocation(bin.flavor, platform);
  const command = resolveExecutable(inv.command, { platform, env });
  return command === null ? null : { flavor: bin.flavor, version: bin.version, ...inv, command };
}
