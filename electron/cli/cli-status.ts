/**
 * `dify-stack status [--json]` answered before the command tree exists: from two engine calls and the
 * project model the last full status remembered (stack/quick-status.ts). Loading commander and
 * building every command's help text is a fifth of what the whole answer may cost here (issue 8).
 *
 * Only a command line this module reads exactly as commander would is answered here: the word
 * `status`, `--json` after it, `--dify-dir DIR` / `--config FILE` (either spelling, once each,
 * anywhere). Anything else — `--watch`, help, a repeated or unknown option, a value that looks like
 * an option — and any status the quick path cannot tell as the full read would, return null: the
 * caller then runs the command tree, which prints what this would have and says what is wrong.
 */
import { resolveLang, systemLocaleFromEnv } from '../core/i18n';
import { localDataDir } from '../settings/paths';
import { quickStackStatus } from '../stack/quick-status';
import { statusJson, statusTable } from './cli-format';
import { plainCommand, type PlainCommand } from './cli-args';
import { quickStart } from './cli-quick';
import type { CliIo } from './cli-program';
import { statusExitCode } from './exit-codes';
import { statusModelsFile } from './status-models-file';

export async function quickStatusCommand(argv: readonly string[], io: CliIo): Promise<number | null> {
  const start = await quickStart(argv, io, 'status');
  if (!start) return null;
  const { args, platform, homedir, settings } = start;
  // Ollama and A1111 (`status` shows the whole stack, issue 10) are looked at while the engine answers.
  const processes = (async () => {
    const { quickProcessStatus } = await import('../processes/quick-status');
    return quickProcessStatus({
      settings,
      platform,
      env: io.env,
      dataDir: localDataDir({ platform, env: io.env, homedir }),
    });
  })();
  const part = await quickStackStatus({
    platform,
    env: io.env,
    difyDir: start.difyDir,
    cacheFile: statusModelsFile(platform, io.env, homedir),
  });
  if (!part) {
    // The full read looks again: this look ends first, so nothing of it runs beside that one.
    await processes.catch(() => undefined);
    return null;
  }
  const { AppSnapshotStore } = await import('../core/app-snapshot');
  const store = new AppSnapshotStore();
  store.update('stack', part);
  store.update('processes', { components: await processes });
  const snapshot = store.get();
  store.dispose();
  const lang = resolveLang(settings.language, systemLocaleFromEnv(io.env));
  io.stdout.write(args.json ? `${JSON.stringify(statusJson(snapshot))}\n` : statusTable(snapshot, lang));
  return statusExitCode(snapshot);
}

/** The options of a plain `status` command line; null for anything else. */
export function plainStatus(argv: readonly string[]): PlainCommand | null {
  return plainCommand(argv, 'status');
}
