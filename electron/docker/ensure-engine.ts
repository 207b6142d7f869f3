import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { childEnv } from '../core/child-process';
import { AppError } from '../core/errors';
import type { JobContext } from '../core/jobs';
import { dockerDesktopExe, engineError, type EngineState } from './engine';

export interface EnsureEngineDeps {
  platform: NodeJS.Platform;
  probe: () => Promise<EngineState>;
  /** Starts Docker Desktop; returns false when it is not installed. Only used on Windows. */
  launchDockerDesktop: () => boolean;
  /** How long to wait for the engine after launching Docker Desktop (it takes 20–90 s on a cold start). */
  waitMs?: number;
  pollMs?: number;
}

/**
 * Makes sure the engine answers before a stack operation. On Windows, when the engine is down and
 * Docker Desktop is installed, it starts Docker Desktop and waits for the engine (cancellable);
 * elsewhere it fails at once with the reason.
 */
export async function ensureEngine(
  ctx: JobContext,
  deps: EnsureEngineDeps,
): Promise<Extract<EngineState, { state: 'running' }>> {
  ctx.step('stack.steps.checkingEngine');
  const first = await deps.probe();
  if (first.state === 'running') return first;
  if (deps.platform !== 'win32' || !deps.launchDockerDesktop())
    throw engineError(first) ?? new AppError('DOCKER_NOT_RUNNING');

  ctx.step('stack.steps.startingDockerDesktop');
  const waitMs = deps.waitMs ?? 180_000;
  const pollMs = deps.pollMs ?? 1500;
  const deadline = Date.now() + waitMs;
  ctx.step('stack.steps.waitingForEngine');
  for (;;) {
    ctx.throwIfCancelled();
    const state = await deps.probe();
    if (state.state === 'running') return state;
    if (Date.now() >= deadline)
      throw new AppError('DOCKER_START_TIMEOUT', { params: { seconds: Math.round(waitMs / 1000) } });
    ctx.progress(1 - (deadline - Date.now()) / waitMs);
    await sleep(pollMs, ctx.signal);
  }
}

/** Launches Docker Desktop detached (it outlives us); false when it is not installed. */
export function launchDockerDesktopWindows(env: NodeJS.ProcessEnv, exists = existsSync): boolean {
  const exe = dockerDesktopExe(env);
  if (!exists(exe)) return false;
  const child = spawn(exe, [], { detached: true, stdio: 'ignore', windowsHide: false, env: childEnv(env) });
  child.on('error', () => undefined);
  child.unref();
  return true;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
