import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogSource, LogSourceInfo } from '../../../../electron/contract';
import { sourceKey } from '../../lib/log-sources';
import { useSourceName } from './source-names';

/**
 * Which logs the view shows: a toggle per source main offers (the project's services, Ollama, A1111,
 * a plugin's debug run), several at once, each chosen one in its colour (the colour of its rows).
 */
export const SourcePicker = memo(function SourcePicker({
  available,
  chosen,
  colours,
  ended,
  onToggle,
}: {
  available: readonly LogSourceInfo[];
  chosen: readonly LogSource[];
  colours: ReadonlyMap<string, number>;
  ended: ReadonlySet<string>;
  onToggle: (source: LogSource, on: boolean) => void;
}) {
  const { t } = useTranslation();
  const nameOf = useSourceName();
  const chosenKeys = new Set(chosen.map(sourceKey));
  // A source asked for by a request (a plugin's run that started after the list was read) shows too.
  const listed = new Set(available.map((a) => a.key));
  const extra: LogSourceInfo[] = chosen
    .filter((s) => !listed.has(sourceKey(s)))
    .map((source) => ({ source, key: sourceKey(source), state: 'running', detail: null }));
  return (
    <div className="logs-sources" role="group" aria-label={t('logs.sources.label')}>
      {[...available, ...extra].map((info) => {
        const on = chosenKeys.has(info.key);
        const slot = colours.get(info.key);
        const note =
          info.state !== 'running'
            ? t(`logs.sources.state.${info.state}`)
            : ended.has(info.key)
              ? t('logs.sources.ended')
              : null;
        return (
          <button
            key={info.key}
            type="button"
            className="logs-chip logs-source"
            aria-pressed={on}
            data-source={info.key}
            data-state={info.state}
            title={info.detail ?? undefined}
            onClick={() => onToggle(info.source, !on)}
          >
            <span
              className={on && slot !== undefined ? `logs-source__dot log-src-${slot}` : 'logs-source__dot'}
              aria-hidden="true"
            />
            <span className={info.source.kind === 'service' ? 'mono' : undefined}>{nameOf(info.source)}</span>
            {note ? <span className="logs-source__note">{note}</span> : null}
          </button>
        );
      })}
    </div>
  );
});
