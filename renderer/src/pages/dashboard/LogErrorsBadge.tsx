import { useTranslation } from 'react-i18next';
import type { LogsOpenRequest, LogsSummary } from '../../../../electron/contract';
import { invoke } from '../../api';
import { Icon } from '../../components/Icon';
import { PLUGIN_DAEMON, serviceSource, sourceKey } from '../../lib/log-sources';
import './LogErrorsBadge.css';

/**
 * The plugin daemon's quiet error badge (the snapshot's `logs` part): nothing while there is no new
 * error; otherwise how many, as a button that opens the daemon's log at the last one and tells main
 * the user has seen them (the badge goes until the next error, here and on the tray).
 */
export function LogErrorsBadge({
  summary,
  onOpen,
}: {
  summary: LogsSummary | null;
  onOpen: (request: LogsOpenRequest) => void;
}) {
  const { t } = useTranslation();
  if (!summary || summary.errors === 0) return null;
  const source = serviceSource(summary.last?.service ?? PLUGIN_DAEMON);
  const open = () => {
    const last = summary.last;
    onOpen({
      sources: [source],
      at: last ? { key: sourceKey(source), at: last.at, text: last.text } : null,
    });
    // The badge is cosmetic: if main cannot be told, it stays until the next look; nothing to show.
    void invoke('logs:ackErrors', {}).catch(() => undefined);
  };
  return (
    <button
      type="button"
      className="log-errors-badge"
      title={t('logs.badge.hint')}
      data-log-errors={summary.errors}
      onClick={open}
    >
      <Icon name="alert" />
      {t('logs.badge.errors', { count: summary.errors })}
    </button>
  );
}
