import { memo, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { LEVEL_CHOICES, type LevelChoice, type SearchQuery } from './log-model';

export interface ViewOptions {
  timestamps: boolean;
  wrap: boolean;
}

/** The search's toggles, shown as the symbols editors use for them. */
const SEARCH_OPTIONS = [
  { option: 'caseSensitive', symbol: 'Aa' },
  { option: 'regex', symbol: '.*' },
] as const;

const STEPS = [
  { direction: -1, icon: 'up', label: 'previous' },
  { direction: 1, icon: 'down', label: 'next' },
] as const;

/** Where the search stands: how many shown entries match, which one is current, or why it cannot run. */
export interface SearchState {
  total: number;
  /** 0-based place of the current match, or null before the first step. */
  current: number | null;
  error: string | null;
}

/**
 * The search (text or regex, case, count, previous/next with Shift+Enter/Enter), the level chips, and
 * the view's toggles. Stateless: the page holds the query, the levels and the options.
 */
export const LogToolbar = memo(function LogToolbar({
  query,
  search,
  levels,
  options,
  onQuery,
  onStep,
  onLevels,
  onOptions,
}: {
  query: SearchQuery;
  search: SearchState;
  levels: ReadonlySet<LevelChoice>;
  options: ViewOptions;
  onQuery: (query: SearchQuery) => void;
  onStep: (direction: 1 | -1) => void;
  onLevels: (levels: ReadonlySet<LevelChoice>) => void;
  onOptions: (options: ViewOptions) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const toggleLevel = (level: LevelChoice) => {
    const next = new Set(levels);
    if (next.has(level)) next.delete(level);
    else next.add(level);
    onLevels(next);
  };
  let countText = '';
  if (search.error !== null) countText = t('logs.search.invalid', { reason: search.error });
  else if (query.text !== '' && search.total === 0) countText = t('logs.search.none');
  else if (query.text !== '' && search.current !== null)
    countText = t('logs.search.position', { current: search.current + 1, total: search.total });
  else if (query.text !== '') countText = t('logs.search.total', { count: search.total });

  return (
    <div className="logs-toolbar">
      <div className="logs-search" role="search">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          {t('logs.search.label')}
        </label>
        <span className="logs-search__box">
          <Icon name="search" className="logs-search__icon" />
          <input
            id={`${id}-q`}
            className="input logs-search__input"
            type="search"
            value={query.text}
            placeholder={t('logs.search.placeholder')}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={search.error !== null}
            aria-describedby={`${id}-count`}
            onChange={(e) => onQuery({ ...query, text: e.target.value })}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              onStep(e.shiftKey ? -1 : 1);
            }}
          />
        </span>
        {SEARCH_OPTIONS.map(({ option, symbol }) => (
          <button
            key={option}
            type="button"
            className="logs-chip logs-chip--mono"
            aria-pressed={query[option]}
            title={t(`logs.search.${option}`)}
            aria-label={t(`logs.search.${option}`)}
            onClick={() => onQuery({ ...query, [option]: !query[option] })}
          >
            {symbol}
          </button>
        ))}
        {STEPS.map(({ direction, icon, label }) => (
          <button
            key={label}
            type="button"
            className="button button--small button--quiet"
            disabled={search.total === 0}
            aria-label={t(`logs.search.${label}`)}
            title={t(`logs.search.${label}`)}
            onClick={() => onStep(direction)}
          >
            <Icon name={icon} />
          </button>
        ))}
        <span
          id={`${id}-count`}
          className={search.error !== null ? 'logs-search__count tone-bad' : 'logs-search__count muted'}
          role="status"
          data-matches={search.error === null ? search.total : undefined}
        >
          {countText}
        </span>
      </div>

      <div className="logs-toolbar__row">
        <div className="logs-levels" role="group" aria-label={t('logs.levels.label')}>
          {LEVEL_CHOICES.map((level) => (
            <button
              key={level}
              type="button"
              className={`logs-chip logs-level logs-level--${level}`}
              aria-pressed={levels.has(level)}
              data-level={level}
              onClick={() => toggleLevel(level)}
            >
              {t(`logs.levels.${level}`)}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <label className="logs-check">
          <input
            type="checkbox"
            checked={options.timestamps}
            onChange={(e) => onOptions({ ...options, timestamps: e.target.checked })}
          />
          {t('logs.view.timestamps')}
        </label>
        <label className="logs-check">
          <input
            type="checkbox"
            checked={options.wrap}
            onChange={(e) => onOptions({ ...options, wrap: e.target.checked })}
          />
          {t('logs.view.wrap')}
        </label>
      </div>
    </div>
  );
});
