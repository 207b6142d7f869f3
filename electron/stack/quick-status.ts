/**
 * The stack's status for a one-shot `dify-stack status`, the same part LiveStatus reads, from one
 * engine call (GET /containers/json filtered by the compose project label; the engine's version comes
 * with it, in the headers) and the project model the last full status remembered (status-cache.ts). No dockerode, no Compose process,
 * no YAML parser: issue 8 measured `dify-stack status` at 4× `docker compose ps`, most of it loading
 * those and running `compose version` and `compose config`.
 *
 * It answers only what it can answer exactly as the full status would; otherwise (engine not
 * reachable, project not found or its folder incomplete, no remembered model for the files as they
 * are) it returns null and the caller reads the status in full, which says what is wrong.
 */
import type Docker from 'dockerode';
import type { SnapshotSlices } from '../core/app-snapshot';
import { LABEL_PROJECT } from '../docker/compose-labels';
import { dockerConnectionOptions } from '../docker/connection';
import type { EngineState } from '../docker/engine';
import { engineGet, engineGetJson } from '../docker/engine-http';
import { containersPath } from '../docker/lazy-docker';
import { resolveProject, type ResolvedProject } from './project-resolver';
import { createdByOf, readStatusModel, statusModelKey } from './status-cache';
import { difyComponent, dockerComponent } from './status-model';

export interface QuickStatusOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** `--dify-dir` or the settings' folder; '' to find the running Dify by its compose labels. */
  difyDir: string;
  /** Where the full status remembers project models (status-cache.ts). */
  cacheFile: string;
  /** Per engine call; the full status allows its engine probe 3 s too. */
  timeoutMs?: number;
}

export async function quickStackStatus(options: QuickStatusOptions): Promise<SnapshotSlices['stack'] | null> {
  const found = await engineProject(options);
  if (!found) return null;
  const { engine, resolved } = found;
  const key = await statusModelKey(resolved.project, createdByOf(resolved.containers), options.env);
  const model = await readStatusModel(options.cacheFile, key);
  if (!model) return null;
  return {
    components: [
      dockerComponent(engine),
      difyComponent({ services: model.services, composeError: null }, resolved.containers),
    ],
    project: {
      dir: resolved.project.dir,
      name: resolved.project.projectName,
      composeVersion: `${model.bin.flavor} ${model.bin.version}`,
    },
  };
}

/**
 * The running engine and the project `difyDir` means, with its containers, from one engine call; null
 * when the engine does not answer or the project cannot be told (the full read says why). Also what
 * a repeated `dify-stack timeouts` is keyed by (cli/cli-timeouts-memory.ts).
 */
export async function engineProject(
  options: Pick<QuickStatusOptions, 'platform' | 'env' | 'difyDir' | 'timeoutMs'>,
): Promise<{ engine: RunningEngine; resolved: ResolvedProject } | null> {
  const { platform, env } = options;
  const timeoutMs = options.timeoutMs ?? 3000;
  let engine: RunningEngine | null;
  let listed: Docker.ContainerInfo[];
  try {
    const connection = dockerConnectionOptions(platform, env);
    const { body, headers } = await engineGet(
      connection,
      containersPath({ label: [LABEL_PROJECT] }),
      timeoutMs,
    );
    if (!Array.isArray(body)) return null;
    listed = body as Docker.ContainerInfo[];
    // GET /version costs the engine 20–80 ms here (dockerd asks containerd and runs `runc --version`
    // and `docker-init --version` for it), more than the whole list: its two fields come in every
    // answer's headers too. An engine (or a proxy in front of it) that does not send them is asked.
    engine =
      engineFromHeaders(headers) ?? runningEngine(await engineGetJson(connection, '/version', timeoutMs));
  } catch {
    return null;
  }
  if (!engine) return null;
  try {
    // The engine's own answer, the very shape dockerode's listContainers passes on.
    return { engine, resolved: await resolveProject(listed, options.difyDir, platform, env) };
  } catch {
    return null;
  }
}

type RunningEngine = Extract<EngineState, { state: 'running' }>;

/**
 * Docker's API server sets `Server: Docker/<version> (<os>)` and `Api-Version: <its API version>` on
 * every response (moby api/server/middleware/version.go) — the `Version` and `ApiVersion` of
 * GET /version.
 */
export function engineFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): RunningEngine | null {
  const server = /^Docker\/(\S+) \(/.exec(String(headers.server ?? ''))?.[1];
  const apiVersion = headers['api-version'];
  if (!server || typeof apiVersion !== 'string' || !/^\d+\.\d+$/.test(apiVersion)) return null;
  return { state: 'running', version: server, apiVersion };
}

function runningEngine(version: unknown): RunningEngine | null {
  const v = version as { Version?: unknown; ApiVersion?: unknown } | null;
  if (typeof v?.Version !== 'string' || typeof v.ApiVersion !== 'string') return null;
  return { state: 'running', version: v.Version, apiVersion: v.ApiVersion };
}
