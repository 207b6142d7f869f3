/**
 * What every answer given before the command tree exists starts from (cli-status.ts, cli-timeouts.ts):
 * the command line read as commander would read it, the process's places, and the settings peeked at
 * without zod. Null when the command line is not plain or the settings file is one only the settings
 * store can judge (it may come with a warning: the full path prints it).
 */
import os from 'node:os';
import path from 'node:path';
import { settingsFilePath } from '../settings/paths';
import { peekSettings, type PeekedSettings } from '../settings/settings-peek';
import { plainCommand, type PlainCommand } from './cli-args';
import type { CliIo } from './cli-program';

export interface QuickStart {
  args: PlainCommand;
  platform: NodeJS.Platform;
  homedir: string;
  settings: PeekedSettings;
  /** `--dify-dir` (absolute) or the settings' folder; '' to find the running Dify by its labels. */
  difyDir: string;
}

export async function quickStart(
  argv: readonly string[],
  io: CliIo,
  command: string,
): Promise<QuickStart | null> {
  const args = plainCommand(argv, command);
  if (!args) return null;
  const platform = io.platform ?? process.platform;
  const cwd = io.cwd ?? process.cwd();
  const homedir = io.homedir ?? os.homedir();
  const p = platform === 'win32' ? path.win32 : path.posix;
  const settings = await peekSettings(
    settingsFilePath({ platform, env: io.env, homedir, configFile: args.config, cwd }),
  );
  if (!settings) return null;
  return {
    args,
    platform,
    homedir,
    settings,
    difyDir: args.difyDir ? p.resolve(cwd, args.difyDir) : settings.difyDir,
  };
}
