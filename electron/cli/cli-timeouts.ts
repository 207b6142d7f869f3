/**
 * `dify-stack timeouts [--json]` answered before the command tree exists, when a full run printed
 * the view for the same files, containers and environment (cli-timeouts-memory.ts): one engine call,
 * the settings peeked at, the view's files read and hashed. No commander, services, Compose, YAML
 * parser, zod or i18next — the repeated view as a new process costs about one `docker compose
 * config` (issue 8). Anything else returns null, and the caller runs the command tree.
 */
import { resolveLang } from '../core/presentation';
import { systemLocaleFromEnv } from '../core/system-locale';
import { engineProject } from '../stack/quick-status';
import type { CliIo } from './cli-program';
import { quickStart } from './cli-quick';
import { rememberedTimeoutsOutput } from './cli-timeouts-memory';
import { EXIT_OK } from './exit-codes';
import { timeoutsOutputFile } from './status-models-file';

export async function quickTimeoutsCommand(argv: readonly string[], io: CliIo): Promise<number | null> {
  const start = await quickStart(argv, io, 'timeouts');
  if (!start) return null;
  const { args, platform, homedir, settings } = start;
  const lang = resolveLang(settings.language, systemLocaleFromEnv(io.env));
  const stdout = await rememberedTimeoutsOutput(
    timeoutsOutputFile(platform, io.env, homedir),
    async () => {
      const found = await engineProject({ platform, env: io.env, difyDir: start.difyDir });
      return found ? { ...found.resolved, env: io.env, lang, json: args.json } : null;
    },
    start.difyDir ? { dir: start.difyDir, env: io.env } : null,
  );
  if (stdout === null) return null;
  io.stdout.write(stdout);
  return EXIT_OK;
}
