/**
 * The health wait after `up`/`restart`: until the services run and pass their health checks, or a
 * clear failure — a service that exits or crash-loops fails at once, with its last log lines.
 */
import type Docker from 'dockerode';
import type { StatusSnapshot } from '../core/contract';
import { AppError } from '../core/errors';
import type { JobContext } from '../core/jobs';
import { readLogTail } from '../docker/container-logs';
import { sleep } from '../docker/ensure-engine';

export interface ReadyWaitDeps {
  /** A fresh status from the engine (the live status's refresh, so the views follow the wait). */
  refresh(): Promise<StatusSnapshot>;
  docker: Pick<Docker, 'getContainer'>;
}

/** How many log lines a failure carries as its detail. */
const FAILURE_LOG_LINES = 30;

/** Until the services (all, or the named ones) run and pass health checks; throws on exit or time-out. */
export async function waitForReady(
  ctx: JobContext,
  deps: ReadyWaitDeps,
  only: string[] | null,
  timeoutMs: number,
): Promise<void> {
  ctx.step('stack.steps.waitingForServices');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    ctx.throwIfCancelled();
    const snap = await deps.refresh();
    const dify = snap.components.find((c) => c.id === 'dify');
    const services = (dify?.services ?? []).filter((s) => !only || only.includes(s.name));
    const longRunning = services.filter((s) => !s.oneShot);
    const ready = longRunning.filter(
      (s) => s.state === 'running' && (s.health === null || s.health === 'healthy'),
    );
    ctx.progress(longRunning.length ? ready.length / longRunning.length : 1);
    const failedOneShot = services.find(
      (s) => s.oneShot && s.state === 'exited' && s.exitCode !== 0 && s.exitCode !== null,
    );
    const dead =
      failedOneShot ??
      longRunning.find((s) => s.state === 'exited' || s.state === 'dead' || s.state === 'restarting');
    if (dead) {
      const exitCode = (await lastExitCode(deps.docker, dead.containerId)) ?? dead.exitCode ?? -1;
      throw new AppError('SERVICE_EXITED', {
        params: { service: dead.name, exitCode },
        detail: await readLogTail(deps.docker, dead.containerId, FAILURE_LOG_LINES),
      });
    }
    if (ready.length === longRunning.length) return;
    if (Date.now() > deadline) {
      const stuck = longRunning.filter((s) => !ready.includes(s));
      const unhealthy = stuck.find((s) => s.health === 'unhealthy');
      if (unhealthy) {
        throw new AppError('SERVICE_UNHEALTHY', {
          params: { service: unhealthy.name },
          detail: await readLogTail(deps.docker, unhealthy.containerId, FAILURE_LOG_LINES),
        });
      }
      const seconds = Math.round(timeoutMs / 1000);
      throw new AppError('SERVICES_NOT_READY', {
        params: { seconds, services: stuck.map((s) => s.name).join(', ') },
      });
    }
    await sleep(500, ctx.signal);
  }
}

/**
 * A crash-looping container is caught between runs ('restarting'/'exited', the last exit code) or
 * just restarted ('running', exit code reset to 0): look a few times for the former.
 */
async function lastExitCode(
  docker: Pick<Docker, 'getContainer'>,
  containerId: string,
): Promise<number | null> {
  if (!containerId) return null;
  for (let attempt = 0; attempt < 15; attempt++) {
    const state = await docker
      .getContainer(containerId)
      .inspect()
      .then((i) => i.State)
      .catch(() => null);
    if (!state) return null;
    if (!state.Running || state.Restarting) return state.ExitCode;
    await sleep(200);
  }
  return null;
}
