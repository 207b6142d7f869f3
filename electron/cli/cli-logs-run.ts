/**
 * What `dify-stack logs` does once its options are read (cli-logs.ts): which source each SERVICE is,
 * each source opened the way the app's viewer opens it (logs/source-catalog.ts: a compose service's
 * container followed across redeploys and engine restarts, Ollama's and A1111's log files), every line
 * put through the same level and traceback grouping as the viewer, then printed.
 */
import type { LogLevel, LogSource } from '../core/contract';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import { dockerConnectionOptions } from '../docker/connection';
import { lazyDocker } from '../docker/lazy-docker';
import type { LogMark } from '../logs/contract';
import { EntryGrouper } from '../logs/entry-grouper';
import { fileSource } from '../logs/file-source';
import { SourceCatalog } from '../logs/source-catalog';
import type { OpenSource, RawLogLine } from '../logs/source';
import type { AppServices } from '../services';
import type { OpenProject } from '../stack/api';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes';

/** What cli-program.ts's context offers (structural, so this module does not reach into it). */
export interface LogsCliContext {
  readonly io: {
    env: NodeJS.ProcessEnv;
    platform?: NodeJS.Platform;
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown };
    onInterrupt?(handler: () => void): () => void;
  };
  t(key: string, params?: Record<string, unknown>): string;
  err(text: string): void;
  printError(error: ErrorInfo): void;
}

export interface LogsRequest {
  names: string[];
  follow: boolean;
  /** undefined: every line. */
  tail?: number;
  /** ms since the epoch. */
  since?: number;
  timestamps: boolean;
  level: LogLevel | null;
}

const PROGRAMS = ['ollama', 'a1111'] as const;
const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

interface Named {
  name: string;
  source: LogSource;
}

export async function runLogs(
  cx: LogsCliContext,
  services: AppServices,
  request: LogsRequest,
): Promise<number> {
  const named = await resolveNames(cx, services, request.names);
  if (typeof named === 'number') return named;
  const openers: { name: string; open: OpenSource }[] = [];
  try {
    const catalog = catalogFor(cx, services);
    for (const { name, source } of named) openers.push({ name, open: catalog.opener(source) });
  } catch (e) {
    cx.printError(toErrorInfo(e));
    return EXIT_FAILED;
  }
  // Following: the stack's Docker events tell a service source at once that its container is back.
  if (request.follow) await services.stack.watch().catch(() => undefined);
  return print(cx, openers, request);
}

/**
 * Each SERVICE as a source: a compose service of the project (looked up only when one is asked for),
 * else `ollama` / `a1111`. A name that is neither: usage error (exit 2) listing what there is.
 */
async function resolveNames(
  cx: LogsCliContext,
  services: AppServices,
  names: readonly string[],
): Promise<Named[] | number> {
  const isProgram = (n: string): n is (typeof PROGRAMS)[number] =>
    (PROGRAMS as readonly string[]).includes(n);
  let project: OpenProject | null = null;
  if (names.some((n) => !isProgram(n))) {
    try {
      project = await services.stack.openProject();
    } catch (e) {
      // Without the project nothing tells a service name from a typo: say why there is no project.
      cx.printError(toErrorInfo(e));
      return EXIT_FAILED;
    }
  }
  const composeNames = project?.model.services.map((s) => s.name) ?? [];
  const unknown = names.filter((n) => !composeNames.includes(n) && !isProgram(n));
  if (unknown.length > 0) {
    const message = cx.t('cli.logs.unknownService', {
      names: unknown.join(', '),
      known: [...composeNames, ...PROGRAMS].join(' '),
    });
    cx.err(cx.t('cli.errorLine', { message }));
    return EXIT_USAGE;
  }
  // Ollama's and A1111's files depend on who runs them: the registry says whether a program of ours does.
  if (names.some((n) => isProgram(n) && !composeNames.includes(n)))
    await services.processes.refresh().catch(() => undefined);
  return names.map((name) => ({
    name,
    source:
      composeNames.includes(name) || !isProgram(name) ? { kind: 'service', service: name } : { kind: name },
  }));
}

function catalogFor(cx: LogsCliContext, services: AppServices): SourceCatalog {
  const platform = cx.io.platform ?? process.platform;
  const docker = lazyDocker(dockerConnectionOptions(platform, cx.io.env));
  return new SourceCatalog({
    stack: services.stack,
    docker: () => docker,
    programLog: (id) => services.processes.logFileOf(id),
    plugins: services.plugins,
    openFile: (file) => fileSource(file),
  });
}

/** Opens every source, prints what they hand over, and resolves with the exit code. */
function print(
  cx: LogsCliContext,
  openers: readonly { name: string; open: OpenSource }[],
  request: LogsRequest,
): Promise<number> {
  const width = Math.max(...openers.map((o) => o.name.length));
  const several = openers.length > 1;
  const stops: (() => void)[] = [];
  let open = openers.length;
  let failed = false;
  let printedAny = false;
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      offInterrupt?.();
      offClosed();
      for (const stop of stops) stop();
      resolve(code);
    };
    const offInterrupt = cx.io.onInterrupt?.(() =>
      finish(request.follow || printedAny ? EXIT_OK : EXIT_CANCELLED),
    );
    // Our output closed (`dify-stack logs -f x | head`): nobody reads any more, so stop reading.
    const offClosed = onOutputClosed(cx, () => finish(EXIT_OK));
    for (const { name, open: openSource } of openers) {
      const prefix = several ? `${name.padEnd(width)} | ` : '';
      const printer = new LinePrinter(cx, prefix, request);
      let ended = false;
      const stop = openSource(
        { follow: request.follow, tail: request.tail, since: request.since },
        {
          lines: (lines) => {
            if (ended || done) return;
            printedAny = printer.lines(lines) || printedAny;
          },
          mark: (mark, detail) => {
            if (!ended && !done) printer.mark(mark, detail, request.follow, name);
          },
          end: (error) => {
            if (ended || done) return;
            ended = true;
            if (error !== undefined) {
              failed = true;
              cx.printError(toErrorInfo(error));
            }
            if (--open === 0) finish(failed ? EXIT_FAILED : EXIT_OK);
          },
        },
      );
      stops.push(stop);
    }
  });
}

/** Calls `handler` when writing to stdout or stderr fails (EPIPE: the reader went away); returns the unregister. */
function onOutputClosed(cx: LogsCliContext, handler: () => void): () => void {
  const streams = [cx.io.stdout, cx.io.stderr].filter(
    (s): s is NodeJS.WritableStream => typeof (s as Partial<NodeJS.WritableStream>).on === 'function',
  );
  for (const s of streams) s.on('error', handler);
  return () => {
    for (const s of streams) s.off('error', handler);
  };
}

/** One source's lines onto stdout and stderr: grouped per stream, filtered by level, prefixed. */
class LinePrinter {
  private readonly groupers = { out: new EntryGrouper(), err: new EntryGrouper() };
  private readonly minimum: number | null;

  constructor(
    private readonly cx: LogsCliContext,
    private readonly prefix: string,
    private readonly request: LogsRequest,
  ) {
    this.minimum = request.level === null ? null : SEVERITY[request.level];
  }

  /** Prints a batch (one write per stream); true when anything was printed. */
  lines(lines: readonly RawLogLine[]): boolean {
    let out = '';
    let err = '';
    for (const line of lines) {
      // Every line goes through its stream's grouper, kept or not: entries span filtered lines too.
      const { level } = this.groupers[line.stream].next(line.text);
      if (this.minimum !== null && (level === null || SEVERITY[level] > this.minimum)) continue;
      const time = this.request.timestamps && line.at !== null ? `${new Date(line.at).toISOString()} ` : '';
      const text = `${this.prefix}${time}${line.text}\n`;
      if (line.stream === 'err') err += text;
      else out += text;
    }
    if (out) this.cx.io.stdout.write(out);
    if (err) this.cx.io.stderr.write(err);
    return out !== '' || err !== '';
  }

  /** A note about the stream, on stderr. Without --follow a missing log file is simply not there. */
  mark(mark: LogMark, detail: string, following: boolean, name: string): void {
    // Nothing continues across a break: the new container's first line is no traceback's tail.
    if (mark !== 'dropped') {
      this.groupers.out.reset();
      this.groupers.err.reset();
    }
    const text =
      mark === 'waiting' && !following
        ? this.cx.t('cli.logs.absent', { name, detail })
        : this.cx.t('logs.marks.withDetail', {
            text: this.cx.t(`logs.marks.${mark}`, { count: detail }),
            detail,
          });
    this.cx.io.stderr.write(`${this.prefix}${this.cx.t('cli.logs.mark', { text })}\n`);
  }
}
