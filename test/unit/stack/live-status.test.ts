/**
 * The live status without an engine: a scripted engine/project behind the resolver's interface and
 * a controllable event stream. (test/integration/stack.test.ts runs the same code on a real engine.)
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { AppError } from '../../../electron/core/errors';
import type { EngineState } from '../../../electron/docker/engine';
import { LiveStatus, UNCHECKED_STACK, type StatusSource } from '../../../electron/stack/live-status';
import type { ContainerFacts } from '../../../electron/stack/status-model';

const RUNNING: EngineState = { state: 'running', version: '20.10.24', apiVersion: '1.41' };
const PROJECT = {
  dir: '/srv/dify/docker',
  composeFile: '/srv/dify/docker/docker-compose.yaml',
  envFile: '/srv/dify/docker/.env',
  projectName: 'docker',
};
const api = (state: string): ContainerFacts => ({
  id: 'c-api',
  service: 'api',
  state,
  health: null,
  exitCode: state === 'exited' ? 0 : null,
  created: 1,
  composeVersion: '2.29.1',
});

function scriptedEngine() {
  const engine = {
    state: RUNNING as EngineState,
    containers: [] as ContainerFacts[],
    dirSet: true,
    lists: 0,
    probes: 0,
    /** Holds every container list until released (to overlap refreshes). */
    gate: null as Promise<void> | null,
  };
  const source: StatusSource = {
    async listComposeContainers() {
      engine.lists++;
      await engine.gate;
      if (engine.state.state !== 'running')
        throw new AppError('DOCKER_API_ERROR', { params: { reason: 'down' } });
      return [];
    },
    async probe() {
      engine.probes++;
      return engine.state;
    },
    async resolve() {
      if (!engine.dirSet) throw new AppError('DIFY_DIR_NOT_SET');
      return { project: PROJECT, containers: engine.containers };
    },
    async statusModel() {
      return {
        bin: null,
        model: {
          services: [{ name: 'api', hasHealthcheck: false, oneShot: false }],
          source: 'yaml' as const,
          composeError: null,
        },
      };
    },
  };
  const streams: PassThrough[] = [];
  const docker = {
    getEvents: async () => {
      if (engine.state.state !== 'running') throw new Error('connect ENOENT');
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  };
  return { engine, source, streams, docker };
}

const dify = (store: AppSnapshotStore) => store.get().components.find((c) => c.id === 'dify');
const docker = (store: AppSnapshotStore) => store.get().components.find((c) => c.id === 'docker');

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.useRealTimers();
  while (disposers.length) await disposers.pop()?.();
});

function setup() {
  const world = scriptedEngine();
  const store = new AppSnapshotStore();
  store.update('plugins', { folders: [{ dir: '/p/sd', name: 'SD' }] });
  const status = new LiveStatus(world.source, store, world.docker as never);
  disposers.push(() => status.dispose());
  return { ...world, store, status };
}

describe('LiveStatus', () => {
  it('shows "not checked yet" until the first look, in the stack part only', () => {
    const { store } = setup();
    expect(store.get().components).toEqual(UNCHECKED_STACK.components);
    expect(store.get().plugins.folders).toHaveLength(1);
  });

  it('reads the project’s services and asks the engine version only once while it stays up', async () => {
    const { store, status, engine } = setup();
    engine.containers = [api('running')];
    const snap = await status.refresh();
    expect(snap).toBe(store.get());
    expect(docker(store)).toMatchObject({ state: 'running', reason: { key: 'stack.reason.dockerRunning' } });
    expect(dify(store)).toMatchObject({
      state: 'running',
      services: [{ name: 'api', containerId: 'c-api' }],
    });
    expect(store.get().project).toEqual({ dir: PROJECT.dir, name: 'docker', composeVersion: null });
    expect(store.get().plugins.folders).toEqual([{ dir: '/p/sd', name: 'SD' }]);

    engine.containers = [api('exited')];
    await status.refresh();
    expect(dify(store)?.state).toBe('stopped');
    expect(engine.probes).toBe(1);
  });

  it('says why Dify is unavailable: engine down, or no folder set', async () => {
    const { store, status, engine } = setup();
    engine.state = { state: 'not-running', reason: 'connect ENOENT' };
    await status.refresh();
    expect(docker(store)).toMatchObject({ state: 'unavailable', error: { code: 'DOCKER_NOT_RUNNING' } });
    expect(dify(store)).toMatchObject({ state: 'unavailable', reason: { key: 'stack.reason.dockerDown' } });
    expect(store.get().project).toBeNull();

    engine.state = RUNNING;
    engine.dirSet = false;
    await status.refresh();
    expect(dify(store)).toMatchObject({ state: 'unavailable', error: { code: 'DIFY_DIR_NOT_SET' } });
  });

  it('folds refreshes asked while one runs into a single further read', async () => {
    const { status, engine } = setup();
    let release!: () => void;
    engine.gate = new Promise<void>((r) => (release = r));
    const calls = [status.refresh(), status.refresh(), status.refresh()];
    release();
    const results = await Promise.all(calls);
    expect(engine.lists).toBe(2);
    expect(new Set(results).size).toBe(1);
  });

  it('while watching: a burst of events is one read, and a lost engine is looked for every 3 s', async () => {
    vi.useFakeTimers();
    const { store, status, engine, streams } = setup();
    await status.watch();
    expect(engine.lists).toBe(1);

    for (let i = 0; i < 20; i++) streams[0]?.write(`{"status":"create","n":${i}}\n`);
    await vi.advanceTimersByTimeAsync(59);
    expect(engine.lists).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(engine.lists).toBe(2);

    // The engine stops: the stream ends, the status says so, and the engine is looked for again.
    engine.state = { state: 'not-running', reason: 'EOF' };
    streams[0]?.end();
    await vi.advanceTimersByTimeAsync(60);
    expect(docker(store)?.state).toBe('unavailable');
    const listsWhileDown = engine.lists;
    await vi.advanceTimersByTimeAsync(3000);
    expect(engine.lists).toBe(listsWhileDown + 1);

    engine.state = RUNNING;
    await vi.advanceTimersByTimeAsync(3000);
    expect(docker(store)?.state).toBe('running');
    expect(streams).toHaveLength(2);
    streams[1]?.write('{}\n');
    await vi.advanceTimersByTimeAsync(60);
    expect(engine.lists).toBe(listsWhileDown + 3);
  });

  it('writes nothing after dispose (the store is the app’s and lives on)', async () => {
    const { store, status, engine } = setup();
    await status.refresh();
    await status.dispose();
    engine.containers = [api('running')];
    const before = store.get();
    await status.refresh();
    expect(store.get()).toBe(before);
  });
});
