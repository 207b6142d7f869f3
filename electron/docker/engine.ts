import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { win32 } from 'node:path';
import { findOnPath } from '../core/child-process';
import { AppError, messageOf } from '../core/errors';

export type EngineState =
  | { state: 'running'; version: string; apiVersion: string }
  | { state: 'not-running'; reason: string }
  | { state: 'not-installed' };

/** Pings the engine with a time limit; never throws. */
export async function probeEngine(
  docker: Docker,
  deps: { dockerInstalled: () => boolean; timeoutMs?: number },
): Promise<EngineState> {
  try {
    const version = await withTimeout(docker.version(), deps.timeoutMs ?? 3000);
    return { state: 'running', version: version.Version, apiVersion: version.ApiVersion };
  } catch (e) {
    if (!deps.dockerInstalled()) return { state: 'not-installed' };
    return { state: 'not-running', reason: messageOf(e) };
  }
}

export function engineError(engine: EngineState): AppError | null {
  if (engine.state === 'running') return null;
  if (engine.state === 'not-installed') return new AppError('DOCKER_NOT_INSTALLED');
  return new AppError('DOCKER_NOT_RUNNING', { detail: engine.reason });
}

/** The Docker Desktop executable on Windows (Program Files may be elsewhere: honour the env var). */
export function dockerDesktopExe(env: NodeJS.ProcessEnv): string {
  return win32.join(env.ProgramFiles ?? 'C:\\Program Files', 'Docker', 'Docker', 'Docker Desktop.exe');
}

/** Is a docker CLI on PATH, or Docker Desktop installed (Windows)? Decides "not installed" vs "not running". */
export function isDockerInstalled(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  exists = existsSync,
): boolean {
  if (platform === 'win32' && exists(dockerDesktopExe(env))) return true;
  return (
    findOnPath(platform === 'win32' ? ['docker.exe'] : ['docker'], { platform, env, isFile: exists }) !== null
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
