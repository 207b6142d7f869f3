/**
 * The version probes over the app's real sources (services.ts passes them): the engine, the Dify
 * project as the stack opens it, the snapshot's Ollama and A1111 addresses, nvidia-smi where the GPU
 * capability finds it. Each throws what it could not read; version-probes.ts records it.
 */
import type { StatusSnapshot } from '../core/contract';
import type { ComposeAvailability } from '../docker/compose-cli';
import type { OpenProject } from '../stack/api';
import {
  ItemError,
  a1111SysinfoOf,
  engineVersionOf,
  getJson,
  nvidiaGpusOf,
  runNvidiaSmi,
  splitImage,
  type VersionProbes,
} from './version-probes';

export interface ProbeSources {
  /** The engine's `GET /version` body. */
  engineVersion(): Promise<unknown>;
  openProject(): Promise<OpenProject>;
  /** Both Composes on the machine (when no project opens). */
  detectCompose(): Promise<ComposeAvailability>;
  snapshot(): StatusSnapshot;
  /** nvidia-smi's path by the GPU settings' rules; null when not found. */
  nvidiaSmi(): { path: string | null; looked: string[] };
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function defaultProbes(src: ProbeSources): VersionProbes {
  const timeout = src.timeoutMs ?? 5000;
  // One open for the compose and images items: opening runs Compose (`config`), a second or so.
  let project: Promise<OpenProject> | null = null;
  const openProject = () => (project ??= src.openProject());
  const component = (id: 'ollama' | 'a1111') => src.snapshot().components.find((c) => c.id === id);

  return {
    async docker() {
      try {
        return engineVersionOf(await src.engineVersion());
      } catch (e) {
        if (e instanceof ItemError) throw e;
        throw new ItemError('DOCKER_NOT_RUNNING', e instanceof Error ? e.message : String(e));
      }
    },

    async compose() {
      const opened = await openProject().catch(() => null);
      if (opened) {
        const createdBy = opened.containers.find((c) => c.composeVersion)?.composeVersion ?? null;
        return { flavor: opened.bin.flavor, version: opened.bin.version, createdBy, used: 'project' };
      }
      const found = await src.detectCompose();
      if (!found.v2 && !found.v1)
        throw new ItemError('COMPOSE_MISSING', 'neither `docker compose` nor `docker-compose` answered');
      return {
        v2: found.v2?.version ?? null,
        v1: found.v1?.version ?? null,
        used: 'machine (no Dify project could be opened)',
      };
    },

    async difyImages() {
      let opened: OpenProject;
      try {
        opened = await openProject();
      } catch (e) {
        const code =
          typeof e === 'object' && e && 'code' in e ? String((e as { code: unknown }).code) : 'UNAVAILABLE';
        throw new ItemError(code, e instanceof Error ? e.message : String(e));
      }
      return {
        project: opened.project.projectName,
        dir: opened.project.dir,
        services: opened.containers
          .filter((c) => c.image)
          .map((c) => ({ service: c.service, ...splitImage(c.image ?? ''), state: c.state }))
          .sort((a, b) => a.service.localeCompare(b.service)),
      };
    },

    async ollama() {
      const c = component('ollama');
      const url = c?.ollama?.url;
      if (!c || c.state !== 'running' || !url)
        throw new ItemError('NOT_RUNNING', `Ollama is not running (${c?.state ?? 'unknown'})`);
      const { status, body } = await getJson(`${url}/api/version`, timeout);
      const version = (body as { version?: unknown } | undefined)?.version;
      if (status !== 200 || typeof version !== 'string')
        throw new ItemError('PROCESS_API_FAILED', `GET ${url}/api/version: HTTP ${status}`);
      return { version, url, owner: c.process?.owner ?? null };
    },

    async a1111() {
      const c = component('a1111');
      const info = c?.a1111;
      if (!c || !info || c.state === 'stopped' || c.state === 'unavailable')
        throw new ItemError('NOT_RUNNING', `AUTOMATIC1111 is not running (${c?.state ?? 'not configured'})`);
      const known = { url: info.url, phase: info.phase, api: info.api, checkpoint: info.checkpoint };
      // /internal/sysinfo exists in UI mode from v1.6 on (not with --nowebui): its Version is the git tag.
      const { status, body } = await getJson(`${info.url}/internal/sysinfo`, timeout).catch(() => ({
        status: 0,
        body: undefined,
      }));
      if (status === 200 && body && typeof body === 'object') return { ...known, ...a1111SysinfoOf(body) };
      return {
        ...known,
        version: null,
        sysinfo: {
          error: 'A1111_NO_SYSINFO',
          message: `GET /internal/sysinfo: HTTP ${status || 'no answer'}`,
        },
      };
    },

    async nvidia() {
      const located = src.nvidiaSmi();
      if (!located.path)
        throw new ItemError(
          'GPU_NVIDIA_SMI_NOT_FOUND',
          `nvidia-smi not found (looked in: ${located.looked.join(', ')})`,
        );
      const gpus = nvidiaGpusOf(await runNvidiaSmi(located.path, src.env));
      if (gpus.length === 0) throw new ItemError('GPU_NO_GPU', 'nvidia-smi listed no GPU');
      return { nvidiaSmi: located.path, driver: gpus[0]?.driver ?? null, gpus };
    },
  };
}
