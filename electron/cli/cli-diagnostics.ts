/**
 * `dify-stack diagnostics -o FILE` (registered from cli-program.ts): writes the diagnostics zip the
 * Settings page exports (electron/diagnostics) — versions, redacted settings, the status, the doctor's
 * results and the app's and CLI's own logs — following the job as every CLI job is followed (steps on
 * stderr, Ctrl+C cancels). Prints the file written on stdout, and on stderr the items that could not be
 * read (recorded in the zip as errors; they do not fail the export).
 *
 * Exit codes: 0 written; 1 the file could not be written; 130 cancelled (no file is left behind).
 */
import { CommanderError, type Command } from 'commander';
import type { ErrorInfo } from '../core/errors';
import type { AppServices } from '../services';
import { followJob } from './cli-jobs';
import { EXIT_USAGE } from './exit-codes';

/** What cli-program.ts's context offers (structural, so this module does not reach into it). */
export interface DiagnosticsCliContext {
  readonly io: { onInterrupt?(handler: () => void): () => void };
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  printError(error: ErrorInfo): void;
}

export interface DiagnosticsCliDeps {
  cx: DiagnosticsCliContext;
  withServices(cmd: Command, fn: (services: AppServices) => Promise<number>): Promise<void>;
  /** A relative FILE is taken from here. */
  cwd: string;
  /** path.win32 or path.posix, by the platform the CLI runs for. */
  resolve(cwd: string, file: string): string;
}

export function registerDiagnosticsCommand(program: Command, deps: DiagnosticsCliDeps): void {
  const { cx } = deps;
  program
    .command('diagnostics')
    .description(cx.t('diagnostics.cli.description'))
    .option('-o, --output <file>', cx.t('diagnostics.cli.options.output'))
    .action((opts: { output?: string }, cmd: Command) => {
      // Checked here rather than by requiredOption, whose message commander writes in English: the
      // program's usage handler prints this one as it is, in the user's language (exit code 2).
      const output = opts.output;
      if (!output)
        throw new CommanderError(
          EXIT_USAGE,
          'commander.missingMandatoryOptionValue',
          cx.t('diagnostics.cli.outputRequired'),
        );
      return deps.withServices(cmd, (services) => {
        const file = deps.resolve(deps.cwd, output);
        const host = {
          t: cx.t.bind(cx),
          out: cx.out.bind(cx),
          err: cx.err.bind(cx),
          printError: cx.printError.bind(cx),
          onInterrupt: cx.io.onInterrupt
            ? (h: () => void) => cx.io.onInterrupt?.(h) ?? (() => undefined)
            : undefined,
        };
        return followJob(
          host,
          services,
          (s) => s.diagnostics.exportTo(file),
          (result) => {
            if (result.unavailable.length > 0)
              cx.err(cx.t('diagnostics.cli.unavailable', { items: result.unavailable.join(', ') }));
            cx.out(cx.t('diagnostics.cli.written', { path: result.path }));
          },
        );
      });
    });
}
