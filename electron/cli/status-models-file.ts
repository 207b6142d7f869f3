import path from 'node:path';
import { settingsFilePath } from '../settings/paths';

/**
 * Where the full status remembers project models for the quick one (stack/status-cache.ts): in the
 * cache folder beside the per-user settings and the project locks, even with `--config` — one
 * machine, one memory.
 */
export function statusModelsFile(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string {
  return cliCacheFile('status-models.json', platform, env, homedir);
}

/** Where a full `timeouts` remembers what it printed for the next run (cli-timeouts-memory.ts): beside it. */
export function timeoutsOutputFile(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  homedir: string,
): string {
  return cliCacheFile('timeouts-output.json', platform, env, homedir);
}

function cliCacheFile(
  name: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  homedir: string,
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(p.dirname(settingsFilePath({ platform, env, homedir })), 'cache', name);
}
