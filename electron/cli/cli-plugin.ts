/**
 * `dify-stack plugin …`: the plugin commands of the CLI, over the same PluginService as the panel.
 *
 *   dify-stack plugin check DIR [--json]                 the folder check as the daemon does it: problems,
 *                                                        warnings, the Python dependency source; exit 1
 *                                                        on problems (warnings never change the code)
 *   dify-stack plugin package DIR [-o FILE]              build a .difypkg; prints its path
 *   dify-stack plugin install PATH [--allow-unsigned]    folder or .difypkg → the reinstall workflow;
 *                                                        steps on stderr, the final
 *                                                        plugin_unique_identifier on stdout
 *   dify-stack plugin list [--json]                      what Dify has installed
 *   dify-stack plugin debug DIR                          remote debugging in the foreground until Ctrl+C:
 *                                                        the plugin's output on stdout, a restart on
 *                                                        every save (cli-plugin-debug.ts)
 *   connection: --dify-url URL, --email EMAIL (else the settings), password from DIFY_PASSWORD only;
 *   one Warning line on stderr when the URL is plain http to a host other than this machine
 *
 * package and install (of a folder) print the dependency source and the warnings on stderr before
 * anything is uploaded (issue 8: the user learns before an upload, not from a failed install).
 *
 * Exit codes as the rest of the CLI: 0 only when Dify reports success, 1 failed, 2 usage, 130 Ctrl+C.
 */
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { alignColumns } from './cli-format';
import { debugInForeground } from './cli-plugin-debug';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import type { Lang } from '../core/i18n';
import type { JobSnapshot } from '../core/jobs';
import { findingLine, summarizeCheck, type PluginCheckSummary } from '../plugins/check-summary';
import { checkPluginFolder, type PluginManifest } from '../plugins/manifest';
import type { InstalledSummary } from '../plugins/plugin-service';
import type { SkippedEntry } from '../plugins/package-skips';
import { packagePluginFolder } from '../plugins/packager';
import { sendsPasswordInClear } from '../plugins/url-safety';
import type { ReinstallResult } from '../plugins/reinstall';
import type { AppServices } from '../services';

/** What cli.ts's context offers (structural, so this module does not reach into cli.ts). */
export interface PluginCliContext {
  readonly lang: Lang;
  readonly io: {
    onInterrupt?(handler: () => void): () => void;
    cwd?: string;
  };
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  printError(error: ErrorInfo): void;
}

export interface PluginCliDeps {
  cx: PluginCliContext;
  /** cli.ts's runner: creates the services, runs `fn`, maps its result or error to the exit code. */
  withServices(cmd: Command, fn: (services: AppServices) => Promise<number>): Promise<void>;
  cwd: string;
}

interface ConnectionOptions {
  difyUrl?: string;
  email?: string;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_CANCELLED = 130;

export function registerPluginCommands(program: Command, deps: PluginCliDeps): void {
  const { cx, withServices, cwd } = deps;
  const plugin = program
    .command('plugin')
    .description(cx.t('plugins.cli.command'))
    .option('--dify-url <url>', cx.t('plugins.cli.options.difyUrl'))
    .option('--email <email>', cx.t('plugins.cli.options.email'));

  /** The commands that log in: the connection for this run, and one warning when it is plain http. */
  const connect = (services: AppServices, cmd: Command): void => {
    const o = cmd.optsWithGlobals<ConnectionOptions>();
    services.plugins.useConnection({ baseUrl: o.difyUrl, email: o.email });
    const { url } = services.plugins.connectionSettings();
    if (sendsPasswordInClear(url)) {
      cx.err(cx.t('cli.warningLine', { message: cx.t('plugins.cli.plainHttp', { url }) }));
    }
  };

  plugin
    .command('check')
    .description(cx.t('plugins.cli.check'))
    .argument('<dir>', cx.t('plugins.cli.args.dir'))
    .option('--json', cx.t('cli.options.json'))
    .action((dir: string, opts: { json?: boolean }, cmd: Command) =>
      withServices(cmd, async () => {
        const check = await checkPluginFolder(path.resolve(cwd, dir));
        const summary = summarizeCheck(check);
        if (opts.json) cx.out(JSON.stringify(checkJson(cx, check.dir, check.manifest, summary)));
        else for (const line of checkReport(cx, check.manifest, summary)) cx.out(line);
        return summary.problems.length > 0 ? EXIT_FAILED : EXIT_OK;
      }),
    );

  plugin
    .command('package')
    .description(cx.t('plugins.cli.package'))
    .argument('<dir>', cx.t('plugins.cli.args.dir'))
    .option('-o, --output <file>', cx.t('plugins.cli.options.output'))
    .action((dir: string, opts: { output?: string }, cmd: Command) =>
      withServices(cmd, async () => {
        const result = await packagePluginFolder(path.resolve(cwd, dir), {
          outFile: opts.output ? path.resolve(cwd, opts.output) : undefined,
        });
        for (const line of skippedLines(cx, result.skipped)) cx.err(line);
        for (const line of checkNotes(cx, summarizeCheck(result.check))) cx.err(line);
        cx.err(
          cx.t('plugins.cli.packaged', {
            plugin: result.manifest.pluginId,
            version: result.manifest.version,
            files: result.files,
            bytes: result.bytes,
          }),
        );
        cx.out(result.path);
        return EXIT_OK;
      }),
    );

  plugin
    .command('install')
    .description(cx.t('plugins.cli.install'))
    .argument('<path>', cx.t('plugins.cli.args.path'))
    .option('--allow-unsigned', cx.t('plugins.cli.options.allowUnsigned'))
    .option('--force', cx.t('plugins.cli.options.force'))
    .action((target: string, opts: { allowUnsigned?: boolean; force?: boolean }, cmd: Command) =>
      withServices(cmd, async (services) => {
        connect(services, cmd);
        const abs = path.resolve(cwd, target);
        const st = await fs.stat(abs).catch(() => null);
        const source = st?.isDirectory() ? { dir: abs } : { file: abs };
        if ('dir' in source) {
          // The job checks the folder again before packaging; this copy is only for the notes.
          const check = await checkPluginFolder(abs);
          for (const line of checkNotes(cx, summarizeCheck(check))) cx.err(line);
        }
        return followReinstall(cx, services, () =>
          services.plugins.reinstall(source, { allowUnsigned: opts.allowUnsigned, force: opts.force }),
        );
      }),
    );

  plugin
    .command('list')
    .description(cx.t('plugins.cli.list'))
    .option('--json', cx.t('cli.options.json'))
    .action((opts: { json?: boolean }, cmd: Command) =>
      withServices(cmd, async (services) => {
        connect(services, cmd);
        const installed = await services.plugins.listInstalled();
        cx.out(opts.json ? JSON.stringify(installed) : installedTable(cx, installed));
        return EXIT_OK;
      }),
    );

  plugin
    .command('debug')
    .description(cx.t('plugins.debug.cli.command'))
    .argument('<dir>', cx.t('plugins.cli.args.dir'))
    .action((dir: string, _opts: unknown, cmd: Command) =>
      withServices(cmd, async (services) => {
        connect(services, cmd);
        return debugInForeground(cx, services, path.resolve(cwd, dir));
      }),
    );

  for (const sub of [plugin, ...plugin.commands]) sub.helpOption('-h, --help', cx.t('cli.options.help'));
}

/** Steps and Dify's task states to stderr as they change; the identifier alone to stdout at the end. */
async function followReinstall(
  cx: PluginCliContext,
  services: AppServices,
  start: () => { id: string; done: Promise<ReinstallResult> },
): Promise<number> {
  let jobId: string | null = null;
  let lastStep = '';
  const print = (job: JobSnapshot): void => {
    if (job.id !== jobId || !job.step) return;
    const step = cx.t(job.step.key, job.step.params);
    if (step !== lastStep) cx.err(step);
    lastStep = step;
  };
  const off = services.jobs.onUpdate(print);
  let cancelling = false;
  const offInterrupt = cx.io.onInterrupt?.(() => {
    if (cancelling || jobId === null) return;
    cancelling = true;
    cx.err(cx.t('cli.cancelling'));
    services.jobs.cancel(jobId);
  });
  try {
    const handle = start();
    jobId = handle.id;
    const current = services.jobs.get(handle.id);
    if (current) print(current);
    const result = await handle.done;
    for (const line of skippedLines(cx, result.skipped)) cx.err(line);
    cx.err(
      cx.t(`plugins.cli.result.${result.action}`, {
        plugin: result.pluginId,
        version: result.version,
        previous: result.previous?.version ?? '',
      }),
    );
    cx.out(result.identifier);
    return EXIT_OK;
  } catch (e) {
    const info = toErrorInfo(e);
    if (info.code === 'CANCELLED') {
      cx.printError(info);
      return EXIT_CANCELLED;
    }
    cx.printError(info);
    if (info.code === 'PLUGIN_SIGNATURE_REJECTED') cx.err(cx.t('plugins.cli.hintAllowUnsigned'));
    return EXIT_FAILED;
  } finally {
    off();
    offInterrupt?.();
  }
}

/** One line per entry of the folder the package left out, with the reason in the user's language. */
export function skippedLines(cx: Pick<PluginCliContext, 't'>, skipped: readonly SkippedEntry[]): string[] {
  return skipped.map((s) =>
    cx.t('plugins.cli.skipped', { file: s.rel, reason: cx.t(`plugins.skipReason.${s.reason}`) }),
  );
}

export function installedTable(cx: Pick<PluginCliContext, 't'>, installed: InstalledSummary[]): string {
  if (installed.length === 0) return cx.t('plugins.cli.noneInstalled');
  const head = ['plugin', 'version', 'source', 'identifier'].map((k) => cx.t(`plugins.cli.table.${k}`));
  const rows = installed
    .slice()
    .sort((a, b) => a.pluginId.localeCompare(b.pluginId))
    .map((p) => [p.pluginId, p.version, p.source, p.identifier]);
  return alignColumns([head, ...rows]).join('\n');
}

/**
 * What Dify accepts but the user should know: where the daemon installs the Python packages from, then
 * one `Warning:` line per warning. Problems are not here: they stop the command with their own lines.
 */
export function checkNotes(cx: Pick<PluginCliContext, 't'>, summary: PluginCheckSummary): string[] {
  const lines: string[] = [];
  if (summary.python) {
    const text = cx.t(`plugins.pythonInstall.${summary.python.install}`);
    lines.push(cx.t('plugins.cli.dependencies', { text }));
  }
  for (const w of summary.warnings) {
    const message = findingLine(w, cx.t(`plugins.warnings.${w.code}`, w.params));
    lines.push(cx.t('cli.warningLine', { message }));
  }
  return lines;
}

/** `plugin check`: the notes, one `Error:` line per problem, and the verdict. */
export function checkReport(
  cx: Pick<PluginCliContext, 't'>,
  manifest: Pick<PluginManifest, 'pluginId' | 'version'> | null,
  summary: PluginCheckSummary,
): string[] {
  const lines = checkNotes(cx, summary);
  for (const p of summary.problems) {
    const message = findingLine(p, cx.t(`plugins.problems.${p.code}`, p.params));
    lines.push(cx.t('cli.errorLine', { message }));
  }
  const count = summary.problems.length;
  lines.push(
    count > 0 || !manifest
      ? cx.t('plugins.cli.checkedProblems', { count })
      : cx.t('plugins.cli.checkedOk', { plugin: manifest.pluginId, version: manifest.version }),
  );
  return lines;
}

/** `plugin check --json`: the summary as the Plugins page gets it, each finding with its text. */
export interface PluginCheckJson {
  dir: string;
  pluginId: string | null;
  version: string | null;
  problems: Array<PluginCheckSummary['problems'][number] & { message: string }>;
  warnings: Array<PluginCheckSummary['warnings'][number] & { message: string }>;
  python: PluginCheckSummary['python'];
}

export function checkJson(
  cx: Pick<PluginCliContext, 't'>,
  dir: string,
  manifest: Pick<PluginManifest, 'pluginId' | 'version'> | null,
  summary: PluginCheckSummary,
): PluginCheckJson {
  return {
    dir,
    pluginId: manifest?.pluginId ?? null,
    version: manifest?.version ?? null,
    problems: summary.problems.map((p) => ({ ...p, message: cx.t(`plugins.problems.${p.code}`, p.params) })),
    warnings: summary.warnings.map((w) => ({ ...w, message: cx.t(`plugins.warnings.${w.code}`, w.params) })),
    python: summary.python,
  };
}
