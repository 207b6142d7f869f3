import { memo } from 'react';
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

/** Which of a row's actions is in flight ('model' for a model's Unload), or null. */
function runningKind(pending: GpuAction | null, consumer: GpuConsumer): GpuAction['kind'] | null {
  if (!pending) return null;
  if (pending.kind === 'model')
    return consumer.kind === 'ollama-model' && pending.name === consumer.name ? 'model' : null;
  if (pending.kind === 'allModels') return null;
  return consumer.kind === 'a1111' ? pending.kind : null;
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
  const ordered = orderConsumers(consumers);
  // A1111 running without a figure yet still gets its row: its checkpoint can be reloaded.
  const rows: GpuConsumer[] =
    actions.a1111Running && !ordered.some((c) => c.kind === 'a1111')
      ? [...ordered, { kind: 'a1111', name: '', vram: null, spilled: null }]
      : ordered;
  const segments = consumerSegments(consumers, use);
  const models = ordered.filter((c) => c.kind === 'ollama-model');
  const busy = actions.pending !== null;
  const shade = (name: string) => models.findIndex((m) => m.name === name);

  return (
    <>
      {segments.length > 0 ? (
        <div className="vram-bar" aria-hidden="true">
          {segments.map((s) => (
            <span
              key={s.key}
              className={`vram-bar__part ${partClass(s.kind, shade(s.name))}`}
              style={{ flexBasis: `${(s.share * 100).toFixed(3)}%` }}
              title={`${s.kind === 'free' ? t(kindKey('free')) : s.name} — ${t('gpu.page.gb', { size: formatGb(s.mib, lang) })}`}
            />
          ))}
        </div>
      ) : null}

      {models.length > 0 ? (
        <div className="toolbar">
          <ActionButton
            action={{ kind: 'allModels' }}
            label={t('gpu.page.consumers.unloadAll')}
            working={t('gpu.page.consumers.unloading')}
            running={actions.pending?.kind === 'allModels'}
            busy={busy}
            onRun={actions.run}
          />
        </div>
      ) : null}

      {rows.length === 0 ? (
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
              <th scope="col" className="consumer-table__actions">
                <span className="visually-hidden">{t('gpu.page.consumers.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <ConsumerRow
                key={`${c.kind}:${c.name}`}
                kind={c.kind}
                name={c.name}
                vram={c.vram}
                spilled={c.spilled}
                shade={shade(c.name)}
                busy={busy}
                running={runningKind(actions.pending, c)}
                onRun={actions.run}
              />
            ))}
          </tbody>
        </table>
      )}
      {models.length === 0 ? <p className="muted">{t('gpu.page.consumers.noModels')}</p> : null}
    </>
  );
}

interface RowProps {
  kind: GpuConsumer['kind'];
  name: string;
  vram: number | null;
  spilled: number | null;
  shade: number;
  busy: boolean;
  running: GpuAction['kind'] | null;
  onRun(action: GpuAction): void;
}

/**
 * One holder. Readings come every second but only "other" changes with each one (it is used − known),
 * so rows compare their values and the rest are not rendered again. `onRun` is left out of the
 * comparison: the page's handler only calls state setters and main, so an earlier one does the same.
 */
const ConsumerRow = memo(
  function ConsumerRow({ kind, name, vram, spilled, shade, busy, running, onRun }: RowProps) {
    const { t, i18n } = useTranslation();
    const lang = i18n.language;
    const consumer: GpuConsumer = { kind, name, vram, spilled };
    return (
      <tr data-consumer-kind={kind} data-consumer-name={name}>
        <th scope="row">
          <span className={`vram-swatch ${partClass(kind, shade)}`} aria-hidden="true" />
          <span className={kind === 'ollama-model' ? 'mono' : undefined}>
            {kind === 'ollama-model' ? name : t(kindKey(kind))}
          </span>
          {kind === 'ollama-model' ? <span className="tag">Ollama</span> : null}
          {isSpilled(consumer) ? (
            <span className="consumer-table__spilled" data-spilled={spilled ?? 0}>
              <Icon name="alert" />
              {t('gpu.page.consumers.spilled', { size: formatGb(spilled, lang) })}
            </span>
          ) : null}
        </th>
        <td className="num">{vram === null ? '—' : t('gpu.page.gb', { size: formatGb(vram, lang) })}</td>
        <td className="consumer-table__actions">
          {kind === 'ollama-model' ? (
            <ActionButton
              action={{ kind: 'model', name }}
              label={t('gpu.page.consumers.unload')}
              working={t('gpu.page.consumers.unloading')}
              accessibleName={t('gpu.page.consumers.unloadModel', { name })}
              running={running === 'model'}
              busy={busy}
              onRun={onRun}
            />
          ) : null}
          {kind === 'a1111' ? (
            <>
              <ActionButton
                action={{ kind: 'unloadCheckpoint' }}
                label={t('gpu.page.consumers.unloadCheckpoint')}
                working={t('gpu.page.consumers.unloading')}
                running={running === 'unloadCheckpoint'}
                busy={busy}
                onRun={onRun}
              />
              <ActionButton
                action={{ kind: 'reloadCheckpoint' }}
                label={t('gpu.page.consumers.reloadCheckpoint')}
                working={t('gpu.page.consumers.reloading')}
                running={running === 'reloadCheckpoint'}
                busy={busy}
                onRun={onRun}
              />
            </>
          ) : null}
        </td>
      </tr>
    );
  },
  (a, b) =>
    a.kind === b.kind &&
    a.name === b.name &&
    a.vram === b.vram &&
    a.spilled === b.spilled &&
    a.shade === b.shade &&
    a.busy === b.busy &&
    a.running === b.running,
);

/** One action's button: says what runs while it runs; every button waits while any action runs. */
function ActionButton({
  action,
  label,
  working,
  accessibleName,
  running,
  busy,
  onRun,
}: {
  action: GpuAction;
  label: string;
  working: string;
  accessibleName?: string;
  running: boolean;
  busy: boolean;
  onRun(action: GpuAction): void;
}) {
  return (
    <button
      type="button"
      className="button button--small"
      disabled={busy}
      aria-label={accessibleName}
      data-gpu-action={action.kind}
      onClick={() => onRun(action)}
    >
      {running ? <Icon name="spinner" /> : null}
      {running ? working : label}
    </button>
  );
}
