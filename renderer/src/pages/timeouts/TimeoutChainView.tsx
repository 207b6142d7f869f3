import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvokeInput } from '../../../../electron/contract';
import type { ChainResultDto, ReleaseView } from '../../../../electron/env/contract';
import { invoke } from '../../api';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { useQuery } from '../../hooks/useQuery';
import { parseDuration } from './timeout-panel';
import './TimeoutChainView.css';

type Link = ChainResultDto['links'][number];
type FitInput = InvokeInput<'timeouts:fit'>;
export type FitRequest = Omit<FitInput, 'scenario' | 'targetSeconds'>;

const MAX_TARGET_SECONDS = 7 * 24 * 3600;

/** A limit in seconds with the unit from the locale ("600 秒", "600 s"), or the word for unknown. */
function seconds(value: number | null, t: (key: string, params?: Record<string, number>) => string): string {
  return value === null ? t('timeouts.page.unknown') : t('timeouts.fit.duration.s', { n: value });
}

/** 10800 → "3 h" / "3 時間": the largest whole unit. */
function durationText(total: number, t: (key: string, params: Record<string, number>) => string): string {
  if (total >= 3600 && total % 3600 === 0) return t('timeouts.fit.duration.h', { n: total / 3600 });
  if (total >= 60 && total % 60 === 0) return t('timeouts.fit.duration.m', { n: total / 60 });
  return t('timeouts.fit.duration.s', { n: total });
}

/**
 * The limits a long call passes through in order — what each does when it fires, the fixed ones and
 * the plugin's own — the one that ends it first, the release rules assumed, and "make this call fit":
 * the fewest changes for a target duration, which the user can put into the drafts.
 */
export function TimeoutChainView({
  chains,
  release,
  plugins,
  pluginDir,
  onPluginDir,
  fitRequest,
  onUseFit,
}: {
  chains: readonly ChainResultDto[];
  release: ReleaseView;
  /** Registered plugin folders whose code limits can fill the plugin links. */
  plugins: ReadonlyArray<{ dir: string; label: string }>;
  pluginDir: string;
  onPluginDir: (dir: string) => void;
  /** What the fit is computed from: the values with the drafts, the plugin, the release. */
  fitRequest: FitRequest;
  onUseFit: (changes: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  const [scenario, setScenario] = useState(chains[0]?.scenario ?? '');
  const [target, setTarget] = useState('');
  const chain = chains.find((c) => c.scenario === scenario) ?? chains[0];
  const parsed = parseDuration(target);
  // Main refuses more than the catalog's week; say so here instead of showing its validation error.
  const targetSeconds = parsed !== null && parsed <= MAX_TARGET_SECONDS ? parsed : null;
  const fit = useQuery(
    () =>
      invoke('timeouts:fit', {
        ...fitRequest,
        // The chains come from main with the same scenario names the fit takes.
        scenario: chain?.scenario as FitInput['scenario'],
        targetSeconds: targetSeconds ?? 1,
      }),
    [chain?.scenario, targetSeconds, fitRequest],
    { enabled: chain !== undefined && targetSeconds !== null },
  );
  if (!chain) return null;
  const by = new Set(chain.effective?.by ?? []);
  const nameOf = (link: Link | undefined, id: string) =>
    link ? (link.kind === 'env' ? link.id : t(link.titleKey)) : id;
  // Messages name links by id; a fixed or plugin link reads better by its name.
  const format = (m: { messageKey: string; params: Record<string, string | number> }) => {
    const params = { ...m.params };
    for (const k of ['cutBy', 'guarded']) {
      const id = params[k];
      if (typeof id === 'string')
        params[k] = nameOf(
          chain.links.find((l) => l.id === id),
          id,
        );
    }
    return t(m.messageKey, params);
  };
  const rules = t(`timeouts.chain.ruleSets.${chain.ruleSet}`);
  const result = targetSeconds !== null && !fit.loading ? fit.data : null;

  return (
    <section className="panel timeout-chain" aria-labelledby="chain-title">
      <div className="panel__header">
        <h2 id="chain-title" className="panel__title">
          {t('timeouts.page.chainTitle')}
        </h2>
      </div>
      <div className="timeout-chain__pickers">
        {plugins.length > 0 ? (
          <label className="timeout-chain__pick">
            <span className="visually-hidden">{t('timeouts.page.chainPlugin')}</span>
            <select className="select" value={pluginDir} onChange={(e) => onPluginDir(e.target.value)}>
              <option value="">{t('timeouts.page.chainPluginNone')}</option>
              {plugins.map((p) => (
                <option key={p.dir} value={p.dir}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="timeout-chain__pick timeout-chain__pick--scenario">
          <span className="visually-hidden">{t('timeouts.page.chainScenario')}</span>
          <select className="select" value={chain.scenario} onChange={(e) => setScenario(e.target.value)}>
            {chains.map((c) => (
              <option key={c.scenario} value={c.scenario}>
                {t(`timeouts.chain.scenarios.${c.scenario}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted timeout-chain__release" data-testid="chain-release">
        {chain.assumed
          ? t('timeouts.chain.releaseAssumed')
          : t('timeouts.chain.release', { rules, version: release.dify ?? '' })}
        {release.pluginInstallTimeout === false
          ? ` ${t('timeouts.chain.noInstallTimeout', { version: release.daemon ?? '' })}`
          : ''}
      </p>
      <ol className="timeout-chain__links">
        {chain.links.map((link) => (
          <li
            key={link.id}
            className={[
              'timeout-chain__link',
              by.has(link.id) ? 'timeout-chain__link--cuts' : '',
              link.counts ? '' : 'timeout-chain__link--conditional',
            ]
              .filter(Boolean)
              .join(' ')}
            data-link={link.id}
          >
            <div className="timeout-chain__head">
              <span className="timeout-chain__name">{nameOf(link, link.id)}</span>
              {link.kind === 'fixed' ? <span className="tag">{t('timeouts.chain.fixedTag')}</span> : null}
              {link.kind === 'plugin' ? <span className="tag">{t('timeouts.chain.pluginTag')}</span> : null}
              {link.source === 'default' ? (
                <span className="tag">{t('timeouts.page.defaultTag')}</span>
              ) : null}
              <span className="mono timeout-chain__value">{seconds(link.seconds, t)}</span>
            </div>
            <div className="muted timeout-chain__detail">
              <span>{t(`timeouts.chain.measures.${link.measure}`)}</span>
              {' · '}
              <span data-testid="link-effect">{t(`timeouts.chain.effects.${link.effect}`)}</span>
              {link.outsideContinues ? <span>{` · ${t('timeouts.chain.outsideContinues')}`}</span> : null}
              {link.condition ? (
                <span className="timeout-chain__condition">
                  {t('timeouts.chain.conditionNote', {
                    condition: t(`timeouts.chain.conditions.${link.condition}`),
                  })}
                </span>
              ) : null}
              {link.at ? (
                <span className="mono timeout-chain__at">{` ${link.at.file}:${link.at.line}`}</span>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
      {chain.effective ? (
        <p className="timeout-chain__effective" data-testid="chain-effective">
          {t('timeouts.chain.effective', {
            seconds: chain.effective.seconds,
            by: chain.effective.by
              .map((id) =>
                nameOf(
                  chain.links.find((l) => l.id === id),
                  id,
                ),
              )
              .join(', '),
          })}
        </p>
      ) : null}
      {chain.warnings.map((w) => (
        <Callout key={`${w.code}-${w.link}`} data-warning={w.code}>
          {format(w)}
        </Callout>
      ))}
      {chain.notes.map((n) => (
        <p key={`${n.code}-${n.link}`} className="muted">
          {format(n)}
        </p>
      ))}

      <div className="timeout-fit" data-testid="chain-fit">
        <h3 className="timeout-fit__title">{t('timeouts.fit.title')}</h3>
        <label className="timeout-fit__target">
          <span>{t('timeouts.fit.target')}</span>
          <input
            className="input mono"
            value={target}
            placeholder={t('timeouts.fit.targetHint')}
            aria-invalid={target.trim() !== '' && targetSeconds === null}
            onChange={(e) => setTarget(e.target.value)}
          />
        </label>
        {target.trim() !== '' && targetSeconds === null ? (
          <p className="tone-bad">{t('timeouts.fit.badTarget')}</p>
        ) : null}
        {fit.error && targetSeconds !== null ? <ErrorBox error={fit.error} /> : null}
        {result ? (
          <div className="timeout-fit__result">
            <p className="timeout-fit__verdict" data-verdict={result.verdict}>
              {t(`timeouts.fit.verdicts.${result.verdict}`, {
                target: durationText(result.targetSeconds, t),
              })}
            </p>
            {result.steps.length > 0 ? (
              <>
                <h4 className="timeout-fit__subtitle">{t('timeouts.fit.changesTitle')}</h4>
                <ul className="timeout-fit__list" data-testid="fit-changes">
                  {result.steps.map((s) => (
                    <li key={s.key} className="mono" data-key={s.key}>
                      {t('timeouts.fit.step', {
                        key: s.key,
                        from: s.from ?? t('timeouts.fit.notSet', { seconds: s.fromSeconds ?? '?' }),
                        to: s.to,
                      })}
                    </li>
                  ))}
                </ul>
                <button type="button" className="button" onClick={() => onUseFit(result.changes)}>
                  {t('timeouts.fit.useDrafts')}
                </button>
              </>
            ) : (
              <p className="muted">{t('timeouts.fit.noChanges')}</p>
            )}
            {result.cannotChange.length > 0 ? (
              <>
                <h4 className="timeout-fit__subtitle">{t('timeouts.fit.cannotTitle')}</h4>
                <ul className="timeout-fit__list" data-testid="fit-cannot">
                  {result.cannotChange.map((b) => (
                    <li key={b.id} data-blocker={b.kind}>
                      {t(`timeouts.fit.blockers.${b.kind}`, {
                        name: nameOf(
                          chain.links.find((l) => l.id === b.id),
                          b.id,
                        ),
                        seconds: b.seconds ?? '?',
                        file: b.at?.file ?? '',
                        line: b.at?.line ?? '',
                        condition: b.condition ? t(`timeouts.chain.conditions.${b.condition}`) : '',
                      })}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
