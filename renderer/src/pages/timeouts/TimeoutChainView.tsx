import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChainResultDto } from '../../../../electron/env/contract';
import { Callout } from '../../components/Callout';
import './TimeoutChainView.css';

function seconds(value: number | null, unknown: string): string {
  return value === null ? unknown : `${value} s`;
}

/** The limits a long call passes through, the one that really ends it, and values that cannot matter. */
export function TimeoutChainView({
  chains,
  plugins,
  pluginDir,
  onPluginDir,
}: {
  chains: readonly ChainResultDto[];
  /** Registered plugin folders whose code limits can fill the plugin links. */
  plugins: ReadonlyArray<{ dir: string; label: string }>;
  pluginDir: string;
  onPluginDir: (dir: string) => void;
}) {
  const { t } = useTranslation();
  const [scenario, setScenario] = useState(chains[0]?.scenario ?? '');
  const chain = chains.find((c) => c.scenario === scenario) ?? chains[0];
  if (!chain) return null;
  const by = new Set(chain.effective?.by ?? []);
  const format = (m: { messageKey: string; params: Record<string, string | number> }) =>
    t(m.messageKey, m.params);

  return (
    <section className="panel timeout-chain" aria-labelledby="chain-title">
      <div className="panel__header">
        <h2 id="chain-title" className="panel__title">
          {t('timeouts.page.chainTitle')}
        </h2>
        <span className="spacer" />
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
        <label className="timeout-chain__pick">
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
      <ol className="timeout-chain__links">
        {chain.links.map((link) => (
          <li
            key={link.id}
            className={
              by.has(link.id) ? 'timeout-chain__link timeout-chain__link--cuts' : 'timeout-chain__link'
            }
            data-link={link.id}
          >
            <span className="timeout-chain__name">{t(link.titleKey)}</span>
            <span className="mono timeout-chain__id">{link.kind === 'env' ? link.id : ''}</span>
            <span className="mono timeout-chain__value">
              {seconds(link.seconds, t('timeouts.page.unknown'))}
            </span>
            {link.source === 'default' ? <span className="tag">{t('timeouts.page.defaultTag')}</span> : null}
          </li>
        ))}
      </ol>
      {chain.effective ? (
        <p className="timeout-chain__effective" data-testid="chain-effective">
          {t('timeouts.chain.effective', {
            seconds: chain.effective.seconds,
            by: chain.effective.by.join(', '),
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
    </section>
  );
}
