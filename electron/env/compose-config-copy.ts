/**
 * `docker compose config --format json` on a throw-away copy of the project: the reach resolver edits
 * the copy (sentinels, planned writes) and reads how Compose resolves it, while the user's own files
 * stay untouched. Only the compose file and the env files are copied; paths Compose resolves inside
 * the copy are mapped back to the project's own.
 */
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppError, messageOf } from '../core/errors';
import { composeFailure, runCompose, type ComposeBinary } from '../docker/compose-cli';
import type { CandidateFile, ReachProject, ServicesJson } from './reach-model';

export type ConfigResult = { ok: true; services: ServicesJson } | { ok: false; error: AppError };

export interface ConfigOfCopyOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** Copies the project's compose file and env files to a temp folder, lets `prepare` edit it, resolves it. */
export async function configOfCopy(
  bin: ComposeBinary,
  project: ReachProject,
  candidates: readonly CandidateFile[],
  prepare: (copyDir: string) => Promise<void>,
  options: ConfigOfCopyOptions,
): Promise<ConfigResult> {
  const parent = await fsp.mkdtemp(path.join(tmpdir(), 'dst-reach-'));
  // The folder keeps the project's own name: some compose files use it (e.g. in default names).
  const copy = path.join(parent, path.basename(project.dir));
  try {
    await fsp.mkdir(copy);
    const composeRel = path.relative(project.dir, project.composeFile);
    await copyInto(project.composeFile, path.join(copy, composeRel));
    for (const c of candidates) if (c.exists) await copyInto(c.abs, path.join(copy, c.rel));
    await prepare(copy);
    const result = await runCompose(
      bin,
      { dir: copy, composeFile: path.join(copy, composeRel), projectName: project.projectName },
      ['config', '--format', 'json'],
      { env: options.env, platform: options.platform },
    );
    if (result.code !== 0) return { ok: false, error: composeFailure(bin, 'config', result) };
    // Paths resolved inside the copy are the project's own paths.
    const text = replaceAll(
      replaceAll(result.stdout, JSON.stringify(copy).slice(1, -1), JSON.stringify(project.dir).slice(1, -1)),
      copy,
      project.dir,
    );
    const doc = JSON.parse(text) as { services?: ServicesJson };
    return { ok: true, services: doc.services ?? {} };
  } catch (e) {
    return {
      ok: false,
      error: new AppError('COMPOSE_FAILED', {
        params: { command: 'config', exitCode: -1 },
        detail: messageOf(e),
      }),
    };
  } finally {
    await fsp.rm(parent, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function copyInto(from: string, to: string): Promise<void> {
  await fsp.mkdir(path.dirname(to), { recursive: true });
  await fsp.copyFile(from, to);
}

function replaceAll(text: string, from: string, to: string): string {
  return from ? text.split(from).join(to) : text;
}
