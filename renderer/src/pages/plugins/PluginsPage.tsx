import { useTranslation } from 'react-i18next';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { JobPanel } from '../../components/JobPanel';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import { openRequest } from '../../lib/log-sources';
import type { PageProps } from '../page-types';
import { DifyConnectionPanel } from './DifyConnectionPanel';
import { latestReinstallJob, reinstallRunning } from './plugin-projects';
import { PluginProjectCard } from './PluginProjectCard';

/**
 * Registered plugin folders (local version vs what Dify has installed), one-click reinstall with its
 * steps in the job panel, the signature fix offer, remote debugging per folder (its state live from
 * the app snapshot), and the Dify connection settings.
 */
export function PluginsPage({
  jobs,
  settingsView,
  snapshot,
  app,
}: PageProps<'jobs' | 'settingsView' | 'snapshot'>) {
  const { t } = useTranslation();
  const { pending, actionError, dismissError, run } = usePendingAction();
  const { settings } = settingsView;

  // Read everything again when folders, URL or e-mail change (here, in Settings, or by the CLI), when
  // a reinstall finishes (installed list, last result), and on Refresh.
  const job = latestReinstallJob(jobs);
  const finishedAt = job?.finishedAt ?? null;
  const settingsKey = JSON.stringify([settings.pluginDirs, settings.difyUrl, settings.difyEmail]);
  // Dify's list changes when a debug run connects or ends (a remote install comes and goes).
  const debugKey = snapshot.plugins.folders.map((f) => `${f.debug?.phase}:${f.debug?.listed}`).join();
  const {
    data: overview,
    error: loadError,
    reload,
    update,
  } = useQuery(() => invoke('plugins:list', {}), [settingsKey, finishedAt, debugKey]);

  const running = reinstallRunning(jobs);
  const debugOf = (dir: string) => snapshot.plugins.folders.find((f) => f.dir === dir)?.debug ?? null;

  const addFolder = () =>
    run('add', async () => {
      const { dir } = await invoke('plugins:pickFolder', {});
      if (dir !== null) {
        const next = await invoke('plugins:add', { dir });
        update(() => next);
      }
    });

  return (
    <>
      <PageHeader title={t('plugins.page.title')}>
        <button type="button" className="button" disabled={pending !== null} onClick={reload}>
          <Icon name="refresh" />
          {t('plugins.page.refresh')}
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={pending !== null}
          onClick={() => void addFolder()}
        >
          <Icon name="folder" />
          {t('plugins.page.add')}
        </button>
      </PageHeader>

      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {loadError ? <ErrorBox error={loadError} /> : null}

      {overview === null ? (
        loadError ? null : (
          <p className="muted" role="status">
            {t('common.loading')}
          </p>
        )
      ) : (
        <>
          {overview.installedError ? <ErrorBox error={overview.installedError} tone="warning" /> : null}

          <div className="cards">
            {overview.projects.length === 0 ? (
              <section className="panel">
                <p className="muted">{t('plugins.page.empty')}</p>
              </section>
            ) : (
              overview.projects.map((p) => (
                <PluginProjectCard
                  key={p.dir}
                  project={p}
                  difyAnswered={overview.installed !== null}
                  busy={running || pending !== null}
                  onReinstall={() =>
                    void run(`reinstall:${p.dir}`, () => invoke('plugins:reinstall', { dir: p.dir }))
                  }
                  onAllowUnsigned={() =>
                    void run(`unsigned:${p.dir}`, () =>
                      invoke('plugins:reinstallAllowUnsigned', { dir: p.dir }),
                    )
                  }
                  onRemove={() =>
                    void run(`remove:${p.dir}`, async () => {
                      const next = await invoke('plugins:remove', { dir: p.dir });
                      update(() => next);
                    })
                  }
                  debug={debugOf(p.dir)}
                  onDebug={(on) =>
                    void run(`debug:${p.dir}`, () =>
                      invoke(on ? 'plugins:debugStart' : 'plugins:debugStop', { dir: p.dir }),
                    )
                  }
                  onUninstallPackaged={() =>
                    void run(`debugUninstall:${p.dir}`, () =>
                      invoke('plugins:debugUninstallPackaged', { dir: p.dir }),
                    )
                  }
                  onOpenLogs={() => app.openLogs(openRequest([{ kind: 'plugin', folder: p.dir }]))}
                />
              ))
            )}
          </div>

          <JobPanel
            job={job}
            title={t('plugins.page.jobTitle')}
            cancelling={pending === 'cancel'}
            onCancel={(jobId) => void run('cancel', () => invoke('jobs:cancel', { jobId }))}
            onOpenLogs={(sources) => app.openLogs(openRequest(sources))}
          />

          <DifyConnectionPanel connection={overview.connection} onChanged={reload} />
        </>
      )}
    </>
  );
}
