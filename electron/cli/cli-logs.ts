/**
 * `dify-stack logs` (registered from cli-program.ts):
 *
 *   dify-stack logs SERVICE…       the log of compose services of the Dify project, `ollama` or `a1111`
 *     -f, --follow                 keep printing new lines until Ctrl+C, across a redeploy (the container
 *                                  recreated) and an engine restart, as the app's viewer does
 *     -n, --tail N                 only the last N lines of each (default: all, like docker logs)
 *     --since T                    only lines since T: RFC 3339, a Unix time, or a duration ago (10m, 2h)
 *     -t, --timestamps             each line's time (RFC 3339) before it
 *     --level L                    only entries at L or more severe (error > warn > info > debug)
 *
 * A container's stdout goes to our stdout and its stderr to our stderr, as `docker logs` keeps them.
 * With several SERVICEs every line starts with `service | ` (the names padded alike, as compose does)
 * and the lines are printed as they come. Notes about a stream (the container was recreated, the engine
 * came back, a log file rotated) go to stderr. A SERVICE that is both a compose service and `ollama`
 * is the compose service: the user's own project wins.
 *
 * `--level`: a line is kept when its entry's level is L or more severe. A traceback, a Go panic, a
 * record's continuation lines take their entry's level (electron/logs/entry-grouper.ts), so an entry is
 * kept or left out whole; lines that state no level at all (plain output) are left out.
 *
 * Exit codes: 0 done (and Ctrl+C while following); 1 a log could not be read (the reason on stderr); 2 a
 * wrong option or an unknown SERVICE (the project's services listed); 130 Ctrl+C before a log was read.
 *
 * This module only declares the command; what runs it (the sources, the grouping) is loaded when
 * `logs` runs (cli-logs-run.ts), so other commands do not pay for it.
 */
import type { Command } from 'commander';
import type { LogLevel } from '../core/contract';
import type { AppServices } from '../services';
import type { LogsCliContext, LogsRequest } from './cli-logs-run';
import { EXIT_USAGE } from './exit-codes';

export interface LogsCliDeps {
  cx: LogsCliContext;
  /** cli-program.ts's runner: creates the services, runs `fn`, maps its result or error to the exit code. */
  withServices(cmd: Command, fn: (services: AppServices) => Promise<number>): Promise<void>;
  /** Sets the command's exit code (for usage errors found before any service is made). */
  exit(code: number): void;
}

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  timestamps?: boolean;
  level?: string;
}

const LEVEL_NAMES: Record<string, LogLevel> = {
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration as docker takes it (`10m`, `1h30m`, `1.5h`, `500ms`) in ms; null when it is not one. */
export function parseDuration(text: string): number | null {
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  for (let m = DURATION_PART.exec(text); m; m = DURATION_PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = DURATION_PART.lastIndex;
  }
  return matched > 0 && matched === text.length ? total : null;
}

/**
 * `--since` as docker reads it: a duration before now, a Unix time (seconds, with a fraction), or an
 * RFC 3339 date-time (a time without a zone is local time); null when it is none of them.
 */
export function parseSince(text: string, now: number): number | null {
  const value = text.trim();
  const duration = parseDuration(value);
  if (duration !== null) return now - duration;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (!/^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$/i.test(value))
    return null;
  const ms = Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms;
}

/** `--tail`: a whole number of lines, or `all` (docker's word for no limit). */
export function parseTail(text: string): number | undefined | null {
  if (text === 'all') return undefined;
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** The options as a request, or the key and params of the usage error to print. */
export function logsRequest(
  names: string[],
  opts: LogsOptions,
  now: number,
): LogsRequest | { error: string; params: Record<string, unknown> } {
  const tail = opts.tail === undefined ? undefined : parseTail(opts.tail);
  if (tail === null) return { error: 'cli.logs.badTail', params: { value: opts.tail } };
  const since = opts.since === undefined ? undefined : parseSince(opts.since, now);
  if (since === null) return { error: 'cli.logs.badSince', params: { value: opts.since } };
  const level = opts.level === undefined ? null : (LEVEL_NAMES[opts.level.toLowerCase()] ?? undefined);
  if (level === undefined) return { error: 'cli.logs.badLevel', params: { value: opts.level } };
  return {
    names: [...new Set(names)],
    follow: opts.follow === true,
    tail,
    since,
    timestamps: opts.timestamps === true,
    level,
  };
}

export function registerLogsCommand(program: Command, deps: LogsCliDeps): void {
  const { cx } = deps;
  const t = cx.t.bind(cx);
  program
    .command('logs')
    .description(t('cli.logs.description'))
    .argument('<services...>', t('cli.logs.args.services'))
    .option('-f, --follow', t('cli.logs.options.follow'))
    .option('-n, --tail <lines>', t('cli.logs.options.tail'))
    .option('--since <time>', t('cli.logs.options.since'))
    .option('-t, --timestamps', t('cli.logs.options.timestamps'))
    .option('--level <level>', t('cli.logs.options.level'))
    .action(async (names: string[], opts: LogsOptions, cmd: Command) => {
      const request = logsRequest(names, opts, Date.now());
      if ('error' in request) {
        cx.err(t('cli.errorLine', { message: t(request.error, request.params) }));
        deps.exit(EXIT_USAGE);
        return;
      }
      const { runLogs } = await import('./cli-logs-run');
      await deps.withServices(cmd, (services) => runLogs(cx, services, request));
    });
}
