import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../electron/contract';
import {
  aggregateDify,
  containerFacts,
  parseExitCode,
  parseHealth,
  serviceStatuses,
} from '../../../electron/stack/status-model';

const svc = (name: string, state: string, extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  state,
  health: null,
  containerId: state === 'missing' ? '' : `id-${name}`,
  oneShot: false,
  exitCode: null,
  ...extra,
});

describe('container facts from a list entry', () => {
  it('reads health and exit code from the Status text', () => {
    expect(parseHealth('Up 3 seconds (health: starting)')).toBe('starting');
    expect(parseHealth('Up 10 minutes (healthy)')).toBe('healthy');
    expect(parseHealth('Up 2 hours (unhealthy)')).toBe('unhealthy');
    expect(parseHealth('Up 2 hours')).toBeNull();
    expect(parseExitCode('Exited (137) 5 seconds ago')).toBe(137);
    expect(parseExitCode('Up 1 second')).toBeNull();
  });

  it('prefers the Health field of newer engines and skips non-compose containers', () => {
    const labels = { 'com.docker.compose.service': 'api', 'com.docker.compose.version': '2.26.1' };
    expect(
      containerFacts({
        Id: 'a',
        Labels: labels,
        State: 'running',
        Status: 'Up 1 second',
        Created: 1,
        Health: { Status: 'healthy' },
      }),
    ).toEqual({
      id: 'a',
      service: 'api',
      state: 'running',
      health: 'healthy',
      exitCode: null,
      created: 1,
      composeVersion: '2.26.1',
    });
    expect(containerFacts({ Id: 'b', Labels: {}, State: 'running', Status: 'Up', Created: 1 })).toBeNull();
  });

  it('names the container as `docker ps` does (no leading slash)', () => {
    const listed = {
      Id: 'a',
      Labels: { 'com.docker.compose.service': 'api' },
      State: 'exited',
      Status: 'Exited (0)',
    };
    expect(containerFacts({ ...listed, Names: ['/docker-api-1'], Created: 1 })?.name).toBe('docker-api-1');
    expect(containerFacts({ ...listed, Created: 1 })?.name).toBeUndefined();
  });
});

describe('service rows', () => {
  it('lists every service of the project, missing ones included, newest running container first', () => {
    const rows = serviceStatuses(
      [
        { name: 'api', hasHealthcheck: true, oneShot: false },
        { name: 'init_permissions', hasHealthcheck: false, oneShot: true },
        { name: 'web', hasHealthcheck: false, oneShot: false },
      ],
      [
        {
          id: 'old',
          service: 'api',
          state: 'exited',
          health: null,
          exitCode: 0,
          created: 5,
          composeVersion: null,
        },
        {
          id: 'new',
          service: 'api',
          state: 'running',
          health: 'healthy',
          exitCode: null,
          created: 3,
          composeVersion: null,
        },
        {
          id: 'init',
          service: 'init_permissions',
          state: 'exited',
          health: null,
          exitCode: 0,
          created: 1,
          composeVersion: null,
        },
      ],
    );
    expect(rows.map((r) => [r.name, r.state, r.containerId, r.health, r.oneShot])).toEqual([
      ['api', 'running', 'new', 'healthy', false],
      ['init_permissions', 'exited', 'init', null, true],
      ['web', 'missing', '', null, false],
    ]);
  });
});

describe('Dify aggregation', () => {
  const init = svc('init_permissions', 'exited', { oneShot: true, exitCode: 0 });

  it('is running only when every long-running service runs and health-checked ones are healthy', () => {
    expect(
      aggregateDify([init, svc('api', 'running', { health: 'healthy' }), svc('web', 'running')]).state,
    ).toBe('running');
    expect(
      aggregateDify([init, svc('api', 'running', { health: 'starting' }), svc('web', 'running')]).state,
    ).toBe('starting');
  });

  it('ignores a finished one-shot, but not a failed one while others run', () => {
    const failed = svc('init_permissions', 'exited', { oneShot: true, exitCode: 1 });
    expect(aggregateDify([failed, svc('web', 'running')])).toMatchObject({
      state: 'error',
      reason: { key: 'stack.reason.crashed' },
    });
  });

  it('is stopped when nothing runs, whatever the exit codes of a stop were', () => {
    expect(
      aggregateDify([svc('api', 'exited', { exitCode: 137 }), svc('web', 'exited', { exitCode: 0 })]).state,
    ).toBe('stopped');
    expect(aggregateDify([svc('api', 'missing'), svc('web', 'missing')])).toMatchObject({
      state: 'stopped',
      detail: '0/2 services running',
    });
  });

  it('is partial when some run and others were stopped or are missing, naming them', () => {
    const agg = aggregateDify([
      svc('api', 'running'),
      svc('web', 'exited', { exitCode: 137 }),
      svc('nginx', 'missing'),
    ]);
    expect(agg).toMatchObject({
      state: 'partial',
      reason: { key: 'stack.reason.partial', params: { running: 1, total: 3, services: 'web, nginx' } },
    });
  });

  it('is an error when a service crash-loops, is unhealthy, or crashed while others run', () => {
    expect(aggregateDify([svc('api', 'restarting'), svc('web', 'running')]).state).toBe('error');
    expect(
      aggregateDify([svc('api', 'running', { health: 'unhealthy' }), svc('web', 'running')]).detail,
    ).toBe('api is unhealthy');
    expect(aggregateDify([svc('api', 'exited', { exitCode: 3 }), svc('web', 'running')]).detail).toBe(
      'api exited with code 3',
    );
  });

  it('counts services from the project, not a fixed list', () => {
    const names = ['api', 'api_websocket', 'agent_backend', 'local_sandbox', 'web'];
    expect(aggregateDify(names.map((n) => svc(n, 'running'))).detail).toBe('5/5 services running');
  });
});
