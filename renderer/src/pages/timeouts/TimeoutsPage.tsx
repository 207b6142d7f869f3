import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo, JobSnapshotDto } from '../../../../electron/contract';
import type {
  BackupEntry,
  ChangePreview,
  CheckResult,
  TimeoutsView,
} from '../../../../electron/env/contract';
import { invoke, toErrorInfo } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { JobPanel } from '../../components/JobPanel';
import { PageHeader } from '../../components/PageHeader';
import { ApplyPreviewDialog } from './ApplyPreviewDialog';
import { BackupsPanel } from './BackupsPanel';
import { TimeoutChainView } from './TimeoutChainView';
import { TimeoutKeyRow } from './TimeoutKeyRow';
import { isFinished } from '../../lib/jobs';
import {
  changedDrafts,
  pluginChainInput,
  presetDrafts,
  valuesWithDrafts,
  type Drafts,
  type PluginLimits,
} from './timeout-panel';
import './TimeoutsPage.css';

const GROUPS = ['workflow', 'plugins', 'tools', 'code', 'http', 'web'] as const;

/**
 * Every timeout of the Dify project, explained, with what Compose says about it (value in effect,
 * the file it comes from, who reads it), presets, the timeout chain, Apply with a preview, backups.
 */
export function TimeoutsPage({ jobs }: { jobs: readonly JobSnapshotDto[] }) {
  const { t } = useTranslation();
  const [view, setView] = useState<TimeoutsView | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  const [drafts, setDrafts] = useState<Drafts>({});
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [preview, setPreview] = useState<ChangePreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [backups, setBackups] = useState<BackupEntry[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const checkSeq = useRef(0);
  /** Registered plugin folders with the limits in their code (plugins capability); one may be chosen for the chain. */
  const [plugins, setPlugins] = useState<PluginLimits[]>([]);
  const [pluginDir, setPluginDir] = useState('');

  useEffect(() => {
    let alive = true;
    invoke('plugins:timeouts', {}).then(
      (list) => {
        if (alive) setPlugins(list.filter((p) => p.error === null));
      },
      // Without plugin folders the chain simply says the plugin's limits are unknown.
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, []);
  const plugin = plugins.find((p) => p.dir === pluginDir);
  const pluginInput = useMemo(() => (plugin ? pluginChainInput(plugin) : undefined), [plugin]);

  const [reloads, setReloads] = useState(0);
  const load = useCallback(() => setReloads((n) => n + 1), []);

  // Validation as you type, and the chain with the drafts in place (pure, answered by main).
  useEffect(() => {
    if (!view) return;
    const seq = ++checkSeq.current;
    invoke('timeouts:check', {
      values: valuesWithDrafts(view.keys, drafts),
      ...(pluginInput ? { plugin: pluginInput } : {}),
    }).then(
      (result) => {
        if (seq === checkSeq.current) setCheck(result);
      },
      (e: unknown) => setActionError(toErrorInfo(e)),
    );
  }, [view, drafts, pluginInput]);

  const job = jobId ? (jobs.find((j) => j.id === jobId) ?? null) : null;
  const jobDone = job !== null && isFinished(job);
  const jobSucceeded = job?.state === 'succeeded';

  // On open, on Refresh, and when an apply/restore finishes: what Compose says now, and the backups.
  useEffect(() => {
    let alive = true;
    Promise.all([invoke('timeouts:view', {}), invoke('timeouts:backups', {})]).then(
      ([v, b]) => {
        if (!alive) return;
        setView(v);
        setBackups(b);
        setLoadError(null);
        if (jobSucceeded) setDrafts({});
      },
      (e: unknown) => {
        if (alive) setLoadError(toErrorInfo(e));
      },
    );
    return () => {
      alive = false;
    };
    // jobSucceeded is read only when the job is done; a reload is due on jobDone, not on every job event.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reloads, jobDone]);

  const changes = useMemo(() => (view ? changedDrafts(view.keys, drafts) : {}), [view, drafts]);
  const draftErrors = Object.keys(drafts).filter((k) => check?.errors[k]);
  const changeCount = Object.keys(changes).length;
  const jobRunning = job !== null && !isFinished(job);

  const setDraft = (key: string, value: string | undefined) =>
    setDrafts((prev) => {
      const next = { ...prev };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return next;
    });

  const openPreview = async (mode: 'readers' | 'full') => {
    setBusy(true);
    setActionError(null);
    try {
      setPreview(await invoke('timeouts:preview', { changes, mode }));
    } catch (e) {
      setActionError(toErrorInfo(e));
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setBusy(true);
    try {
      const { jobId: id } = await invoke('timeouts:apply', { changes, mode: preview.mode });
      setJobId(id);
      setPreview(null);
    } catch (e) {
      setActionError(toErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const restore = async (backup: BackupEntry) => {
    setActionError(null);
    try {
      const { jobId: id } = await invoke('timeouts:restore', { file: backup.file, backupId: backup.id });
      setJobId(id);
    } catch (e) {
      setActionError(toErrorInfo(e));
    }
  };

  const header = (
    <PageHeader title={t('timeouts.page.title')}>
      <button type="button" className="button" onClick={load} disabled={busy}>
        <Icon name="refresh" />
        {t('timeouts.page.refresh')}
      </button>
    </PageHeader>
  );

  if (loadError) {
    return (
      <>
        {header}
        <ErrorBox error={loadError} />
      </>
    );
  }
  if (!view) {
    return (
      <>
        {header}
        <p className="muted" role="status">
          {t('timeouts.page.loading')}
        </p>
      </>
    );
  }

  return (
    <div className="timeouts-page">
      {header}
      <p className="muted timeouts-page__project">
        {t('timeouts.page.project', { name: view.project.name, dir: view.project.dir })}{' '}
        {t(view.project.running ? 'timeouts.page.running' : 'timeouts.page.notRunning')}
      </p>
      {view.approximate ? (
        <div className="callout" role="note">
          <Icon name="alert" className="callout__icon" />
          <div className="callout__body">
            <p>{t('timeouts.page.approximate')}</p>
            {view.composeError?.detail ? (
              <details className="error-box__details">
                <summary>{t('common.showDetails')}</summary>
                <pre className="mono-block">{view.composeError.detail}</pre>
              </details>
            ) : null}
          </div>
        </div>
      ) : null}
      {view.invalidLines.length > 0 ? (
        <div className="callout">
          <Icon name="alert" className="callout__icon" />
          <div className="callout__body">
            <p className="callout__title">{t('timeouts.page.invalidLines')}</p>
            {view.invalidLines.map((l) => (
              <p key={`${l.file}:${l.line}`}>
                <span className="mono">
                  {l.file}:{l.line}
                </span>{' '}
                {t(l.messageKey)}
              </p>
            ))}
          </div>
        </div>
      ) : null}
      {actionError ? <ErrorBox error={actionError} onDismiss={() => setActionError(null)} /> : null}

      <section className="panel" aria-labelledby="presets-title">
        <h2 id="presets-title" className="panel__title">
          {t('timeouts.page.presets')}
        </h2>
        <div className="preset-list">
          {view.presets.map((p) => (
            <div key={p.id} className="preset" data-preset={p.id}>
              <button
                type="button"
                className="button"
                onClick={() => setDrafts(presetDrafts(view, p.id))}
                disabled={jobRunning}
              >
                {t(`timeouts.presets.${p.id}.title`)}
              </button>
              <p className="muted">{t(`timeouts.presets.${p.id}.description`)}</p>
            </div>
          ))}
        </div>
      </section>

      {GROUPS.map((group) => {
        const keys = view.keys.filter((k) => k.group === group);
        if (keys.length === 0) return null;
        return (
          <section key={group} className="panel timeout-group" aria-labelledby={`group-${group}`}>
            <h2 id={`group-${group}`} className="panel__title">
              {t(`timeouts.groups.${group}`)}
            </h2>
            <div className="table-wrap">
              <table className="service-table timeout-table">
                <thead>
                  <tr>
                    <th scope="col">{t('timeouts.page.colSetting')}</th>
                    <th scope="col">{t('timeouts.page.colCurrent')}</th>
                    <th scope="col">{t('timeouts.page.colReaders')}</th>
                    <th scope="col">{t('timeouts.page.colNew')}</th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => (
                    <TimeoutKeyRow
                      key={k.key}
                      info={k}
                      draft={drafts[k.key]}
                      error={drafts[k.key] !== undefined ? check?.errors[k.key] : undefined}
                      onDraft={(v) => setDraft(k.key, v)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}

      <TimeoutChainView
        chains={check?.chains ?? view.chains}
        plugins={plugins.map((p) => ({ dir: p.dir, label: p.pluginId ?? p.dir }))}
        pluginDir={pluginDir}
        onPluginDir={setPluginDir}
      />

      {job ? (
        <JobPanel job={job} cancelling={false} onCancel={(id) => void invoke('jobs:cancel', { jobId: id })} />
      ) : null}

      <BackupsPanel backups={backups} busy={jobRunning || busy} onRestore={(b) => void restore(b)} />

      <div className="apply-bar" role="region" aria-label={t('timeouts.page.applyBar')}>
        <span data-testid="change-count">
          {draftErrors.length > 0
            ? t('timeouts.page.fixErrors', { count: draftErrors.length })
            : t('timeouts.page.changes', { count: changeCount })}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="button"
          onClick={() => setDrafts({})}
          disabled={Object.keys(drafts).length === 0 || busy}
        >
          {t('timeouts.page.discard')}
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void openPreview('readers')}
          disabled={changeCount === 0 || draftErrors.length > 0 || busy || jobRunning}
        >
          {t('timeouts.page.apply')}
        </button>
      </div>

      {preview ? (
        <ApplyPreviewDialog
          preview={preview}
          busy={busy}
          onModeChange={(mode) => void openPreview(mode)}
          onConfirm={() => void apply()}
          onCancel={() => setPreview(null)}
        />
      ) : null}
    </div>
  );
}
