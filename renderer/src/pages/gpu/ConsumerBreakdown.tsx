import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuConsumer } from '../../../../electron/contract';
import { Icon } from '../../components/Icon';
import {
  consumerSegments,
  formatGb,
  isSpilled,
  orderConsumers,
  type ConsumerSegment,
  type VramUse,
} from '../../lib/gpu';
import type { GpuAction } from './gpu-actions';
import './ConsumerBreakdown.css';

export interface ConsumerActions {
  /** The action in flight (its button says so; every other one waits), or null. */
  pending: GpuAction | null;
  /** A1111 runs (its checkpoint can be unloaded or loaded again) even when it holds no VRAM now. */
  a1111Running: boolean;
  run(action: GpuAction): void;
}

/** The i18n key of a holder's kind (`gpu.page.consumers.kinds.*`). */
function kindKey(kind: ConsumerSegment['kind']): string {
  return `gpu.page.consumers.kinds.${kind === 'ollama-model' ? 'ollamaModel' : kind}`;
}

/** Ollama's models take turns in three shades of the accent, the same in the bar and the table. */
function partClass(kind: ConsumerSegment['kind'], shade: number): string {
  return `vram-part--${kind}${kind === 'ollama-model' ? ` vram-part--shade${shade % 3}` : ''}`;
}

function sameAction(a: GpuAction | null, b: GpuAction): boolean {
  return a !== null && a.kind === b.kind && (a.kind !== 'model' || b.kind !== 'model' || a.name === b.name);
}

/**
 * Who holds the VRAM: a stacked bar (each holder's share, then what is free) and the same holders as a
 * table with their GB and what can be done — unload one Ollama model or all of them, unload or reload
 * A1111's checkpoint. A model partly in system RAM says so: it runs partly on the CPU, slowly.
 */
export function ConsumerBreakdown({
  consumers,
  use,
  actions,
}: {
  consumers: readonly GpuConsumer[];
  use: VramUse;
  actions: ConsumerActions;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const rows = orderConsumers(consumers);
  const segments = consumerSegments(consumers, use);
  const models = rows.filter((c) => c.kind === 'ollama-model');
  const hasA1111 = actions.a1111Running || rows.some((c) => c.kind === 'a1111');
  const busy = actions.pending !== null;
  const shade = (name: string) => models.findIndex((m) => m.name === name);

  const button = (action: GpuAction, label: string, working: string, accessibleName?: string) => {
    const running = sameAction(actions.pending, action);
    return (
      <button
        type="button"
        className="button button--small"
        disabled={busy}
        aria-label={accessibleName}
        data-gpu-action={action.kind}
        onClick={() => actions.run(action)}
      >
        {running ? <Icon name="spinner" /> : null}
        {running ? working : label}
      </button>
    );
  };

  return (
    <>
      {segments.length > 0 ? (
        <div className="vram-bar" aria-hidden="true">
          {segments.map((s) => (
            <span
              key={s.key}
              className={`vram-bar__part ${partClass(s.kind, shade(s.name))}`}
              style={{ flexBasis: `${(s.share * 100).toFixed(3)}%` }}
              title={`${s.kind === 'free' ? t(kindKey('free')) : s.name} — ${formatGb(s.mib, lang)} GB`}
            />
          ))}
        </div>
      ) : null}

      {models.length > 0 ? (
        <div className="toolbar">
          {button(
            { kind: 'allModels' },
            t('gpu.page.consumers.unloadAll'),
            t('gpu.page.consumers.unloading'),
          )}
        </div>
      ) : null}

      {rows.length === 0 && !hasA1111 ? (
        <p className="muted">{t('gpu.page.consumers.none')}</p>
      ) : (
        <table className="consumer-table">
          <caption className="visually-hidden">{t('gpu.page.consumers.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('gpu.page.consumers.holder')}</th>
              <th scope="col" className="num">
                {t('gpu.page.consumers.vram')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('gpu.page.consumers.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={`${c.kind}:${c.name}`} data-consumer-kind={c.kind} data-consumer-name={c.name}>
                <th scope="row">
                  <span className={`vram-swatch ${partClass(c.kind, shade(c.name))}`} aria-hidden="true" />
                  <span className={c.kind === 'ollama-model' ? 'mono' : undefined}>
                    {c.kind === 'ollama-model' ? c.name : t(kindKey(c.kind))}
                  </span>
                  {c.kind === 'ollama-model' ? <span className="tag">Ollama</span> : null}
                  {isSpilled(c) ? (
                    <span className="consumer-table__spilled" data-spilled={c.spilled ?? 0}>
                      <Icon name="alert" />
                      {t('gpu.page.consumers.spilled', { size: formatGb(c.spilled, lang) })}
                    </span>
                  ) : null}
                </th>
                <td className="num">
                  {c.vram === null ? '—' : t('gpu.page.gb', { size: formatGb(c.vram, lang) })}
                </td>
                <td className="consumer-table__actions">
                  {c.kind === 'ollama-model'
                    ? button(
                        { kind: 'model', name: c.name },
                        t('gpu.page.consumers.unload'),
                        t('gpu.page.consumers.unloading'),
                        t('gpu.page.consumers.unloadModel', { name: c.name }),
                      )
                    : null}
                  {c.kind === 'a1111' ? <A1111Buttons button={button} /> : null}
                </td>
              </tr>
            ))}
            {hasA1111 && !rows.some((c) => c.kind === 'a1111') ? (
              <tr data-consumer-kind="a1111" data-consumer-name="">
                <th scope="row">
                  <span className={`vram-swatch ${partClass('a1111', 0)}`} aria-hidden="true" />
                  {t(kindKey('a1111'))}
                </th>
                <td className="num">—</td>
                <td className="consumer-table__actions">
                  <A1111Buttons button={button} />
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
      {models.length === 0 ? <p className="muted">{t('gpu.page.consumers.noModels')}</p> : null}
    </>
  );
}

function A1111Buttons({
  button,
}: {
  button: (action: GpuAction, label: string, working: string) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <>
      {button(
        { kind: 'unloadCheckpoint' },
        t('gpu.page.consumers.unloadCheckpoint'),
        t('gpu.page.consumers.unloading'),
      )}
      {button(
        { kind: 'reloadCheckpoint' },
        t('gpu.page.consumers.reloadCheckpoint'),
        t('gpu.page.consumers.reloading'),
      )}
    </>
  );
}
