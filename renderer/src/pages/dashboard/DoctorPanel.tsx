import { useTranslation } from 'react-i18next';
import type { DoctorCheck, DoctorReport } from '../../../../electron/contract';
import { invoke } from '../../api';
import { Badge } from '../../components/Badge';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon, type IconName } from '../../components/Icon';
import { ShowDetails } from '../../components/ShowDetails';
import { useReasonText } from '../../hooks/useErrorText';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import type { Tone } from '../../lib/status';
import './DoctorPanel.css';

const OUTCOME_LOOK: Record<DoctorCheck['outcome'], { tone: Tone; icon: IconName }> = {
  ok: { tone: 'ok', icon: 'check' },
  failed: { tone: 'bad', icon: 'cross' },
  skipped: { tone: 'idle', icon: 'dash' },
};

/**
 * Can Dify's containers reach Ollama and A1111? The last report (main runs one after Start), and a
 * button that checks again from inside a running Dify container. `refreshKey` changes when a job
 * finishes: the report is read again then, since a Start may have written a new one.
 */
export function DoctorPanel({ refreshKey }: { refreshKey: string | null }) {
  const { t, i18n } = useTranslation();
  const last = useQuery(() => invoke('doctor:last', {}), [refreshKey]);
  const { pending, actionError, dismissError, run } = usePendingAction();
  const { update } = last;
  const check = () =>
    run('doctor', async () => {
      const report = await invoke('doctor:run', {});
      update(() => report);
    });
  const report = last.data;
  const checking = pending === 'doctor';

  return (
    <section className="panel doctor" aria-labelledby="doctor-title" aria-busy={checking}>
      <div className="panel__header">
        <h2 id="doctor-title" className="panel__title">
          {t('dashboard.doctor.title')}
        </h2>
        {report && !checking ? <ReportBadge report={report} /> : null}
        {report && !checking ? (
          <span className="muted doctor__time">
            {t('dashboard.doctor.checkedAt', {
              time: new Date(report.finishedAt).toLocaleTimeString(i18n.language),
            })}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" className="button" disabled={checking} onClick={() => void check()}>
          <Icon name={checking ? 'spinner' : 'search'} />
          {t('dashboard.doctor.run')}
        </button>
      </div>
      <p className="muted doctor__intro" aria-live="polite">
        {checking
          ? t('dashboard.doctor.checking')
          : report === null
            ? t('dashboard.doctor.none')
            : report.container
              ? t('dashboard.doctor.from', { container: containerName(report, t) })
              : t('dashboard.doctor.noContainer')}
      </p>
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {last.error ? <ErrorBox error={last.error} /> : null}
      {report && !checking ? <ReportBody report={report} /> : null}
    </section>
  );
}

function ReportBadge({ report }: { report: DoctorReport }) {
  const { t } = useTranslation();
  return report.ok ? (
    <Badge tone="ok" icon="check" label={t('dashboard.doctor.ok')} />
  ) : (
    <Badge tone="bad" icon="cross" label={t('dashboard.doctor.failed')} />
  );
}

function ReportBody({ report }: { report: DoctorReport }) {
  const { t } = useTranslation();
  return (
    <>
      {report.error ? <ErrorBox error={report.error} /> : null}
      {report.checks.length > 0 ? (
        <ul className="doctor-checks" aria-label={t('dashboard.doctor.checks')}>
          {report.checks.map((c) => (
            <CheckRow key={`${c.id}:${c.from}`} check={c} />
          ))}
        </ul>
      ) : null}
    </>
  );
}

function CheckRow({ check }: { check: DoctorCheck }) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const look = OUTCOME_LOOK[check.outcome];
  // The cause in the user's language when this build has its text; main's English line otherwise.
  // Cause keys are relative to `doctor.causes` (electron/processes/doctor-causes.ts).
  const causeKey = check.cause ? { ...check.cause, key: `doctor.causes.${check.cause.key}` } : null;
  const cause = check.outcome === 'ok' ? null : (reasonText(causeKey) ?? check.detail);
  return (
    <li className="doctor-check" data-check={check.id} data-outcome={check.outcome}>
      <Badge tone={look.tone} icon={look.icon} label={t(`dashboard.doctor.outcome.${check.outcome}`)} />
      <div className="doctor-check__body">
        <p className="doctor-check__what">
          <strong>{t(`stack.component.${check.component}`)}</strong>
          <span className="muted">
            {/* Its own key: "このコンピューターから" takes no space, "plugin_daemon から" does. */}
            {check.from === 'host'
              ? t('dashboard.doctor.fromHost')
              : t('dashboard.doctor.fromWhere', { from: check.from })}
          </span>
          {check.status !== null ? (
            <span className="muted">{t('dashboard.doctor.status', { status: check.status })}</span>
          ) : null}
        </p>
        <p className="mono doctor-check__url">{check.url}</p>
        {cause ? <p className="doctor-check__cause">{cause}</p> : null}
        {check.output?.trim() ? <ShowDetails text={check.output.trim()} /> : null}
      </div>
    </li>
  );
}

/** The service the checks ran in (plugin_daemon, api) and the container's short id, as `docker ps` shows it. */
function containerName(
  report: DoctorReport,
  t: (key: string, params: Record<string, string>) => string,
): string {
  const service = report.checks.find((c) => c.from !== 'host' && c.from !== 'container')?.from;
  const id = (report.container ?? '').slice(0, 12);
  // The parentheses of the reader's language: "plugin_daemon (5d555ff7b0e7)" / "plugin_daemon（5d555ff7b0e7）".
  return service ? t('common.aside', { text: service, aside: id }) : id;
}
