import { useTranslation } from 'react-i18next';
import type { ComponentId, ComponentStatus, LogSource } from '../../../../electron/contract';
import { invoke } from '../../api';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { JobPanel } from '../../components/JobPanel';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { currentJob } from '../../lib/jobs';
import { openRequest, serviceSource } from '../../lib/log-sources';
import { cardControls, inStackOrder, setupProblem, wholeStackControls } from '../../lib/processes';
import { dashboardProblems, findComponent, stackControls, type DashboardProblem } from '../../lib/status';
import type { PageProps } from '../page-types';
import { A1111Details } from './A1111Details';
import { ComponentCard } from './ComponentCard';
import { DoctorPanel } from './DoctorPanel';
import { LogErrorsBadge } from './LogErrorsBadge';
import { OllamaDetails } from './OllamaDetails';
import { SetupPanel } from './SetupPanel';
import './DashboardPage.css';

/**
 * The stack at a glance: each component in the order Start walks it (engine, Ollama, A1111, Dify) with
 * its own Start/Stop, the whole stack's Start/Stop, what blocks it, the last job, and whether Dify
 * reaches the model servers.
 */
export function DashboardPage({
  snapshot,
  jobs,
  appInfo,
  settingsView,
  app,
}: PageProps<'snapshot' | 'jobs' | 'appInfo' | 'settingsView'>) {
  const { t, i18n } = useTranslation();
  const settings = settingsView.settings;
  const { pending, actionError, dismissError, run } = usePendingAction();

  const problems = dashboardProblems(snapshot, settings.difyDir);
  const stackInput = { snapshot, jobs, platform: appInfo.platform, settings };
  const controls = wholeStackControls(stackInput);
  const { canRestartService } = stackControls({ ...stackInput, configuredDir: settings.difyDir });
  const job = currentJob(jobs);
  // Without ids: the whole stack, in order (main reads which components from the settings).
  const start = (ids?: ComponentId[]) =>
    run(ids ? `start:${ids.join(',')}` : 'start', () => invoke('components:start', ids ? { ids } : {}));
  const stop = (ids?: ComponentId[]) =>
    run(ids ? `stop:${ids.join(',')}` : 'stop', () => invoke('components:stop', ids ? { ids } : {}));

  const cardOf = (c: ComponentStatus) => {
    const own = cardControls(c, stackInput);
    // One request at a time from this page: a click waits for main's answer (the job it queued).
    const idle = pending === null;
    // Ollama and A1111 have a log of their own (Dify's are its services', in the table).
    const ownLog: LogSource | null =
      c.id === 'ollama' ? { kind: 'ollama' } : c.id === 'a1111' ? { kind: 'a1111' } : null;
    return (
      <ComponentCard
        key={c.id}
        component={c}
        project={snapshot.project}
        problems={problems}
        controls={own && { ...own, canStart: own.canStart && idle, canStop: own.canStop && idle }}
        setup={setupProblem(c, settings)}
        canRestart={canRestartService && idle}
        actions={{
          onStart: () => void start([c.id]),
          onStop: () => void stop([c.id]),
          onOpenSettings: () => app.openPage('settings'),
          onRestart: (service) =>
            void run(`restart:${service}`, () => invoke('stack:restartService', { service })),
          onOpenServiceLogs: (service) => app.openLogs(openRequest([serviceSource(service)])),
          onOpenLogs: ownLog ? () => app.openLogs(openRequest([ownLog])) : undefined,
        }}
      >
        {c.id === 'ollama' ? <OllamaDetails component={c} /> : null}
        {c.id === 'a1111' ? <A1111Details component={c} /> : null}
      </ComponentCard>
    );
  };

  const refresh = () => run('refresh', async () => app.acceptSnapshot(await invoke('status:refresh', {})));
  const updated = new Date(snapshot.updatedAt).toLocaleTimeString(i18n.language);

  return (
    <>
      <PageHeader title={t('dashboard.title')}>
        <LogErrorsBadge summary={snapshot.logs} onOpen={app.openLogs} />
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
          onClick={() => void start()}
        >
          <Icon name="play" />
          {t('dashboard.start')}
        </button>
        <button
          type="button"
          className="button"
          disabled={!controls.canStop || pending !== null}
          onClick={() => void stop()}
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

      <SetupPanel view={settingsView} snapshot={snapshot} app={app} />

      <div className="cards">{inStackOrder(snapshot.components).map(cardOf)}</div>

      <JobPanel
        job={job}
        cancelling={pending === 'cancel'}
        onCancel={(jobId) => void run('cancel', () => invoke('jobs:cancel', { jobId }))}
        onOpenLogs={(sources) => app.openLogs(openRequest(sources))}
      />

      <DoctorPanel refreshKey={job && job.finishedAt !== null ? job.id : null} />
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
