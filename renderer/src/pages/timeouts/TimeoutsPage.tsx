import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupEntry, ChangePreview } from '../../../../electron/env/contract';
import { invoke } from '../../api';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { JobPanel } from '../../components/JobPanel';
import { PageHeader } from '../../components/PageHeader';
import { ShowDetails } from '../../components/ShowDetails';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import { isFinished } from '../../lib/jobs';
import type { PageProps } from '../page-types';
import { ApplyPreviewDialog } from './ApplyPreviewDialog';
import { BackupsPanel } from './BackupsPanel';
import { TimeoutChainView } from './TimeoutChainView';
import { TimeoutKeyRow } from './TimeoutKeyRow';
import {
  changedDrafts,
  fitDrafts,
  pluginChainInput,
  presetDrafts,
  valuesWithDrafts,
  type Drafts,
} from './timeout-panel';
import './TimeoutsPage.css';

const GROUPS = ['workflow', 'plugins', 'tools', 'code', 'http', 'web'] as const;

/** At once: the values from the files (or all of it, when Compose resolved these files before). */
async function loadPanel() {
  const [view, backups] = await Promise.all([
    invoke('timeouts:view', { quick: true }),
    invoke('timeouts:backups', {}),
  ]);
  return { view, backups };
}

/**
 * Every timeout of the Dify project, explained, with what Compose says about it (value in effect,
 * the file it comes from, who reads it), presets, the timeout chain, Apply with a preview, backups.
 */
export function TimeoutsPage({ jobs }: PageProps<'jobs'>) {
  const { t } = useTranslation();
  const [drafts, setDrafts] = useState<Drafts>({});
  const [preview, setPreview] = useState<ChangePreview | null>(null);
  const { pending, actionError, dismissError, run } = usePendingAction();
  // Restore and cancel are quick requests that leave the page's other buttons alone.
  const busy = pending === 'preview' || pending === 'apply';
  const [jobId, setJobId] = useState<string | null>(null);

  /** Registered plugin folders with the limits in their code (plugins capability); one may be chosen for the chain. */
  const pluginLimits = useQuery(() => invoke('plugins:timeouts', {}), []);
  // Without plugin folders (or when they cannot be read) the chain says the plugin's limits are unknown.
  const plugins = useMemo(
    () => (pluginLimits.data ?? []).filter((p) => p.error === null),
    [pluginLimits.data],
  );
  const [pluginDir, setPluginDir] = useState('');
  const plugin = plugins.find((p) => p.dir === pluginDir);
  const pluginInput = useMemo(() => (plugin ? pluginChainInput(plugin) : undefined), [plugin]);

  const job = jobId ? (jobs.find((j) => j.id === jobId) ?? null) : null;
  const jobDone = job !== null && isFinished(job);
  const jobSucceeded = job?.state === 'succeeded';

  // On open, on Refresh, and when an apply/restore finishes: what Compose says now, and the backups.
  const panel = useQuery(loadPanel, [jobDone]);
  // Then, when the quick view is still resolving, the full one: readers and shadowing as Compose says.
  const resolving = panel.data?.view.resolving === true;
  const full = useQuery(() => invoke('timeouts:view', {}), [panel.data], { enabled: resolving });
  const view = (resolving && !full.loading ? full.data : null) ?? panel.data?.view ?? null;
  const backups = panel.data?.backups ?? [];
  const loadError = panel.error ?? (resolving ? full.error : null);
  // What a successful apply/restore wrote is what the reloaded view shows: the drafts are done.
  const [seenPanel, setSeenPanel] = useState(panel.data);
  if (panel.data !== seenPanel) {
    setSeenPanel(panel.data);
    if (jobSucceeded) setDrafts({});
  }

  // Validation as you type, and the chain with the drafts in place (pure, answered by main), under
  // the rules of the project's Dify release; the fit ("make this call fit") takes the same input.
  const chainInput = useMemo(
    () => ({
      values: view ? valuesWithDrafts(view.keys, drafts) : {},
      ...(pluginInput ? { plugin: pluginInput } : {}),
      ...(view ? { release: { ruleSet: view.release.ruleSet, assumed: view.release.assumed } } : {}),
    }),
    [view, drafts, pluginInput],
  );
  const checked = useQuery(() => invoke('timeouts:check', chainInput), [chainInput], {
    enabled: view !== null,
  });
  const check = checked.data;

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

  const openPreview = (mode: 'readers' | 'full') =>
    run('preview', async () => {
      try {
        setPreview(await invoke('timeouts:preview', { changes, mode }));
      } catch (e) {
        setPreview(null);
        throw e;
      }
    });

  const apply = (mode: ChangePreview['mode']) =>
    run('apply', async () => {
      const { jobId: id } = await invoke('timeouts:apply', { changes, mode });
      setJobId(id);
      setPreview(null);
    });

  const restore = (backup: BackupEntry) =>
    run('restore', async () => {
      const { jobId: id } = await invoke('timeouts:restore', { file: backup.file, backupId: backup.id });
      setJobId(id);
    });

  const header = (
    <PageHeader title={t('timeouts.page.title')}>
      <button type="button" className="button" onClick={panel.reload} disabled={busy}>
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
      {view.resolving ? (
        <Callout role="status">
          <p>{t('timeouts.page.resolving')}</p>
        </Callout>
      ) : null}
      {view.approximate ? (
        <Callout role="note">
          <p>{t('timeouts.page.approximate')}</p>
          {view.composeError?.detail ? <ShowDetails text={view.composeError.detail} /> : null}
        </Callout>
      ) : null}
      {view.invalidLines.length > 0 ? (
        <Callout title={t('timeouts.page.invalidLines')}>
          {view.invalidLines.map((l) => (
            <p key={`${l.file}:${l.line}`}>
              <span className="mono">
                {l.file}:{l.line}
              </span>{' '}
              {t(l.messageKey)}
            </p>
          ))}
        </Callout>
      ) : null}
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {checked.error ? <ErrorBox error={checked.error} /> : null}

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
        release={view.release}
        plugins={plugins.map((p) => ({ dir: p.dir, label: p.pluginId ?? p.dir }))}
        pluginDir={pluginDir}
        onPluginDir={setPluginDir}
        fitRequest={chainInput}
        onUseFit={(fit) => setDrafts((prev) => ({ ...prev, ...fitDrafts(view.keys, fit) }))}
      />

      {job ? (
        <JobPanel
          job={job}
          cancelling={pending === 'cancel'}
          onCancel={(id) => void run('cancel', () => invoke('jobs:cancel', { jobId: id }))}
        />
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
          onConfirm={() => void apply(preview.mode)}
          onCancel={() => setPreview(null)}
        />
      ) : null}
    </div>
  );
}
