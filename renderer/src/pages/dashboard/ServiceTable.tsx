import { useTranslation } from 'react-i18next';
import type { ServiceStatus } from '../../../../electron/contract';
import { shortContainerId } from '../../lib/status';
import { HealthBadge, ServiceStateBadge } from '../../components/Badge';
import { Icon } from '../../components/Icon';
import './ServiceTable.css';

/** The services of a compose project, in the order the stack reports them (the project's own list). */
export function ServiceTable({
  services,
  canRestart,
  onRestart,
  onOpenLogs,
}: {
  services: readonly ServiceStatus[];
  canRestart: boolean;
  onRestart: (service: string) => void;
  /** The service's log in the viewer. */
  onOpenLogs: (service: string) => void;
}) {
  const { t } = useTranslation();
  if (services.length === 0) return <p className="muted">{t('dashboard.services.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="service-table">
        <caption className="visually-hidden">{t('dashboard.services.caption')}</caption>
        <colgroup>
          <col className="col-name" />
          <col className="col-state" />
          <col className="col-health" />
          <col className="col-id" />
          <col className="col-exit" />
          <col className="col-action" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.services.name')}</th>
            <th scope="col">{t('dashboard.services.state')}</th>
            <th scope="col">{t('dashboard.services.health')}</th>
            <th scope="col">{t('dashboard.services.container')}</th>
            <th scope="col">{t('dashboard.services.exitCode')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('dashboard.services.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.name} data-service={s.name}>
              <th scope="row" className="service-name">
                <span className="mono">{s.name}</span>
                {s.oneShot ? (
                  <span className="tag" title={t('dashboard.services.oneShotHint')}>
                    {t('dashboard.services.oneShot')}
                  </span>
                ) : null}
              </th>
              <td>
                <ServiceStateBadge service={s} />
              </td>
              <td>
                <HealthBadge health={s.health} />
              </td>
              <td className="mono muted" title={s.containerId || undefined}>
                {s.containerId ? shortContainerId(s.containerId) : <span className="placeholder">—</span>}
              </td>
              <td className="mono num">{s.state === 'exited' && s.exitCode !== null ? s.exitCode : ''}</td>
              <td className="cell-action">
                {/* The icon alone: the row has little room, the name says which log (and shows on hover). */}
                <button
                  type="button"
                  className="button button--small button--icon"
                  onClick={() => onOpenLogs(s.name)}
                  aria-label={t('logs.open.service', { name: s.name })}
                  title={t('logs.open.service', { name: s.name })}
                >
                  <Icon name="logs" />
                </button>
                <button
                  type="button"
                  className="button button--small"
                  // `compose restart` has nothing to restart before `up` created the container.
                  disabled={!canRestart || s.state === 'missing'}
                  onClick={() => onRestart(s.name)}
                  aria-label={t('dashboard.services.restartLabel', { service: s.name })}
                  title={
                    s.state === 'missing'
                      ? t('dashboard.services.restartMissing', { service: s.name })
                      : undefined
                  }
                >
                  {t('dashboard.services.restart')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
