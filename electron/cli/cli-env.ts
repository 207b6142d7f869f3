/**
 * The `.env` / timeout commands of `dify-stack` (registered from cli.ts):
 *
 *   dify-stack timeouts [--json]                 the catalog with current values and readers
 *   dify-stack env get KEY… [--json]             KEY=value as Compose resolves it (+ file, readers)
 *   dify-stack env set KEY=VALUE… [--file F] [--dry-run] [--no-redeploy] [--full]
 *   dify-stack env restore [BACKUP] [--file F] [--no-redeploy] [--full]
 *
 * `env set` writes where the panel would and redeploys as its Apply does; an invalid value ends it
 * with exit code 1 and the reason, before anything is written.
 */
import type { Command } from 'commander';
import type { ErrorInfo } from '../core/errors';
import { AppError } from '../core/errors';
import type { Lang } from '../core/i18n';
import type { EnvApplyResult } from '../env/api';
import type { KeyReach } from '../env/reach-model';
import type { ChangePreview, TimeoutsView } from '../env/contract';
import type { AppServices } from '../services';
import { alignColumns } from './cli-format';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, followJob } from './cli-jobs';

export interface EnvCliHost {
  lang: Lang;
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  printError(error: ErrorInfo): void;
  onInterrupt?(handler: () => void): () => void;
  withServices(cmd: Command, fn: (services: AppServices) => Promise<number>): Promise<void>;
}

export function registerEnvCommands(program: Command, host: EnvCliHost): void {
  const t = host.t.bind(host);
  const help = (cmd: Command) => cmd.helpOption('-h, --help', t('cli.options.help'));

  help(
    program
      .command('timeouts')
      .description(t('timeouts.cli.commands.timeouts'))
      .option('--json', t('cli.options.json'))
      .action((opts: { json?: boolean }, cmd: Command) =>
        host.withServices(cmd, async (services) => {
          const view = await services.timeouts.getView();
          host.out(opts.json ? JSON.stringify(timeoutsJson(view)) : timeoutsTable(view, t));
          return EXIT_OK;
        }),
      ),
  );

  const env = help(program.command('env').description(t('timeouts.cli.commands.env')));

  help(
    env
      .command('get')
      .description(t('timeouts.cli.commands.get'))
      .argument('<keys...>', t('timeouts.cli.args.keys'))
      .option('--json', t('timeouts.cli.options.getJson'))
      .action((keys: string[], opts: { json?: boolean }, cmd: Command) =>
        host.withServices(cmd, async (services) => {
          const reach = await services.timeouts.getKeys(keys);
          if (opts.json) {
            host.out(JSON.stringify(reach.map(keyJson)));
            return EXIT_OK;
          }
          for (const r of reach) {
            host.out(`${r.key}=${r.effective.value ?? ''}`);
            const note = keyNote(r, t);
            if (note) host.err(note);
          }
          return EXIT_OK;
        }),
      ),
  );

  help(
    env
      .command('set')
      .description(t('timeouts.cli.commands.set'))
      .argument('<assignments...>', t('timeouts.cli.args.assignments'))
      .option('--file <file>', t('timeouts.cli.options.file'))
      .option('--dry-run', t('timeouts.cli.options.dryRun'))
      .option('--no-redeploy', t('timeouts.cli.options.noRedeploy'))
      .option('--full', t('timeouts.cli.options.full'))
      .action(
        (
          assignments: string[],
          opts: { file?: string; dryRun?: boolean; redeploy: boolean; full?: boolean },
          cmd: Command,
        ) =>
          host.withServices(cmd, async (services) => {
            const changes: Record<string, string> = {};
            for (const a of assignments) {
              const eq = a.indexOf('=');
              if (eq <= 0) {
                host.err(t('cli.errorLine', { message: t('timeouts.cli.badAssignment', { arg: a }) }));
                return EXIT_USAGE;
              }
              changes[a.slice(0, eq)] = a.slice(eq + 1);
            }
            const mode = opts.full ? 'full' : 'readers';
            const preview = await services.timeouts.previewChanges(changes, { file: opts.file, mode });
            if (preview.errors.length > 0) {
              for (const e of preview.errors) {
                host.err(
                  t('cli.errorLine', {
                    message: t('timeouts.cli.invalidValue', {
                      key: e.key,
                      value: e.value,
                      reason: t(e.error.key, e.error.params),
                    }),
                  }),
                );
              }
              host.err(t('timeouts.cli.nothingWritten'));
              return EXIT_FAILED;
            }
            printPreview(preview, t, host, !opts.dryRun);
            if (opts.dryRun) return EXIT_OK;
            return followJob(
              host,
              services,
              (s) =>
                s.timeouts.applyEnvChanges({ changes, file: opts.file, mode, noRedeploy: !opts.redeploy }),
              summarizeApply(host),
            );
          }),
      ),
  );

  help(
    env
      .command('restore')
      .description(t('timeouts.cli.commands.restore'))
      .argument('[backup]', t('timeouts.cli.args.backup'))
      .option('--file <file>', t('timeouts.cli.options.restoreFile'))
      .option('--no-redeploy', t('timeouts.cli.options.noRedeploy'))
      .option('--full', t('timeouts.cli.options.full'))
      .action(
        (
          backup: string | undefined,
          opts: { file?: string; redeploy: boolean; full?: boolean },
          cmd: Command,
        ) =>
          host.withServices(cmd, async (services) => {
            const all = await services.timeouts.listBackups();
            const matching = all.filter((b) => !opts.file || b.file === opts.file.replace(/\\/g, '/'));
            if (!backup) {
              if (matching.length === 0) host.err(t('timeouts.cli.noBackups'));
              for (const b of matching) {
                host.out(`${b.id}\t${b.file}\t${new Date(b.createdAt).toLocaleString(host.lang)}`);
              }
              return EXIT_OK;
            }
            const found = matching.filter((b) => b.id === backup);
            if (found.length === 0) throw new AppError('ENV_BACKUP_NOT_FOUND', { params: { backup } });
            if (found.length > 1) {
              throw new AppError('ENV_BACKUP_AMBIGUOUS', {
                params: { backup, files: found.map((b) => b.file).join(', ') },
              });
            }
            const chosen = found[0] as (typeof found)[number];
            return followJob(
              host,
              services,
              (s) =>
                s.timeouts.restoreBackup(chosen.file, chosen.id, {
                  mode: opts.full ? 'full' : 'readers',
                  noRedeploy: !opts.redeploy,
                }),
              summarizeApply(host),
            );
          }),
      ),
  );
}

type T = EnvCliHost['t'];

function list(items: readonly string[], t: T): string {
  return items.length > 0 ? items.join(', ') : t('timeouts.cli.none');
}

function printPreview(preview: ChangePreview, t: T, host: EnvCliHost, applying: boolean): void {
  for (const e of preview.entries) {
    host.out(
      t(e.createsFile ? 'timeouts.cli.diffLineNewFile' : 'timeouts.cli.diffLine', {
        file: e.file,
        key: e.key,
        old: e.fileOld ?? t('timeouts.cli.unset'),
        new: e.new,
      }),
    );
    if (e.noEffect)
      host.out(
        `  ${t('timeouts.cli.noEffect', { reason: t(`timeouts.noEffect.${e.noEffect.reason}`, { by: e.noEffect.by ?? '' }) })}`,
      );
  }
  host.out(t('timeouts.cli.readers', { services: list(preview.readers, t) }));
  host.out(t('timeouts.cli.upSet', { services: list(preview.upSet, t) }));
  if (preview.mode === 'readers') host.out(t('timeouts.cli.pending', { services: list(preview.pending, t) }));
  if (!preview.running) host.out(t('timeouts.cli.notRunningPreview'));
  if (preview.approximate) host.out(t('timeouts.cli.approximate'));
  if (!applying) host.out(t('timeouts.cli.dryRun'));
}

/** The summary of a finished apply/restore: files written (with backups), services recreated or pending. */
function summarizeApply(host: EnvCliHost): (result: EnvApplyResult) => void {
  return (result) => {
    for (const w of result.written)
      host.out(host.t('timeouts.cli.written', { file: w.file, backup: w.backupId ?? '-' }));
    if (result.notRunning) host.out(host.t('timeouts.cli.notRunning'));
    else {
      host.out(host.t('timeouts.cli.recreated', { services: list(result.recreated, host.t) }));
      if (result.pending.length > 0)
        host.out(host.t('timeouts.cli.pending', { services: list(result.pending, host.t) }));
    }
  };
}

// ---- output shapes ----------------------------------------------------------------------------

/** The documented `timeouts --json` shape. */
export function timeoutsJson(view: TimeoutsView) {
  return {
    project: view.project,
    approximate: view.approximate,
    keys: view.keys.map((k) => ({
      key: k.key,
      group: k.group,
      unit: k.unit,
      value: k.value,
      default: k.defaultValue,
      source: k.source,
      file: k.file,
      suggestedFile: k.suggestedFile,
      readers: k.readers,
      noEffect: k.noEffect,
      invalid: k.invalid !== null,
    })),
    chains: view.chains.map((c) => ({ scenario: c.scenario, effective: c.effective, warnings: c.warnings })),
  };
}

/** The documented `env get --json` element. */
export function keyJson(r: KeyReach) {
  const from = r.files.find((f) => f.file === r.decidingFile);
  return {
    key: r.key,
    value: r.effective.value,
    source: r.effective.source,
    file: r.decidingFile,
    readers: r.readers,
    /** Services whose config the deciding file's value reaches (readers or not). */
    reaches: from?.services ?? [],
    noEffect: r.noEffect,
    approximate: r.approximate,
  };
}

function keyNote(r: KeyReach, t: T): string | null {
  if (r.noEffect) {
    return t('timeouts.cli.noEffectKey', {
      key: r.key,
      reason: t(`timeouts.noEffect.${r.noEffect.reason}`, { by: r.noEffect.by ?? '' }),
    });
  }
  return r.effective.source === 'notSet' ? t('timeouts.cli.notSetKey', { key: r.key }) : null;
}

export function timeoutsTable(view: TimeoutsView, t: T): string {
  const rows: string[][] = [
    [
      t('timeouts.cli.table.key'),
      t('timeouts.cli.table.value'),
      t('timeouts.cli.table.default'),
      t('timeouts.cli.table.file'),
      t('timeouts.cli.table.readers'),
      t('timeouts.cli.table.note'),
    ],
  ];
  for (const k of view.keys) {
    const note = k.noEffect
      ? t(`timeouts.noEffect.${k.noEffect.reason}`, { by: k.noEffect.by ?? '' })
      : k.invalid
        ? t(k.invalid.key, k.invalid.params)
        : '';
    rows.push([
      k.key,
      k.value ?? '-',
      k.defaultValue,
      k.file ?? (k.source === 'composeDefault' ? t('timeouts.source.composeDefault') : '-'),
      k.readers.join(',') || '-',
      note,
    ]);
  }
  const out = alignColumns(rows);
  out.push('', t('cli.project', { name: view.project.name, dir: view.project.dir }));
  if (view.approximate) out.push(t('timeouts.cli.approximate'));
  return out.join('\n');
}
