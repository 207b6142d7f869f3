/**
 * `dify-stack timeouts [--json]` answered before the command tree exists, when a full run printed
 * the view for the same files, containers and environment (cli-timeouts-memory.ts): one engine call,
 * the settings peeked at, the view's files read and hashed. No commander, services, Compose, YAML
 * parser, zod or i18next — the repeated view as a new process costs about one `docker compose
 * config` (issue 8). Anything else returns null, and the caller runs the command tree.
 */
import os from 'node:os';
import path from 'node:path';
import { resolveLang } from '../core/presentation';
import { systemLocaleFromEnv } from '../core/system-locale';
import { settingsFilePath } from '../settings/paths';
import { peekSettings } from '../settings/settings-peek';
import { engineProject } from '../stack/quick-status';
import { plainCommand } from './cli-args';
import type { CliIo } from './cli-program';
import { rememberedTimeoutsOutput } from './cli-timeouts-memory';
import { EXIT_OK } from './exit-codes';
import { timeoutsOutputFile } from './status-models-file';

export async function quickTimeoutsCommand(argv: readonly string[], io: CliIo): Promise<number | null> {
  const args = plainCommand(argv, 'timeouts');
  if (!args) return null;
  const platform = io.platform ?? process.platform;
  const cwd = io.cwd ?? process.cwd();
  const homedir = io.homedir ?? os.homedir();
  const p = platform === 'win32' ? path.win32 : path.posix;
  const settings = await peekSettings(
    settingsFilePath({ platform, env: io.env, homedir, configFile: args.config, cwd }),
  );
  // A file only the settings store can judge may come with a warning: the full path prints it.
  if (!settings) return null;
  const found = await engineProject({
    platform,
    env: io.env,
    difyDir: args.difyDir ? p.resolve(cwd, args.difyDir) : settings.difyDir,
  });
  if (!found) return null;
  const stdout = await rememberedTimeoutsOutput(timeoutsOutputFile(platform, io.env, homedir), {
    project: found.resolved.project,
    containers: found.resolved.containers,
    env: io.env,
    lang: resolveLang(settings.language, systemLocaleFromEnv(io.env)),
    json: args.json,
  });
  if (stdout === null) return null;
  io.stdout.write(stdout);
  return EXIT_OK;
}
