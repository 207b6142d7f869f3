/**
 * The `dify-stack` command tree (commander) and how each command runs; cli.ts is the process entry
 * that loads this module only when a command needs it. Heavy parts are loaded by the commands that
 * use them — the services (dockerode, zod, Compose) on their first use, the plugin commands only
 * when the command line may name them — so that `dify-stack status` loads none of them when its
 * quick path answers (issue 8).
 */
import { Command, CommanderError } from 'commander';
import os from 'node:os';
import path from 'node:path';
import pkg from '../../package.json';
import { peekCommand, peekOption, plainCommand } from './cli-args';
import { registerEnvCommands } from './cli-env';
import { registerGpuCommand } from './cli-gpu';
import { registerLogsCommand } from './cli-logs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, followJob, type JobFollowHost } from './cli-jobs';
import { statusExitCode } from './exit-codes';
import { doctorText, statusJson, statusTable } from './cli-format';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import { resolveLang, systemLocaleFromEnv, translate, translator, type Lang } from '../core/i18n';
import type { ComponentId, StatusSnapshot } from '../core/contract';
import type { AppServices, CreateServicesOptions } from '../services';
import { settingsFilePath } from '../settings/paths';
import { peekSettings, type PeekedSettings } from '../settings/settings-peek';
import { statusModelsFile, timeoutsOutputFile } from './status-models-file';
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
    const line = text.endsWith('\n') ? text : `${text}\n`;
    this.recording?.push(line);
    this.io.stdout.write(line);
  }

  private recording: string[] | null = null;

  /** Keeps a copy of what `out` prints from now on; the returned function stops and gives it. */
  record(): () => string {
    const lines: string[] = [];
    this.recording = lines;
    return () => {
      this.recording = null;
      return lines.join('');
    };
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

/** Commands whose command line cannot name a plugin command (see the plugin commands below). */
const NO_PLUGIN_COMMANDS = new Set([
  'status',
  'up',
  'down',
  'stop',
  'restart',
  'timeouts',
  'env',
  'doctor',
  'gpu',
  'logs',
]);

const COMPONENT_NAMES = ['docker', 'dify', 'ollama', 'a1111'] as const;

export async function runProgram(argv: readonly string[], io: CliIo): Promise<number> {
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
    const factory = io.createServices ?? (await import('../services')).createServices;
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
      // A plain `timeouts` keeps what it prints for the next run (cli-timeouts.ts answers from it);
      // not with a warning, which that run would not print, nor with services a test injected.
      const plain =
        cmd.name() === 'timeouts' && !warning && !io.createServices && plainCommand(argv, 'timeouts');
      exitCode = plain
        ? await (
            await import('./cli-timeouts-memory')
          ).rememberingTimeouts(cx, services, {
            json: plain.json,
            env: io.env,
            file: timeoutsOutputFile(platform, io.env, homedir),
            run: () => fn(services),
          })
        : await fn(services);
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
    .action(async (opts: { json?: boolean; watch?: boolean }, cmd: Command) => {
      const render = (s: StatusSnapshot): string =>
        opts.json ? JSON.stringify(statusJson(s)) : statusTable(s, lang);
      await withServices(cmd, async (services) => {
        if (opts.watch) return watchStatus(cx, services, render, !opts.json);
        // Ollama and A1111 are looked at while the engine answers; the snapshot holds both parts.
        await Promise.all([services.stack.refresh(), services.processes.refresh().catch(() => undefined)]);
        // The app snapshot as the stack serves it: its part and the processes' part, both fresh now.
        const snapshot = services.stack.getSnapshot();
        cx.out(render(snapshot));
        // So that the next `status` can answer without Compose (cli-status.ts); services a test
        // injected are not the engine's. A failure here changes nothing printed.
        if (!io.createServices) {
          const { rememberStatusModel } = await import('../stack/status-cache');
          const file = statusModelsFile(platform, io.env, homedir);
          await rememberStatusModel(services.stack, file, io.env).catch(() => undefined);
        }
        return statusExitCode(snapshot);
      });
    });

  // `up`, `down`, `stop` act on the stack in order, or on the components named (docker dify ollama a1111).
  const componentCommand = (name: 'up' | 'down' | 'stop'): void => {
    program
      .command(name)
      .description(cx.t(`cli.commands.${name}`))
      .argument('[components...]', cx.t('cli.args.components', { names: COMPONENT_NAMES.join(' ') }))
      .action((names: string[], _opts: unknown, cmd: Command) => {
        const unknown = names.filter((n) => !(COMPONENT_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0) {
          cx.err(
            cx.t('cli.errorLine', {
              message: cx.t('cli.usage.unknownComponent', {
                names: unknown.join(', '),
                known: COMPONENT_NAMES.join(' '),
              }),
            }),
          );
          exitCode = EXIT_USAGE;
          return;
        }
        const ids = names as ComponentId[];
        return withServices(cmd, (services) =>
          followJob(jobHost(cx), services, (s) =>
            name === 'up'
              ? s.processes.startComponents(ids)
              : s.processes.stopComponents(ids, { remove: name === 'down' }),
          ),
        );
      });
  };
  componentCommand('up');
  componentCommand('down');
  componentCommand('stop');

  program
    .command('doctor')
    .description(cx.t('cli.commands.doctor'))
    .option('--json', cx.t('cli.options.json'))
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withServices(cmd, async (services) => {
        await services.processes.refresh().catch(() => undefined);
        const report = await services.processes.runDoctor();
        cx.out(opts.json ? JSON.stringify(report) : doctorText(report, lang));
        return report.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );

  program
    .command('restart')
    .description(cx.t('cli.commands.restart'))
    .argument('<service>', cx.t('cli.args.service'))
    .action((service: string, _opts: unknown, cmd: Command) =>
      withServices(cmd, (services) =>
        followJob(jobHost(cx), services, (s) => s.stack.restartService(service)),
      ),
    );

  // The plugin commands load the packager and its archive and YAML libraries: only when the command
  // line may name one of them (or the help lists them all).
  if (!NO_PLUGIN_COMMANDS.has(peekCommand(argv) ?? '')) {
    const { registerPluginCommands } = await import('./cli-plugin');
    registerPluginCommands(program, { cx, withServices, cwd });
  }

  registerEnvCommands(program, {
    lang,
    t: (k, p) => cx.t(k, p),
    out: (s) => cx.out(s),
    err: (s) => cx.err(s),
    printError: (e) => cx.printError(e),
    onInterrupt: io.onInterrupt?.bind(io),
    withServices,
  });

  registerGpuCommand(program, { cx, withServices });
  (await import('./cli-diagnostics')).registerDiagnosticsCommand(program, {
    cx,
    withServices,
    cwd,
    resolve: p.resolve,
  });

  registerLogsCommand(program, {
    cx,
    withServices,
    exit: (code) => {
      exitCode = code;
    },
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
    await Promise.all([services.stack.refresh(), services.processes.refresh().catch(() => undefined)]);
    print(services.stack.getSnapshot());
    await services.stack.watch();
    // Looks only: crash restarts are the app's (two restarters would race for the port).
    services.processes.watch({ supervise: false });
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
  const language = (await peekSettings(file))?.language ?? (await storeLanguage(file));
  return resolveLang(language, systemLocaleFromEnv(io.env));
}

/**
 * The language as the settings store reads it (with zod): for a file the quick peek cannot judge.
 * Read only: opening the store would repair the file (migrate it, move a corrupt one aside) before the
 * services open it, and the notice about that repair would never be printed.
 */
async function storeLanguage(file: string): Promise<PeekedSettings['language']> {
  const [{ readFile }, { readSettingsText }] = await Promise.all([
    import('node:fs/promises'),
    import('../settings/settings-file'),
  ]);
  const read = await readFile(file, 'utf8').then(readSettingsText, () => null);
  return read && read.kind !== 'corrupt' ? read.settings.language : 'system';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
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
