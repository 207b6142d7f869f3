import type { ComponentStatus, ServiceStatus } from '../core/contract';
import { AppError } from '../core/errors';
import type { ProjectModel, ServiceSpec } from '../docker/compose-model';
import type { EngineState } from '../docker/engine';
import { LABEL_SERVICE, LABEL_VERSION } from '../docker/compose-labels';

/** The container facts the status model needs; one Docker `containers/json` call yields all of them. */
export interface ContainerFacts {
  id: string;
  service: string;
  state: string;
  health: ServiceStatus['health'];
  exitCode: number | null;
  created: number;
  composeVersion: string | null;
  /** The image as created, e.g. `langgenius/dify-api:1.9.1` (the plugin login reads Dify's release from it). */
  image?: string;
  /** Docker's container name without its slash (`docker-plugin_daemon-1`; the log viewer shows it). */
  name?: string;
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  Created: number;
  Health?: { Status?: string };
}

/**
 * Docker's list entry carries health and exit code only inside its Status text ("Up 5 seconds
 * (healthy)", "Exited (137) 2 minutes ago"); newer engines add a Health field, used when present.
 * Reading them here spares one inspect call per container.
 */
export function containerFacts(c: ListedContainer): ContainerFacts | null {
  const service = c.Labels?.[LABEL_SERVICE];
  if (!service) return null;
  return {
    id: c.Id,
    service,
    state: c.State,
    health: parseHealth(c.Health?.Status ?? c.Status),
    exitCode: c.State === 'exited' || c.State === 'dead' ? parseExitCode(c.Status) : null,
    created: c.Created,
    composeVersion: c.Labels[LABEL_VERSION] ?? null,
    image: c.Image,
    name: c.Names?.[0]?.replace(/^\//, ''),
  };
}

export function parseHealth(text: string | undefined): ServiceStatus['health'] {
  if (!text) return null;
  if (/\(health: starting\)|^starting$/.test(text)) return 'starting';
  if (/\(unhealthy\)|^unhealthy$/.test(text)) return 'unhealthy';
  if (/\(healthy\)|^healthy$/.test(text)) return 'healthy';
  return null;
}

export function parseExitCode(status: string): number | null {
  const m = /Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/** Pure: one row per service of the project, matched to its newest container (or 'missing'). */
export function serviceStatuses(specs: ServiceSpec[], containers: ContainerFacts[]): ServiceStatus[] {
  return specs.map((spec) => {
    const mine = containers
      .filter((c) => c.service === spec.name)
      .sort((a, b) => rank(b) - rank(a) || b.created - a.created);
    const c = mine[0];
    if (!c)
      return {
        name: spec.name,
        state: 'missing',
        health: null,
        containerId: '',
        oneShot: spec.oneShot,
        exitCode: null,
      };
    return {
      name: spec.name,
      state: c.state,
      health: spec.hasHealthcheck || c.health ? c.health : null,
      containerId: c.id,
      oneShot: spec.oneShot,
      exitCode: c.exitCode,
    };
  });
}

/**
 * Pure: the Dify component from the project's model and its containers. A compose file that does not
 * parse decides the state by itself: nothing can be started from it.
 */
export function difyComponent(
  model: Pick<ProjectModel, 'services' | 'composeError'>,
  containers: ContainerFacts[],
): ComponentStatus {
  const services = serviceStatuses(model.services, containers);
  const broken = model.composeError?.code === 'COMPOSE_FILE_INVALID' && model.services.length === 0;
  const agg = broken
    ? { state: 'error' as const, detail: model.composeError?.message ?? '', reason: null }
    : aggregateDify(services);
  return { id: 'dify', ...agg, error: model.composeError?.toInfo() ?? null, services };
}

/** With several replicas, a running one represents the service. */
function rank(c: ContainerFacts): number {
  return c.state === 'running' ? 1 : 0;
}

/** Exit codes of an orderly stop (0) or of SIGKILL/SIGTERM (137/143): stopped, not crashed. */
const STOP_EXIT_CODES = new Set([0, 137, 143]);

export type DifyAggregate = Pick<ComponentStatus, 'state' | 'detail' | 'reason'>;

/**
 * Pure: the Dify component's state. `running` only when every non-one-shot service runs and every
 * healthchecked one is healthy; `stopped` when none runs; `error` when something crash-loops, is
 * unhealthy, died with a crash code while others run, or a one-shot failed; `starting` while health
 * checks are still starting; `partial` otherwise.
 */
export function aggregateDify(services: ServiceStatus[]): DifyAggregate {
  const longRunning = services.filter((s) => !s.oneShot);
  const total = longRunning.length;
  const up = longRunning.filter((s) => s.state === 'running');
  const ready = up.filter((s) => s.health === null || s.health === 'healthy');
  if (total === 0)
    return {
      state: 'stopped',
      detail: 'The project defines no services',
      reason: { key: 'stack.reason.noServices' },
    };

  const failedOneShot = services.find(
    (s) => s.oneShot && s.state === 'exited' && s.exitCode !== null && s.exitCode !== 0,
  );
  const restarting = longRunning.find((s) => s.state === 'restarting');
  const unhealthy = up.find((s) => s.health === 'unhealthy');
  const crashed =
    up.length > 0
      ? longRunning.find(
          (s) =>
            (s.state === 'exited' || s.state === 'dead') &&
            s.exitCode !== null &&
            !STOP_EXIT_CODES.has(s.exitCode),
        )
      : undefined;

  if (restarting)
    return problem('restarting', `${restarting.name} keeps restarting`, { service: restarting.name });
  if (unhealthy) return problem('unhealthy', `${unhealthy.name} is unhealthy`, { service: unhealthy.name });
  if (crashed) {
    return problem('crashed', `${crashed.name} exited with code ${crashed.exitCode}`, {
      service: crashed.name,
      exitCode: crashed.exitCode ?? -1,
    });
  }
  if (failedOneShot && up.length > 0) {
    return problem('crashed', `${failedOneShot.name} exited with code ${failedOneShot.exitCode}`, {
      service: failedOneShot.name,
      exitCode: failedOneShot.exitCode ?? -1,
    });
  }

  if (up.length === 0) {
    return {
      state: 'stopped',
      detail: `0/${total} services running`,
      reason: { key: 'stack.reason.stopped', params: { total } },
    };
  }
  if (ready.length === total) {
    return {
      state: 'running',
      detail: `${total}/${total} services running`,
      reason: { key: 'stack.reason.allRunning', params: { total } },
    };
  }
  const starting = longRunning.filter((s) => s.health === 'starting' || s.state === 'created');
  const down = longRunning.filter((s) => s.state !== 'running' && s.state !== 'created');
  if (starting.length > 0 && down.length === 0) {
    const names = starting.map((s) => s.name).join(', ');
    return {
      state: 'starting',
      detail: `${ready.length}/${total} ready; waiting for ${names}`,
      reason: { key: 'stack.reason.starting', params: { ready: ready.length, total, services: names } },
    };
  }
  const names = down.map((s) => s.name).join(', ');
  return {
    state: 'partial',
    detail: `${up.length}/${total} services running; not running: ${names}`,
    reason: { key: 'stack.reason.partial', params: { running: up.length, total, services: names } },
  };
}

function problem(
  kind: 'restarting' | 'unhealthy' | 'crashed',
  detail: string,
  params: Record<string, string | number>,
): DifyAggregate {
  return { state: 'error', detail, reason: { key: `stack.reason.${kind}`, params } };
}

/** Pure: the Docker component from the engine probe. */
export function dockerComponent(engine: EngineState): ComponentStatus {
  if (engine.state === 'running') {
    return {
      id: 'docker',
      state: 'running',
      detail: `Docker Engine ${engine.version} (API ${engine.apiVersion})`,
      reason: { key: 'stack.reason.dockerRunning', params: { version: engine.version } },
      error: null,
    };
  }
  const error =
    engine.state === 'not-installed'
      ? new AppError('DOCKER_NOT_INSTALLED')
      : new AppError('DOCKER_NOT_RUNNING', { detail: engine.reason });
  return { id: 'docker', state: 'unavailable', detail: error.message, reason: null, error: error.toInfo() };
}
