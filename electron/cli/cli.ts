/**
 * `dify-stack`: the command line over the same services as the tray app.
 *
 *   dify-stack status [--json]      state of Docker, Dify and every Dify service
 *     [--watch]                     … printed again on every change, until Ctrl+C (exit 0)
 *   dify-stack up | down | stop     whole stack (compose up -d / down / stop), waiting for the result
 *   dify-stack restart SERVICE      one service
 *   global: --dify-dir DIR, --config FILE (before or after the command), --help everywhere
 *
 * Exit codes: 0 success, 1 the operation failed (one translated line on stderr, then compose's own
 * detail), 2 wrong usage, 130 cancelled with Ctrl+C (a job); Ctrl+C is how `status --watch` ends
 * normally, so that is 0. Everything runs in `runCli` so tests can drive it
 * in-process; the process entry at the bottom only wires the real process to it.
 */
import { Command, CommanderError } from 'commander';
import os from 'node:os';
import path from 'node:path';
import pkg from '../../package.json';
import { registerEnvCommands } from './cli-env';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, followJob, type JobFollowHost } from './cli-jobs';
import { statusJson, statusTable } from './cli-format';
import { registerPluginCommands } from './cli-plugin';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import { resolveLang, systemLocaleFromEnv, translate, translator, type Lang } from '../core/i18n';
import type { StatusSnapshot } from '../core/contract';
import type { JobHandle } from '../core/jobs';
import { createServices, type AppServices, type CreateServicesOptions } from '../services';
import { settingsFilePath } from '../settings/paths';
import { SettingsStore } from '../settings/store';
import { errorText } from '../core/presentation';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd?: string;
  platform?: NodeJS.Platform;
  homedir?: string;
  /** Calls `handler` on Ctrl+C while registered; returns the unregister function. */
  onInterrupt?(handler: () => void): () => void;
  /** The services to run against; tests pass one with a fake stack. */
  createServices?(options: CreateServicesOptions): Promise<AppServices>;
}

export { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE };

interface GlobalOptions {
  difyDir?: string;
  config?: string;
}

class CliContext {
  constructor(
    readonly io: CliIo,
    readonly lang: Lang,
  ) {}

  t(key: string, params?: Record<string, unknown>): string {
    return translate(this.lang, key, params);
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** One line with the reason, then the detail block (e.g. compose's own stderr) as is. */
  printError(error: ErrorInfo): void {
    this.err(this.t('cli.errorLine', { message: oneLine(errorText(translator(this.lang), error)) }));
    if (error.detail) this.err(error.detail.trimEnd());
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const platform = io.platform ?? process.platform;
  const cwd = io.cwd ?? process.cwd();
  const homedir = io.homedir ?? os.homedir();
  const p = platform === 'win32' ? path.win32 : path.posix;
  const defaultSettingsFile = settingsFilePath({ platform, env: io.env, homedir });

  // The language lives in the settings file, which `--config` may move: peek at it before parsing so
  // even --help and usage errors come out in the user's language.
  const lang = await cliLanguage(argv, io, platform, homedir, cwd);
  const cx = new CliContext(io, lang);
  let exitCode = EXIT_OK;

  const withServices = async (
    cmd: Command,
    fn: (services: AppServices) => Promise<number>,
  ): Promise<void> => {
    const opts = cmd.optsWithGlobals<GlobalOptions>();
    const factory = io.createServices ?? createServices;
    let services: AppServices;
    try {
      services = await factory({
        platform,
        env: io.env,
        homedir,
        cwd,
        configFile: opts.config,
        difyDir: opts.difyDir ? p.resolve(cwd, opts.difyDir) : undefined,
        program: 'cli',
      });
    } catch (e) {
      cx.printError(toErrorInfo(e));
      exitCode = EXIT_FAILED;
      return;
    }
    try {
      const warning = services.settings.get().warning;
      if (warning) cx.err(cx.t('cli.warningLine', { message: errorText(translator(lang), warning) }));
      exitCode = await fn(services);
    } catch (e) {
      cx.printError(toErrorInfo(e));
      exitCode = EXIT_FAILED;
    } finally {
      // A one-shot CLI must not leave Docker event streams or jobs behind.
      await services.dispose();
    }
  };

  const program = new Command('dify-stack');
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors are printed in our words (translated) from the catch below.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true, styleTitle: (title) => translateTitle(cx, title) })
    .description(cx.t('cli.description'))
    .version(pkg.version, '-V, --version', cx.t('cli.options.version'))
    .helpOption('-h, --help', cx.t('cli.options.help'))
    .helpCommand('help [command]', cx.t('cli.commands.help'))
    .option('--dify-dir <dir>', cx.t('cli.options.difyDir'))
    .option('--config <file>', cx.t('cli.options.config', { path: defaultSettingsFile }))
    .showSuggestionAfterError(false);

  program
    .command('status')
    .description(cx.t('cli.commands.status'))
    .option('--json', cx.t('cli.options.json'))
    .option('--watch', cx.t('cli.options.watch'))
    .action((opts: { json?: boolean; watch?: boolean }, cmd: Command) =>
      withServices(cmd, async (services) => {
        const render = (s: StatusSnapshot): string =>
          opts.json ? JSON.stringify(statusJson(s)) : statusTable(s, lang);
        if (opts.watch) return watchStatus(cx, services, render, !opts.json);
        cx.out(render(await services.stack.refresh()));
        return EXIT_OK;
      }),
    );

  const jobCommand = (name: string, start: (services: AppServices) => JobHandle<void>): void => {
    program
      .command(name)
      .description(cx.t(`cli.commands.${name}`))
      .action((_opts: unknown, cmd: Command) =>
        withServices(cmd, (services) => followJob(jobHost(cx), services, start)),
      );
  };
  jobCommand('up', (s) => s.stack.startStack());
  jobCommand('down', (s) => s.stack.downStack());
  jobCommand('stop', (s) => s.stack.stopStack());

  program
    .command('restart')
    .description(cx.t('cli.commands.restart'))
    .argument('<service>', cx.t('cli.args.service'))
    .action((service: string, _opts: unknown, cmd: Command) =>
      withServices(cmd, (services) =>
        followJob(jobHost(cx), services, (s) => s.stack.restartService(service)),
      ),
    );

  registerPluginCommands(program, { cx, withServices, cwd });

  registerEnvCommands(program, {
    lang,
    t: (k, p) => cx.t(k, p),
    out: (s) => cx.out(s),
    err: (s) => cx.err(s),
    printError: (e) => cx.printError(e),
    onInterrupt: io.onInterrupt?.bind(io),
    withServices,
  });

  // Inherited settings (exitOverride, output, help texts) are copied when a subcommand is created, so
  // the help option of each subcommand still needs its translated description.
  for (const sub of program.commands) sub.helpOption('-h, --help', cx.t('cli.options.help'));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return usageExit(cx, e, program);
    cx.printError(toErrorInfo(e));
    return EXIT_FAILED;
  }
}

/**
 * `status --watch`: the status now, then again each time what it shows changes (Docker events keep
 * the snapshot live), until Ctrl+C. Tables are set apart by a blank line; JSON is one line per change.
 */
async function watchStatus(
  cx: CliContext,
  services: AppServices,
  render: (snapshot: StatusSnapshot) => string,
  blankLineBetween: boolean,
): Promise<number> {
  let last: string | null = null;
  const print = (snapshot: StatusSnapshot): void => {
    const text = render(snapshot);
    // The snapshot also changes for things the output leaves out (its time, the app's other parts).
    if (text === last) return;
    if (last !== null && blankLineBetween) cx.out('');
    last = text;
    cx.out(text);
  };
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const offInterrupt = cx.io.onInterrupt?.(() => stop());
  const offSnapshot = services.stack.onSnapshot(print);
  try {
    print(await services.stack.refresh());
    await services.stack.watch();
    await stopped;
    return EXIT_OK;
  } finally {
    offSnapshot();
    offInterrupt?.();
  }
}

function usageExit(cx: CliContext, e: CommanderError, program: Command): number {
  // --help and --version print and end successfully.
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
  // `help CMD` (exit code 0), or no command at all (help already printed to stderr, a usage error).
  if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  const name = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  const key = USAGE_KEYS[e.code];
  const message = key ? cx.t(key, { name }) : e.message.replace(/^error: /, '');
  cx.err(cx.t('cli.errorLine', { message }));
  cx.err(cx.t('cli.usage.seeHelp', { command: `${program.name()} --help` }));
  return EXIT_USAGE;
}

const USAGE_KEYS: Record<string, string> = {
  'commander.unknownCommand': 'cli.usage.unknownCommand',
  'commander.unknownOption': 'cli.usage.unknownOption',
  'commander.missingArgument': 'cli.usage.missingArgument',
  'commander.optionMissingArgument': 'cli.usage.optionMissingArgument',
  'commander.excessArguments': 'cli.usage.excessArguments',
};

const TITLE_KEYS: Record<string, string> = {
  'Usage:': 'cli.titles.usage',
  'Options:': 'cli.titles.options',
  'Global Options:': 'cli.titles.globalOptions',
  'Commands:': 'cli.titles.commands',
  'Arguments:': 'cli.titles.arguments',
};

function translateTitle(cx: CliContext, title: string): string {
  const key = TITLE_KEYS[title];
  return key ? cx.t(key) : title;
}

async function cliLanguage(
  argv: readonly string[],
  io: CliIo,
  platform: NodeJS.Platform,
  homedir: string,
  cwd: string,
): Promise<Lang> {
  const configFile = peekOption(argv, '--config');
  const file = settingsFilePath({ platform, env: io.env, homedir, configFile, cwd });
  const store = await SettingsStore.open(file);
  return resolveLang(store.get().settings.language, systemLocaleFromEnv(io.env));
}

/** `--name VALUE` or `--name=VALUE` anywhere before a `--`. Only for the language peek above. */
export function peekOption(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg === name && i + 1 < argv.length) found = argv[++i];
    else if (arg.startsWith(`${name}=`)) found = arg.slice(name.length + 1);
  }
  return found;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

// ---- process entry (kept tiny: everything above is tested in-process) -------------------------

if (typeof require !== 'undefined' && require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      let pressed = 0;
      const listener = (): void => {
        // The first Ctrl+C cancels cleanly; a second one means "now".
        if (++pressed > 1) process.exit(EXIT_CANCELLED);
        handler();
      };
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  }).then((code) => {
    process.exitCode = code;
  });
}

function jobHost(cx: CliContext): JobFollowHost {
  return {
    t: (key, params) => cx.t(key, params),
    out: (text) => cx.out(text),
    err: (text) => cx.err(text),
    printError: (error) => cx.printError(error),
    onInterrupt: cx.io.onInterrupt
      ? (handler) => cx.io.onInterrupt?.(handler) ?? (() => undefined)
      : undefined,
  };
}
