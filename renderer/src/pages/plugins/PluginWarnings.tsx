import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PluginProjectDto } from '../../../../electron/plugins/contract';
import { Icon } from '../../components/Icon';
import './PluginWarnings.css';

type Warning = PluginProjectDto['warnings'][number];

/** A card stays readable with many warnings: the rest folds behind "+N more". */
const SHOWN = 3;

/**
 * Where the text holds a command to copy (the uv export line), it is set apart in monospace on its own
 * line instead of running on inside the sentence.
 */
const COMMAND_MARK = '\u2063';

/**
 * What Dify accepts but the user should know before an upload, in the warning tone: unlike problems
 * they never disable Package or Reinstall.
 */
export function PluginWarnings({ warnings }: { warnings: readonly Warning[] }) {
  const { t } = useTranslation();
  const [all, setAll] = useState(false);
  if (warnings.length === 0) return null;
  const shown = all ? warnings : warnings.slice(0, SHOWN);
  const hidden = warnings.length - shown.length;

  const line = (w: Warning): ReactNode => {
    const command = w.params.command;
    if (command === undefined) return t(`plugins.warnings.${w.code}`, w.params);
    const parts = t(`plugins.warnings.${w.code}`, { ...w.params, command: COMMAND_MARK }).split(COMMAND_MARK);
    return parts.map((part, i) => (
      <span key={i}>
        {part}
        {i < parts.length - 1 ? <code className="plugin-warnings__command">{String(command)}</code> : null}
      </span>
    ));
  };

  return (
    <div className="plugin-warnings" data-field="warnings">
      <Icon name="alert" className="plugin-warnings__icon" />
      <div className="plugin-warnings__body">
        <p className="plugin-warnings__title">{t('plugins.card.warnings', { count: warnings.length })}</p>
        <ul className="plugin-warnings__list">
          {shown.map((w, i) => (
            <li key={i} data-warning={w.code}>
              {line(w)}
              {w.line ? <span className="muted"> {t('plugins.card.line', { line: w.line })}</span> : null}
            </li>
          ))}
        </ul>
        {warnings.length > SHOWN ? (
          <button
            type="button"
            className="button button--quiet button--small plugin-warnings__more"
            aria-expanded={all}
            onClick={() => setAll(!all)}
          >
            {all ? t('plugins.card.fewerWarnings') : t('plugins.card.moreWarnings', { count: hidden })}
          </button>
        ) : null}
      </div>
    </div>
  );
}
