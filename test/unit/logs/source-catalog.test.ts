/**
 * What the viewer can open: the project's services with the state of their container (the running
 * one of several, named), Ollama and A1111 from the processes capability, registered plugin folders'
 * debug runs; and the refusal of a source that has no log to read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../electron/core/contract';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { containerDetail, pickContainer, type ServiceContainer } from '../../../electron/logs/service-source';
import { SourceCatalog, sourceKey } from '../../../electron/logs/source-catalog';
import type { OpenProject } from '../../../electron/stack/api';
import type { ContainerFacts } from '../../../electron/stack/status-model';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('source-catalog-');

const container = (over: Partial<ServiceContainer> = {}): ServiceContainer => ({
  id: 'a'.repeat(64),
  name: 'docker-api-1',
  state: 'running',
  created: 100,
  ...over,
});

describe('pickContainer', () => {
  it('follows the running container of a scaled service, the newest when several run, else the newest', () => {
    const old = container({ id: 'old', name: 'docker-worker-1', created: 1 });
    const stopped = container({ id: 'stopped', name: 'docker-worker-2', state: 'exited', created: 9 });
    const newer = container({ id: 'newer', name: 'docker-worker-3', created: 5 });
    expect(pickContainer([stopped, old])?.id).toBe('old');
    expect(pickContainer([old, stopped, newer])?.id).toBe('newer');
    expect(pickContainer([stopped, { ...old, state: 'exited' }])?.id).toBe('stopped');
    expect(pickContainer([])).toBeNull();
  });

  it('names the followed container, and the others of a scaled service', () => {
    const a = container({ id: 'a', name: 'docker-worker-1' });
    const b = container({ id: 'b', name: 'docker-worker-2', state: 'exited' });
    expect(containerDetail(a, [a])).toBe('docker-worker-1');
    expect(containerDetail(a, [a, b])).toBe('docker-worker-1 (1 of 2; also docker-worker-2)');
  });
});

function facts(service: string, over: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    id: `${service}-id`.padEnd(64, '0'),
    service,
    state: 'running',
    health: null,
    exitCode: null,
    created: 1,
    composeVersion: '2.26.1',
    name: `docker-${service}-1`,
    ...over,
  };
}

function catalog(
  options: { project?: Partial<OpenProject> | null; snapshot?: Partial<StatusSnapshot> } = {},
) {
  const store = new AppSnapshotStore();
  const open = options.project;
  const debugLogs = new Map<string, string>();
  const programLogs = new Map<string, { file: string | null; running: boolean }>();
  const opened: string[] = [];
  const list = new SourceCatalog({
    stack: {
      openProject: async () => {
        if (!open) throw new Error('no project');
        return open as OpenProject;
      },
      getSnapshot: () => ({ ...store.get(), ...options.snapshot }),
      onSnapshot: () => () => undefined,
    },
    docker: () => {
      throw new Error('no engine in these tests');
    },
    programLog: (id) => programLogs.get(id) ?? { file: null, running: false },
    plugins: { debugLogFile: (folder) => debugLogs.get(folder) ?? null },
    openFile: (file) => {
      opened.push(file);
      return () => () => undefined;
    },
  });
  return { list, debugLogs, programLogs, opened };
}

describe('SourceCatalog', () => {
  it('lists each service of the project with its container’s state and name, then the programs', async () => {
    const { list } = catalog({
      project: {
        model: {
          services: [
            { name: 'api', oneShot: false, hasHealthcheck: true },
            { name: 'init_permissions', oneShot: true, hasHealthcheck: false },
            { name: 'weaviate', oneShot: false, hasHealthcheck: false },
          ],
          source: 'compose',
          composeError: null,
        },
        containers: [facts('api'), facts('init_permissions', { state: 'exited', exitCode: 0 })],
      },
    });
    expect(await list.list()).toEqual([
      {
        source: { kind: 'service', service: 'api' },
        key: 'service:api',
        state: 'running',
        detail: 'docker-api-1',
      },
      {
        source: { kind: 'service', service: 'init_permissions' },
        key: 'service:init_permissions',
        state: 'stopped',
        detail: 'docker-init_permissions-1',
      },
      {
        source: { kind: 'service', service: 'weaviate' },
        key: 'service:weaviate',
        state: 'missing',
        detail: null,
      },
      { source: { kind: 'ollama' }, key: 'ollama', state: 'missing', detail: null },
      { source: { kind: 'a1111' }, key: 'a1111', state: 'missing', detail: null },
    ]);
  });

  it('lists the programs by their log file (running, stopped with a file, missing without), and no services without a project', async () => {
    const { list, programLogs } = catalog({ project: null });
    const server = join(tempDir(), 'server.log');
    writeFileSync(server, 'time=2026-12-03T06:45:05Z level=INFO msg="Listening on 127.0.0.1:11434"\n');
    programLogs.set('ollama', { file: server, running: true });
    programLogs.set('a1111', { file: join(tempDir(), 'a1111.log'), running: false });
    expect(await list.list()).toEqual([
      { source: { kind: 'ollama' }, key: 'ollama', state: 'running', detail: server },
      { source: { kind: 'a1111' }, key: 'a1111', state: 'missing', detail: join(tempDir(), 'a1111.log') },
    ]);
    programLogs.set('ollama', { file: server, running: false });
    expect((await list.list())[0]?.state).toBe('stopped');
  });

  it('lists registered plugin folders’ debug runs: running while the run is under way, missing before the first', async () => {
    const runLog = join(tempDir(), 'run.log');
    writeFileSync(runLog, 'INFO:dify_plugin:started\n');
    const { list, debugLogs } = catalog({
      project: null,
      snapshot: {
        plugins: {
          folders: [
            { dir: '/p/never', name: 'never' },
            { dir: '/p/ran', name: 'ran' },
            { dir: '/p/unknown', name: 'unknown' },
          ],
        },
      },
    });
    debugLogs.set('/p/never', join(tempDir(), 'never.log'));
    debugLogs.set('/p/ran', runLog);
    const plugins = (await list.list()).filter((s) => s.source.kind === 'plugin');
    expect(plugins.map((s) => [s.key, s.state])).toEqual([
      ['plugin:/p/never', 'missing'],
      ['plugin:/p/ran', 'stopped'],
    ]);
  });

  it('opens programs and plugin runs as files, and refuses one with no log to read', () => {
    const { list, programLogs, debugLogs, opened } = catalog();
    programLogs.set('ollama', { file: '/logs/ollama.log', running: true });
    debugLogs.set('/p/ran', '/logs/ran.log');
    list.opener({ kind: 'ollama' });
    list.opener({ kind: 'plugin', folder: '/p/ran' });
    expect(opened).toEqual(['/logs/ollama.log', '/logs/ran.log']);
    expect(() => list.opener({ kind: 'a1111' })).toThrow(
      expect.objectContaining({ code: 'COMPONENT_NOT_CONFIGURED' }),
    );
    expect(() => list.opener({ kind: 'plugin', folder: '/p/other' })).toThrow(
      expect.objectContaining({ code: 'PLUGIN_PROJECT_NOT_REGISTERED' }),
    );
  });

  it('keys sources as the contract says', () => {
    expect(sourceKey({ kind: 'service', service: 'plugin_daemon' })).toBe('service:plugin_daemon');
    expect(sourceKey({ kind: 'ollama' })).toBe('ollama');
    expect(sourceKey({ kind: 'plugin', folder: 'C:\\dev\\tool' })).toBe('plugin:C:\\dev\\tool');
  });
});
