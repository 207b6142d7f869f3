import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSnapshotDto } from '../../../../electron/contract';
import { invoke, on } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { useReasonText } from '../../hooks/useErrorText';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import { isFinished } from '../../lib/jobs';
import './DiagnosticsSection.css';

const KIND = 'diagnostics.export';

/**
 * "Export diagnostics…": main asks where to save and writes the zip as a job (electron/diagnostics);
 * this section follows that job — its step, progress and Cancel — then says where the file went, with
 * "Show in folder" where the app can open a file manager. Below: where the app's own log lives.
 */
export function DiagnosticsSection() {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const { data: info } = useQuery(() => invoke('diagnostics:info', {}), []);
  const { pending, actionError, dismissError, run } = usePendingAction();
  const [exported, setExported] = useState<{ jobId: string; path: string } | null>(null);
  /** The export jobs heard of, by id: an event may come before the export call has answered. */
  const [jobs, setJobs] = useState<ReadonlyMap<string, JobSnapshotDto>>(new Map());

  useEffect(
    () =>
      on('job', (job) => {
        if (job.kind === KIND) setJobs((held) => new Map(held).set(job.id, job));
      }),
    [],
  );

  const job = exported ? (jobs.get(exported.jobId) ?? null) : null;
  const running = exported !== null && (job === null || !isFinished(job));

  const start = () =>
    void run('export', async () => {
      const started = await invoke('diagnostics:export', {});
      if (started.jobId === null || started.path === null) return;
      setExported({ jobId: started.jobId, path: started.path });
      // Events from before this answer were heard above; the list covers one that finished at once.
      const listed = (await invoke('jobs:list', {})).find((j) => j.id === started.jobId);
      if (listed)
        setJobs((held) => (held.get(listed.id)?.finishedAt ? held : new Map(held).set(listed.id, listed)));
    });

  const cancel = (jobId: string) => void run('cancel', () => invoke('jobs:cancel', { jobId }));
  const showInFolder = (jobId: string) =>
    void run('show', () => invoke('diagnostics:showInFolder', { jobId }));

  return (
    <section className="panel diagnostics" aria-labelledby="settings-diagnostics-title">
      <h2 id="settings-diagnostics-title" className="panel__title">
        {t('diagnostics.title')}
      </h2>
      <p className="muted">{t('diagnostics.intro')}</p>
      <div className="diagnostics__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={running || pending === 'export'}
          onClick={start}
        >
          <Icon name="save" />
          {running ? t('diagnostics.exporting') : t('diagnostics.export')}
        </button>
        {running && exported ? (
          <button
            type="button"
            className="button"
            disabled={pending === 'cancel'}
            onClick={() => cancel(exported.jobId)}
          >
            {t('jobs.cancel')}
          </button>
        ) : null}
      </div>
      {running ? (
        <div className="diagnostics__progress" role="status">
          <span>{reasonText(job?.step ?? null) ?? t('jobs.states.queued')}</span>
          <div
            className="progress"
            role="progressbar"
            aria-label={t('jobs.progress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round((job?.progress ?? 0) * 100)}
          >
            <div className="progress__bar" style={{ width: `${Math.round((job?.progress ?? 0) * 100)}%` }} />
          </div>
        </div>
      ) : null}
      {exported && job?.state === 'succeeded' ? (
        <div className="diagnostics__saved" role="status">
          <Icon name="check" className="tone-ok" />
          <span>{t('diagnostics.saved', { path: exported.path })}</span>
          {info?.canShowInFolder ? (
            <button
              type="button"
              className="button button--small"
              onClick={() => showInFolder(exported.jobId)}
            >
              <Icon name="folder" />
              {t('diagnostics.showInFolder')}
            </button>
          ) : null}
        </div>
      ) : null}
      {job?.state === 'cancelled' ? <p role="status">{t('jobs.states.cancelled')}</p> : null}
      {job?.state === 'failed' && job.error ? <ErrorBox error={job.error} /> : null}
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {info ? (
        <dl className="diagnostics__log">
          <dt>{t('diagnostics.appLog')}</dt>
          <dd>
            <code>{info.appLog}</code>
            <p className="muted">{t('diagnostics.appLogHint')}</p>
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
