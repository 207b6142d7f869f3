/**
 * The version probes over their sources (electron/diagnostics/default-probes.ts): Ollama's and
 * A1111's APIs on 127.0.0.1 servers answering as facts.md says, the project's images, and what each
 * probe throws when its source is not there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../electron/core/contract';
import { defaultProbes, type ProbeSources } from '../../../electron/diagnostics/default-probes';
import { settleItem } from '../../../electron/diagnostics/version-probes';
import type { OpenProject } from '../../../electron/stack/api';
import { LocalServers } from '../../helpers/local-http';

const servers = new LocalServers();
afterEach(() => servers.closeAll());

function snapshotWith(ollamaUrl: string | null, a1111Url: string | null): StatusSnapshot {
  return {
    components: [
      ollamaUrl
        ? {
            id: 'ollama',
            state: 'running',
            ollama: { url: ollamaUrl, version: null, models: [], loaded: [] },
          }
        : { id: 'ollama', state: 'stopped' },
      a1111Url
        ? {
            id: 'a1111',
            state: 'running',
            a1111: {
              url: a1111Url,
              phase: 'ready',
              phaseLine: null,
              api: true,
              checkpoint: 'sd15.safetensors',
              progress: null,
            },
          }
        : { id: 'a1111', state: 'unavailable' },
    ],
  } as unknown as StatusSnapshot;
}

function sources(over: Partial<ProbeSources>): ProbeSources {
  return {
    engineVersion: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')),
    openProject: () =>
      Promise.reject(Object.assign(new Error('No Dify folder is set.'), { code: 'DIFY_DIR_NOT_SET' })),
    detectCompose: async () => ({ v2: null, v1: null }),
    snapshot: () => snapshotWith(null, null),
    nvidiaSmi: () => ({ path: null, looked: ['PATH (nvidia-smi)'] }),
    env: {},
    ...over,
  };
}

describe('defaultProbes', () => {
  it("asks Ollama's /api/version and A1111's /internal/sysinfo (keeping only its version fields)", async () => {
    const ollama = await servers.serve((req, _b, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(req.url === '/api/version' ? '{"version":"0.33.0"}' : '{}');
    });
    const a1111 = await servers.serve((req, _b, res) => {
      if (req.url !== '/internal/sysinfo') return void res.writeHead(404).end('{"detail":"Not Found"}');
      res.setHeader('Content-Type', 'text/plain');
      res.end(
        JSON.stringify({
          Version: 'v1.10.1',
          Commit: '82a973c0',
          Environment: { COMMANDLINE_ARGS: '--api-auth me:secret' },
          'Torch env info': { torch_version: '2.1.2+cu121' },
        }),
      );
    });
    const p = defaultProbes(sources({ snapshot: () => snapshotWith(ollama, a1111) }));
    await expect(p.ollama()).resolves.toEqual({ version: '0.33.0', url: ollama, owner: null });
    const a = await p.a1111();
    expect(a).toMatchObject({
      url: a1111,
      api: true,
      checkpoint: 'sd15.safetensors',
      version: 'v1.10.1',
      torch: '2.1.2+cu121',
    });
    expect(JSON.stringify(a)).not.toContain('secret');
  });

  it('says what A1111 could not tell when it has no sysinfo (--nowebui, before v1.6)', async () => {
    const a1111 = await servers.serve(
      (_req, _b, res) => void res.writeHead(404).end('{"detail":"Not Found"}'),
    );
    const p = defaultProbes(sources({ snapshot: () => snapshotWith(null, a1111) }));
    await expect(p.a1111()).resolves.toMatchObject({
      version: null,
      checkpoint: 'sd15.safetensors',
      sysinfo: { error: 'A1111_NO_SYSINFO', message: 'GET /internal/sysinfo: HTTP 404' },
    });
  });

  it('records every missing source as {error, message}', async () => {
    const p = defaultProbes(sources({}));
    const settle = (probe: () => Promise<unknown>) => settleItem(probe, 2000);
    await expect(settle(p.docker)).resolves.toEqual({
      error: 'DOCKER_NOT_RUNNING',
      message: 'connect ENOENT /var/run/docker.sock',
    });
    await expect(settle(p.compose)).resolves.toMatchObject({ error: 'COMPOSE_MISSING' });
    await expect(settle(p.difyImages)).resolves.toEqual({
      error: 'DIFY_DIR_NOT_SET',
      message: 'No Dify folder is set.',
    });
    await expect(settle(p.ollama)).resolves.toEqual({
      error: 'NOT_RUNNING',
      message: 'Ollama is not running (stopped)',
    });
    await expect(settle(p.a1111)).resolves.toMatchObject({ error: 'NOT_RUNNING' });
    await expect(settle(p.nvidia)).resolves.toEqual({
      error: 'GPU_NVIDIA_SMI_NOT_FOUND',
      message: 'nvidia-smi not found (looked in: PATH (nvidia-smi))',
    });
  });

  it("lists the project's images per service, opening the project once", async () => {
    let opens = 0;
    const project = {
      project: { dir: '/d/docker', projectName: 'docker', composeFile: '', envFile: '' },
      bin: { flavor: 'v2', version: '2.26.1', command: 'docker', prefixArgs: ['compose'] },
      containers: [
        { service: 'web', image: 'langgenius/dify-web:1.9.1', state: 'running', composeVersion: '2.26.1' },
        { service: 'api', image: 'langgenius/dify-api:1.9.1', state: 'exited', composeVersion: '2.26.1' },
      ],
    } as unknown as OpenProject;
    const p = defaultProbes(sources({ openProject: async () => (opens++, project) }));
    await expect(p.compose()).resolves.toEqual({
      flavor: 'v2',
      version: '2.26.1',
      createdBy: '2.26.1',
      used: 'project',
    });
    await expect(p.difyImages()).resolves.toEqual({
      project: 'docker',
      dir: '/d/docker',
      services: [
        { service: 'api', image: 'langgenius/dify-api', tag: '1.9.1', digest: null, state: 'exited' },
        { service: 'web', image: 'langgenius/dify-web', tag: '1.9.1', digest: null, state: 'running' },
      ],
    });
    expect(opens).toBe(1);
  });
});
