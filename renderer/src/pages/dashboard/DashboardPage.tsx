import { useTranslation } from 'react-i18next';
import { invoke } from '../../api';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { JobPanel } from '../../components/JobPanel';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { currentJob } from '../../lib/jobs';
import { dashboardProblems, findComponent, stackControls, type DashboardProblem } from '../../lib/status';
import type { PageProps } from '../page-types';
import { ComponentCard } from './ComponentCard';
import './DashboardPage.css';

/** The stack at a glance: each component and its services, start/stop, what blocks it, the last job. */
export function DashboardPage({
  snapshot,
  jobs,
  appInfo,
  settingsView,
  app,
}: PageProps<'snapshot' | 'jobs' | 'appInfo' | 'settingsView'>) {
  const { t, i18n } = useTranslation();
  const configuredDir = settingsView.settings.difyDir;
  const { pending, actionError, dismissError, run } = usePendingAction();

  const problems = dashboardProblems(snapshot, configuredDir);
  const controls = stackControls({ snapshot, jobs, platform: appInfo.platform, configuredDir });
  const job = currentJob(jobs);

  const refresh = () => run('refresh', async () => app.acceptSnapshot(await invoke('status:refresh', {})));
  const updated = new Date(snapshot.updatedAt).toLocaleTimeString(i18n.language);

  return (
    <>
      <PageHeader title={t('dashboard.title')}>
        <span className="muted header-time">{t('dashboard.updatedAt', { time: updated })}</span>
        <button
          type="button"
          className="button"
          onClick={() => void refresh()}
          disabled={pending === 'refresh'}
        >
          <Icon name="refresh" />
          {t('dashboard.refresh')}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void run('open', () => invoke('app:openDify', {}))}
          disabled={pending === 'open'}
        >
          <Icon name="external" />
          {t('dashboard.openDify')}
        </button>
      </PageHeader>

      <div className="toolbar" role="group" aria-label={t('dashboard.stackControls')}>
        <button
          type="button"
          className="button button--primary"
          disabled={!controls.canStart || pending !== null}
          onClick={() => void run('start', () => invoke('stack:start', {}))}
        >
          <Icon name="play" />
          {t('dashboard.start')}
        </button>
        <button
          type="button"
          className="button"
          disabled={!controls.canStop || pending !== null}
          onClick={() => void run('stop', () => invoke('stack:stop', {}))}
        >
          <Icon name="stop" />
          {t('dashboard.stop')}
        </button>
        <span className="muted toolbar__hint" aria-live="polite">
          {controls.busy ? t('dashboard.busy') : ''}
        </span>
      </div>

      {problems.map((p) => (
        <ProblemCallout
          key={p}
          problem={p}
          params={findComponent(snapshot, 'dify')?.error?.params ?? {}}
          platform={appInfo.platform}
          onOpenSettings={() => app.openPage('settings')}
          onRefresh={() => void refresh()}
        />
      ))}

      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}

      <div className="cards">
        {snapshot.components.map((c) => (
          <ComponentCard
            key={c.id}
            component={c}
            project={snapshot.project}
            problems={problems}
            canRestart={controls.canRestartService && pending === null}
            onRestart={(service) =>
              void run(`restart:${service}`, () => invoke('stack:restartService', { service }))
            }
          />
        ))}
      </div>

      <JobPanel
        job={job}
        cancelling={pending === 'cancel'}
        onCancel={(jobId) => void run('cancel', () => invoke('jobs:cancel', { jobId }))}
      />
    </>
  );
}

/** A blocking problem, said plainly, with the one action that fixes it. */
function ProblemCallout({
  problem,
  params,
  platform,
  onOpenSettings,
  onRefresh,
}: {
  problem: DashboardProblem;
  /** The error's own parameters (which projects were found). */
  params: Record<string, unknown>;
  platform: string;
  onOpenSettings: () => void;
  onRefresh: () => void;
}) {
  const { t } = useTranslation();
  const body =
    problem === 'dockerDown'
      ? t(
          platform === 'win32'
            ? 'dashboard.problems.dockerDown.bodyWindows'
            : 'dashboard.problems.dockerDown.body',
        )
      : t(`dashboard.problems.${problem}.body`, params);
  return (
    <Callout
      role="status"
      data-problem={problem}
      title={t(`dashboard.problems.${problem}.title`)}
      action={
        problem !== 'dockerDown' ? (
          <button type="button" className="button button--primary" onClick={onOpenSettings}>
            <Icon name="settings" />
            {t(`dashboard.problems.${problem}.action`)}
          </button>
        ) : (
          <button type="button" className="button" onClick={onRefresh}>
            <Icon name="refresh" />
            {t('dashboard.refresh')}
          </button>
        )
      }
    >
      <p>{body}</p>
    </Callout>
  );
}
