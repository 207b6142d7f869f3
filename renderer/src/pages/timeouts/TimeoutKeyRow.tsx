import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimeoutKeyView } from '../../../../electron/env/contract';
import { Badge } from '../../components/Badge';
import { readerLabel } from './timeout-panel';
import './TimeoutKeyRow.css';

/** One timeout: what it limits, the value in effect and where it comes from, who reads it, the new value. */
export function TimeoutKeyRow({
  info,
  draft,
  error,
  onDraft,
}: {
  info: TimeoutKeyView;
  draft: string | undefined;
  error: { key: string; params: Record<string, string | number> } | undefined;
  onDraft: (value: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const inputId = useId();
  const errorId = useId();
  const unit = t(`timeouts.units.${info.unit}`);
  const source =
    info.source === 'file' && info.file
      ? t('timeouts.source.file', { file: info.file })
      : t(`timeouts.source.${info.source}`);
  const changed = draft !== undefined;
  const shadowed = info.settings.filter((s) => s.effect === 'shadowed');

  return (
    <tr data-key={info.key} className={changed ? 'timeout-row timeout-row--changed' : 'timeout-row'}>
      <th scope="row" className="timeout-row__name">
        <label htmlFor={inputId} className="timeout-row__title">
          {t(`timeouts.keys.${info.key}.title`)}
        </label>
        <span className="mono timeout-row__key">{info.key}</span>
        <details className="timeout-row__explain">
          <summary>{t('timeouts.page.explain')}</summary>
          <p>{t(`timeouts.keys.${info.key}.explanation`)}</p>
          {info.location === 'override' ? <p className="muted">{t('timeouts.page.overrideOnly')}</p> : null}
        </details>
      </th>
      <td className="timeout-row__current">
        <span className="mono" data-testid="current">
          {info.value ?? t('timeouts.page.notPassed', { value: info.defaultValue })}
        </span>
        <span className="muted timeout-row__source">{source}</span>
        <span className="muted timeout-row__default">
          {t('timeouts.page.default', { value: info.defaultValue })}
        </span>
      </td>
      <td className="timeout-row__readers">
        {info.readers.length > 0 ? (
          <span>{info.readers.map((r) => readerLabel(info, r)).join(', ')}</span>
        ) : (
          <span className="muted">{t('timeouts.page.noReaders')}</span>
        )}
        {info.noEffect ? (
          <span className="timeout-row__noeffect">
            <Badge tone="warn" icon="alert" label={t('timeouts.page.noEffectBadge')} />
            <span className="timeout-row__reason">
              {t(`timeouts.noEffect.${info.noEffect.reason}`, {
                by: info.noEffect.by ?? '',
                files: info.noEffect.files.join(', '),
              })}
              {shadowed.length > 0
                ? ' ' + t('timeouts.page.shadowedIn', { files: shadowed.map((s) => s.file).join(', ') })
                : ''}
            </span>
          </span>
        ) : null}
        {info.invalid ? (
          <span className="tone-bad timeout-row__reason">
            {t('timeouts.page.currentInvalid', { reason: t(info.invalid.key, info.invalid.params) })}
          </span>
        ) : null}
      </td>
      <td className="timeout-row__edit">
        <div className="timeout-row__input">
          <input
            id={inputId}
            className="input mono"
            value={draft ?? ''}
            placeholder={info.value ?? info.defaultValue}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? errorId : undefined}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onDraft(e.target.value === '' ? undefined : e.target.value)}
          />
          <span className="muted timeout-row__unit" title={unit}>
            {info.unit === 'nginx' ? 'nginx' : unit}
          </span>
        </div>
        {error ? (
          <span id={errorId} className="tone-bad timeout-row__error" role="alert">
            {t(error.key, error.params)}
          </span>
        ) : null}
        {changed && !error && info.suggestedFile ? (
          <span className="muted timeout-row__target">
            {info.suggestedReason
              ? t('common.aside', {
                  text: t('timeouts.page.writesTo', { file: info.suggestedFile }),
                  aside: t(`timeouts.placement.${info.suggestedReason}`),
                })
              : t('timeouts.page.writesTo', { file: info.suggestedFile })}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
