/**
 * The `.env` / timeout commands of `dify-stack` (registered from cli.ts):
 *
 *   dify-stack timeouts [--json]                 the catalog with current values and readers
 *   dify-stack timeouts --chain SCENARIO [--target 30m] [--plugin DIR] [--json]
 *                                                the limits of one kind of call in order, and with
 *                                                --target the fewest changes for it to fit
 *   dify-stack env get KEY… [--json]             KEY=value as Compose resolves it (+ file, readers)
 *   dify-stack env set KEY=VALUE… [--file F] [--force] [--dry-run] [--no-redeploy] [--full]
 *   dify-stack env restore [BACKUP] [--file F] [--no-redeploy] [--full]
 *
 * `env set` writes where the panel would and redeploys as its Apply does; an invalid value ends it
 * with exit code 1 and the reason, before anything is written. So does a target file whose value
 * would be shadowed (a later file or the reader's own `environment:` wins), unless `--force`.
 */
import type { Command } from 'commander';
import type { ErrorInfo } from '../core/errors';
import { AppError } from '../core/errors';
import type { Lang } from '../core/i18n';
import type { EnvApplyResult } from '../env/api';
import type { KeyReach } from '../env/reach-model';
import type { ChangePreview, TimeoutsView } from '../env/contract';
import { computeTimeoutChain, type ChainInput, type ChainResult } from '../env/timeout-chain';
import { fitChain, parseTargetDuration, type FitResult } from '../env/timeout-fit';
import { CHAIN_SCENARIOS, isChainScenario } from '../env/timeout-scenarios';
import { readPluginTimeouts, toolCallTimeout } from '../plugins/plugin-timeouts';
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
      .option(
        '--chain <scenario>',
        t('timeouts.cli.options.chain', { scenarios: CHAIN_SCENARIOS.join(', ') }),
      )
      .option('--target <duration>', t('timeouts.cli.options.target'))
      .option('--plugin <dir>', t('timeouts.cli.options.plugin'))
      .action((opts: { json?: boolean; chain?: string; target?: string; plugin?: string }, cmd: Command) =>
        host.withServices(cmd, async (services) => {
          const usage = (message: string) => {
            host.err(t('cli.errorLine', { message }));
            return EXIT_USAGE;
          };
          if (opts.chain === undefined) {
            if (opts.target !== undefined) return usage(t('timeouts.cli.targetNeedsChain'));
            const view = await services.timeouts.getView();
            host.out(opts.json ? JSON.stringify(timeoutsJson(view)) : timeoutsTable(view, t));
            return EXIT_OK;
          }
          const scenario = opts.chain;
          if (!isChainScenario(scenario))
            return usage(t('timeouts.cli.badScenario', { scenario, scenarios: CHAIN_SCENARIOS.join(', ') }));
          const target = opts.target === undefined ? null : parseTargetDuration(opts.target);
          if (opts.target !== undefined && target === null)
            return usage(t('timeouts.cli.badTarget', { target: opts.target }));
          const view = await services.timeouts.getView({ quick: true });
          const input: ChainInput = {
            values: Object.fromEntries(view.keys.map((k) => [k.key, k.value ?? undefined])),
            release: { ruleSet: view.release.ruleSet, assumed: view.release.assumed },
            ...(opts.plugin ? { plugin: await pluginInput(opts.plugin) } : {}),
          };
          const chain = computeTimeoutChain(scenario, input);
          const fit = target === null ? null : fitChain(scenario, { ...input, targetSeconds: target });
          const preview =
            fit && Object.keys(fit.changes).length > 0
              ? await services.timeouts.previewChanges(fit.changes)
              : null;
          if (opts.json) host.out(JSON.stringify(chainJson(chain, fit, preview)));
          else host.out(chainText(chain, fit, preview, view.release.dify, t));
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
            const unread = unreadValue(r);
            host.out(`${r.key}=${r.effective.value ?? unread?.value ?? ''}`);
            const note = unread
              ? t('timeouts.cli.unreadKey', { key: r.key, file: unread.file })
              : keyNote(r, t);
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
      .option('--force', t('timeouts.cli.options.force'))
      .option('--dry-run', t('timeouts.cli.options.dryRun'))
      .option('--no-redeploy', t('timeouts.cli.options.noRedeploy'))
      .option('--full', t('timeouts.cli.options.full'))
      .action(
        (
          assignments: string[],
          opts: { file?: string; force?: boolean; dryRun?: boolean; redeploy: boolean; full?: boolean },
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
            const shadowed = shadowedEntries(preview);
            const refused = shadowed.length > 0 && !opts.force;
            // A refusal ends with "Nothing was written", not the dry-run line.
            printPreview(preview, t, host, !opts.dryRun || refused);
            if (refused) {
              // A write that provably changes nothing is refused (even as a dry run, so scripts
              // notice): the user meant the value to take effect.
              for (const e of shadowed) {
                host.err(
                  t('cli.errorLine', {
                    message: t('timeouts.cli.shadowedRefused', { key: e.key, file: e.file }),
                  }),
                );
              }
              host.err(t('timeouts.cli.nothingWritten'));
              return EXIT_FAILED;
            }
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
    host.out(`  ${t('timeouts.cli.placement', { reason: t(`timeouts.placement.${e.reason}`) })}`);
    if (e.noEffect)
      host.out(
        `  ${t('timeouts.cli.noEffect', { reason: t(`timeouts.noEffect.${e.noEffect.reason}`, { by: e.noEffect.by ?? '', instead: e.noEffect.instead ?? '.env' }) })}`,
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

/** The plugin's own limit on a tool call, read from its folder (MAX_REQUEST_TIMEOUT is not one). */
async function pluginInput(dir: string): Promise<NonNullable<ChainInput['plugin']>> {
  const found = toolCallTimeout(await readPluginTimeouts(dir));
  return found
    ? { toolHttpTimeout: found.seconds, at: { file: found.file, line: found.line, text: found.text } }
    : { toolHttpTimeout: null, at: null };
}

/** The documented `timeouts --chain --json` shape. */
export function chainJson(chain: ChainResult, fit: FitResult | null, preview: ChangePreview | null) {
  return {
    scenario: chain.scenario,
    ruleSet: chain.ruleSet,
    assumed: chain.assumed,
    links: chain.links.map((l) => ({
      id: l.id,
      kind: l.kind,
      seconds: l.seconds,
      raw: l.raw,
      source: l.source,
      measure: l.measure,
      effect: l.effect,
      outsideContinues: l.outsideContinues,
      condition: l.condition,
      ...(l.at ? { at: l.at } : {}),
    })),
    effective: chain.effective,
    warnings: chain.warnings,
    ...(fit
      ? {
          fit: {
            targetSeconds: fit.targetSeconds,
            verdict: fit.verdict,
            changes: fit.changes,
            steps: fit.steps,
            cannotChange: fit.cannotChange,
            files: preview ? Object.fromEntries(preview.entries.map((e) => [e.key, e.file])) : {},
            recreate: preview?.recreate ?? [],
          },
        }
      : {}),
  };
}

/** 10800 → "3 h" / "3 時間": the largest whole unit. */
export function durationText(seconds: number, t: T): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return t('timeouts.fit.duration.h', { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t('timeouts.fit.duration.m', { n: seconds / 60 });
  return t('timeouts.fit.duration.s', { n: seconds });
}

export function chainText(
  chain: ChainResult,
  fit: FitResult | null,
  preview: ChangePreview | null,
  version: string | null,
  t: T,
): string {
  const rules = t(`timeouts.chain.ruleSets.${chain.ruleSet}`);
  const out = [t('timeouts.cli.chainHeader', { scenario: t(`timeouts.chain.scenarios.${chain.scenario}`) })];
  out.push(
    chain.assumed
      ? t('timeouts.cli.chainAssumed')
      : t('timeouts.chain.release', { rules, version: version ?? '' }),
    '',
  );
  const rows: string[][] = [
    [t('timeouts.cli.table.link'), t('timeouts.cli.table.limit'), t('timeouts.cli.table.effect')],
  ];
  for (const l of chain.links) {
    const name =
      l.kind === 'env'
        ? l.id
        : l.kind === 'fixed'
          ? t('common.aside', { text: t(l.titleKey), aside: t('timeouts.chain.fixedTag') })
          : t(l.titleKey);
    const value = l.seconds === null ? '?' : t('timeouts.fit.duration.s', { n: l.seconds });
    const where = l.at ? ` ${l.at.file}:${l.at.line}` : '';
    // conditionNote carries its own spacing: " (…)" in English, "（…）" in Japanese.
    const effect = `${t(`timeouts.chain.effects.${l.effect}`)}${l.condition ? t('timeouts.chain.conditionNote', { condition: t(`timeouts.chain.conditions.${l.condition}`) }) : ''}`;
    const limit = t('common.aside', { text: value, aside: t(`timeouts.chain.measures.${l.measure}`) });
    rows.push([`${name}${where}`, limit, effect]);
  }
  out.push(...alignColumns(rows));
  if (chain.effective)
    out.push(
      '',
      t('timeouts.chain.effective', { seconds: chain.effective.seconds, by: chain.effective.by.join(', ') }),
    );
  // Messages name links by id; a fixed or plugin link reads better by its name.
  const named = (params: Record<string, string | number>) => {
    const out = { ...params };
    for (const k of ['cutBy', 'guarded']) {
      const link = chain.links.find((l) => l.id === out[k]);
      if (link && link.kind !== 'env') out[k] = t(link.titleKey);
    }
    return out;
  };
  for (const w of chain.warnings) out.push(t(w.messageKey, named(w.params)));
  for (const n of chain.notes) out.push(t(n.messageKey, n.params));
  if (!fit) return out.join('\n');
  const target = durationText(fit.targetSeconds, t);
  out.push('');
  if (fit.steps.length === 0) out.push(t('timeouts.cli.fitNone', { target }));
  else {
    out.push(t('timeouts.cli.fitHeader', { target }));
    const files = new Map(preview?.entries.map((e) => [e.key, e.file]) ?? []);
    for (const s of fit.steps) {
      const step = t('timeouts.fit.step', {
        key: s.key,
        from: s.from ?? t('timeouts.fit.notSet', { seconds: s.fromSeconds ?? '?' }),
        to: s.to,
      });
      const file = files.get(s.key);
      out.push(`  ${file === undefined ? step : t('common.aside', { text: step, aside: file })}`);
    }
    if (preview) out.push(t('timeouts.cli.readers', { services: list(preview.recreate, t) }));
    const assignments = Object.entries(fit.changes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    out.push(t('timeouts.cli.previewHint', { assignments }));
  }
  if (fit.cannotChange.length > 0) {
    out.push(t('timeouts.cli.cannotHeader'));
    for (const b of fit.cannotChange) out.push(`  ${blockerText(b, chain, t)}`);
  }
  out.push(t(`timeouts.fit.verdicts.${fit.verdict}`, { target }));
  return out.join('\n');
}

function blockerText(b: FitResult['cannotChange'][number], chain: ChainResult, t: T): string {
  const link = chain.links.find((l) => l.id === b.id);
  const name = link ? (link.kind === 'env' ? link.id : t(link.titleKey)) : b.id;
  return t(`timeouts.fit.blockers.${b.kind}`, {
    name,
    seconds: b.seconds ?? '?',
    file: b.at?.file ?? '',
    line: b.at?.line ?? '',
    condition: b.condition ? t(`timeouts.chain.conditions.${b.condition}`) : '',
  });
}

/** Entries whose target file is loaded by a reader but loses to another file or its `environment:`. */
export function shadowedEntries(preview: ChangePreview): ChangePreview['entries'] {
  return preview.entries.filter(
    (e) => e.noEffect?.reason === 'shadowed' || e.noEffect?.reason === 'environment',
  );
}

/**
 * The value a file holds for a key no service reads: Compose passes it nowhere, so there is no
 * resolved value, but the user asking for it wants the file's (quotes removed as compose-go does,
 * by EnvDocument). `.env` first: Compose lists it last, so it is the one that would win.
 */
export function unreadValue(r: KeyReach): { value: string; file: string } | null {
  if (r.readers.length > 0 || r.effective.value !== null) return null;
  const setting = r.files.filter((f) => f.sets && f.value !== null);
  const from = setting.find((f) => f.file === '.env') ?? setting.at(-1);
  return from ? { value: from.value as string, file: from.file } : null;
}

/** The documented `env get --json` element. */
export function keyJson(r: KeyReach) {
  const from = r.files.find((f) => f.file === r.decidingFile);
  const unread = unreadValue(r);
  return {
    key: r.key,
    value: r.effective.value ?? unread?.value ?? null,
    source: r.effective.source,
    file: r.decidingFile ?? unread?.file ?? null,
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
