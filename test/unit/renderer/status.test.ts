import { describe, expect, it } from 'vitest';
import type {
  ComponentStatus,
  JobSnapshotDto,
  ServiceStatus,
  StatusSnapshot,
} from '../../../electron/contract';
import {
  coveringProblem,
  dashboardProblems,
  serviceStateKey,
  serviceTone,
  shortContainerId,
  stackControls,
} from '../../../renderer/src/lib/status';

function service(name: string, patch: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name,
    state: 'running',
    health: null,
    containerId: `${name}0123456789abcdef`,
    oneShot: false,
    exitCode: null,
    ...patch,
  };
}

function snapshot(
  docker: Partial<ComponentStatus>,
  dify: Partial<ComponentStatus>,
  project = true,
): StatusSnapshot {
  return {
    components: [
      { id: 'docker', state: 'running', detail: '', reason: null, error: null, ...docker },
      {
        id: 'dify',
        state: 'running',
        detail: '',
        reason: null,
        error: null,
        services: [service('api')],
        ...dify,
      },
    ],
    project: project ? { dir: '/d', name: 'docker', composeVersion: 'v2 2.26.1' } : null,
    plugins: { folders: [] },
    gpu: null,
    logs: null,
    updatedAt: 1,
  };
}

const dockerDown: Partial<ComponentStatus> = {
  state: 'unavailable',
  error: { code: 'DOCKER_NOT_RUNNING', message: 'Docker is not running.' },
};
const runningJob = { id: 'j', finishedAt: null } as JobSnapshotDto;

describe('dashboardProblems', () => {
  it('reports Docker down and a missing folder independently', () => {
    expect(dashboardProblems(snapshot({}, {}), '/d')).toEqual([]);
    expect(
      dashboardProblems(snapshot(dockerDown, { state: 'unavailable', services: [] }, false), '/d'),
    ).toEqual(['dockerDown']);
    expect(
      dashboardProblems(snapshot(dockerDown, { state: 'unavailable', services: [] }, false), ''),
    ).toEqual(['dockerDown', 'difyDirNotSet']);
  });

  it('takes the stack’s DIFY_DIR_NOT_SET error as a missing folder', () => {
    const snap = snapshot(
      {},
      { state: 'unavailable', error: { code: 'DIFY_DIR_NOT_SET', message: '' } },
      false,
    );
    expect(dashboardProblems(snap, null)).toEqual(['difyDirNotSet']);
  });

  it('several Difys and no folder: asks the user to choose, and nothing can be started', () => {
    const snap = snapshot(
      {},
      {
        state: 'unavailable',
        services: [],
        error: { code: 'DIFY_DIR_AMBIGUOUS', message: '', params: { count: 2, dirs: '/a, /b' } },
      },
      false,
    );
    expect(dashboardProblems(snap, '')).toEqual(['difyDirAmbiguous']);
    expect(stackControls({ snapshot: snap, jobs: [], platform: 'linux', configuredDir: '' }).canStart).toBe(
      false,
    );
  });

  it('an empty setting is fine when the stack found a running Dify by its labels', () => {
    expect(dashboardProblems(snapshot({}, {}), '')).toEqual([]);
  });
});

describe('coveringProblem', () => {
  it('matches a component error to the callout that already explains it', () => {
    const docker = snapshot(dockerDown, {}).components[0] as ComponentStatus;
    expect(coveringProblem(docker, ['dockerDown'])).toBe('dockerDown');
    expect(coveringProblem(docker, ['difyDirNotSet'])).toBeNull();
    const other = { ...docker, error: { code: 'DOCKER_API_ERROR', message: '' } };
    expect(coveringProblem(other, ['dockerDown'])).toBeNull();
  });
});

describe('stackControls', () => {
  const base = { jobs: [] as JobSnapshotDto[], platform: 'linux', configuredDir: '/d' };

  it('nothing is possible before the first snapshot', () => {
    expect(stackControls({ ...base, snapshot: null })).toMatchObject({ canStart: false, canStop: false });
  });

  it('a stopped stack can start, not stop', () => {
    const snap = snapshot(
      {},
      { state: 'stopped', services: [service('api', { state: 'exited', exitCode: 0 })] },
    );
    expect(stackControls({ ...base, snapshot: snap })).toEqual({
      busy: false,
      canStart: true,
      canStop: false,
      canRestartService: true,
    });
  });

  it('a running stack can stop; Start is pointless then', () => {
    expect(stackControls({ ...base, snapshot: snapshot({}, {}) })).toMatchObject({
      canStart: false,
      canStop: true,
    });
  });

  it('a partly running stack can do both', () => {
    const snap = snapshot(
      {},
      { state: 'partial', services: [service('api'), service('worker', { state: 'exited' })] },
    );
    expect(stackControls({ ...base, snapshot: snap })).toMatchObject({ canStart: true, canStop: true });
  });

  it('one operation at a time', () => {
    const snap = snapshot({}, { state: 'partial' });
    expect(stackControls({ ...base, jobs: [runningJob], snapshot: snap })).toEqual({
      busy: true,
      canStart: false,
      canStop: false,
      canRestartService: false,
    });
  });

  it('with Docker down only Windows can start (it launches Docker Desktop)', () => {
    const snap = snapshot(dockerDown, { state: 'unavailable', services: [] }, false);
    expect(stackControls({ ...base, snapshot: snap }).canStart).toBe(false);
    expect(stackControls({ ...base, platform: 'win32', snapshot: snap }).canStart).toBe(true);
    expect(stackControls({ ...base, platform: 'win32', snapshot: snap }).canStop).toBe(false);
  });

  it('without a Dify folder nothing can run', () => {
    const snap = snapshot(
      {},
      { state: 'unavailable', error: { code: 'DIFY_DIR_NOT_SET', message: '' } },
      false,
    );
    expect(stackControls({ ...base, platform: 'win32', configuredDir: '', snapshot: snap })).toMatchObject({
      canStart: false,
      canStop: false,
      canRestartService: false,
    });
  });
});

describe('service display', () => {
  it('a one-shot service that exited 0 is completed, one that failed is an error', () => {
    const ok = service('init_permissions', { oneShot: true, state: 'exited', exitCode: 0 });
    expect(serviceStateKey(ok)).toBe('completed');
    expect(serviceTone(ok)).toBe('ok');
    const failed = { ...ok, exitCode: 1 };
    expect(serviceStateKey(failed)).toBe('exited');
    expect(serviceTone(failed)).toBe('bad');
  });

  it('a long-running service that exited 0 is merely stopped; unhealthy running is a warning', () => {
    expect(serviceTone(service('worker', { state: 'exited', exitCode: 0 }))).toBe('idle');
    expect(serviceTone(service('api', { health: 'unhealthy' }))).toBe('warn');
    expect(serviceTone(service('api', { health: 'healthy' }))).toBe('ok');
  });

  it('unknown Docker states are kept as such, not guessed', () => {
    expect(serviceStateKey(service('x', { state: 'frozen' }))).toBe('unknown');
    expect(serviceStateKey(service('x', { state: 'missing', containerId: '' }))).toBe('missing');
  });

  it('container ids are shown in Docker’s short form', () => {
    expect(shortContainerId('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortContainerId('abc')).toBe('abc');
  });
});
