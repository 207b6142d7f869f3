import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuReading } from '../../../../electron/contract';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import {
  formatGb,
  formatWhole,
  freedOutcome,
  latestGpus,
  ollamaModels,
  pickGpu,
  UNKNOWN_TEXT,
  vramUse,
} from '../../lib/gpu';
import { findComponent } from '../../lib/status';
import type { PageProps } from '../page-types';
import { ConsumerBreakdown } from './ConsumerBreakdown';
import { runGpuAction, type GpuAction } from './gpu-actions';
import { GpuStateNotice, isNoticeState } from './GpuStateNotice';
import { HistoryChart } from './HistoryChart';
import { useGpuHistory } from './useGpuHistory';
import { VramGauge } from './VramGauge';
import './GpuPage.css';

/**
 * The GPU's VRAM: how full it is now (gauge, utilisation, temperature), the last ten minutes, and who
 * holds it with one-click unloads that report what they freed. When there is no reading, why not and
 * what to do. Readings come from the app snapshot's `gpu` part and, every second, the `gpu-samples`
 * stream; whichever is newer is shown.
 */
export function GpuPage({ snapshot, settingsView, app }: PageProps<'snapshot' | 'settingsView'>) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const summary = snapshot.gpu;
  const state = summary?.state ?? null;
  const { vramAlertPercent: alertPercent, vramAlertSeconds: alertSeconds } = settingsView.settings;
  const { history, version, error: streamError } = useGpuHistory(state !== 'off');
  const [chosen, setChosen] = useState<number | null>(null);
  const { pending, actionError, dismissError, run } = usePendingAction();
  const [current, setCurrent] = useState<GpuAction | null>(null);
  const [result, setResult] = useState<{ action: GpuAction; freed: number | null } | null>(null);

  const latest = history.latest();
  const gpus = state === 'ok' || state === null ? latestGpus(summary, latest) : [];
  const gpu = pickGpu(gpus, chosen);
  const readAt = Math.max(summary?.at ?? 0, latest?.at ?? 0);
  const hasModels = ollamaModels(summary?.consumers ?? []).length > 0;

  const act = (action: GpuAction) => {
    setCurrent(action);
    setResult(null);
    void run(action.kind, async () => {
      const { freed } = await runGpuAction(action);
      setResult({ action, freed });
    });
  };

  let body;
  if (state !== null && isNoticeState(state)) {
    body = (
      <GpuStateNotice
        state={state}
        error={summary?.error ?? null}
        onOpenSettings={() => app.openPage('settings')}
      />
    );
  } else if (!gpu) {
    body = (
      <p className="page-message muted" role="status">
        {t(state === 'starting' ? 'gpu.page.state.starting' : 'gpu.page.state.waiting')}
      </p>
    );
  } else {
    const use = vramUse(gpu);
    const summaryText = t('gpu.page.history.summary', {
      minutes: history.spanMinutes(),
      now: formatGb(use.used, lang),
      peak: formatGb(history.peakUsed(gpu.index), lang),
      total: formatGb(use.total, lang),
    });
    body = (
      <>
        <section className="panel gpu-now" aria-labelledby="gpu-now-title" data-gpu-index={gpu.index}>
          <h2 id="gpu-now-title" className="panel__title">
            {gpus.length > 1 ? t('gpu.page.gpuName', { index: gpu.index, name: gpu.name }) : gpu.name}
          </h2>
          <div className="gpu-now__body">
            <VramGauge use={use} alertPercent={alertPercent} />
            <dl className="gpu-stats">
              <Stat label={t('gpu.page.utilization')} stat="utilization">
                {known(gpu.utilization, t('gpu.page.percent', { value: formatWhole(gpu.utilization, lang) }))}
              </Stat>
              <Stat label={t('gpu.page.temperature')} stat="temperature">
                {known(gpu.temperature, t('gpu.page.celsius', { value: formatWhole(gpu.temperature, lang) }))}
              </Stat>
              <Stat label={t('gpu.page.free')} stat="free">
                {known(use.free, t('gpu.page.gb', { size: formatGb(use.free, lang) }))}
              </Stat>
            </dl>
          </div>
          {hasUnknown(gpu) ? <p className="muted gpu-now__note">{t('gpu.page.unknownHint')}</p> : null}
        </section>

        <section className="panel" aria-labelledby="gpu-history-title">
          <h2 id="gpu-history-title" className="panel__title">
            {t('gpu.page.history.title')}
          </h2>
          {history.size === 0 ? (
            <p className="muted">{t('gpu.page.history.empty')}</p>
          ) : (
            <HistoryChart
              history={history}
              version={version}
              gpuIndex={gpu.index}
              totalMib={use.total}
              alertPercent={alertPercent}
              summary={summaryText}
            />
          )}
          {streamError ? <ErrorBox error={streamError} /> : null}
        </section>

        <section className="panel" aria-labelledby="gpu-consumers-title">
          <h2 id="gpu-consumers-title" className="panel__title">
            {t('gpu.page.consumers.title')}
          </h2>
          <ConsumerBreakdown
            consumers={summary?.consumers ?? []}
            use={use}
            actions={{
              pending: pending === null ? null : current,
              a1111Running: findComponent(snapshot, 'a1111')?.state === 'running',
              run: act,
            }}
          />
          <p
            className="gpu-result"
            role="status"
            data-freed={result ? (result.freed ?? 'unknown') : undefined}
          >
            {result ? <ResultText action={result.action} freed={result.freed} /> : null}
          </p>
        </section>
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('gpu.page.title')}>
        {readAt > 0 && gpu ? (
          <span className="muted header-time">
            {t('gpu.page.readAt', { time: new Date(readAt).toLocaleTimeString(lang) })}
          </span>
        ) : null}
        {gpus.length > 1 && gpu ? (
          <select
            className="select gpu-picker"
            aria-label={t('gpu.page.gpuPicker')}
            value={gpu.index}
            onChange={(e) => setChosen(Number(e.target.value))}
          >
            {gpus.map((g) => (
              <option key={g.index} value={g.index}>
                {t('gpu.page.gpuName', { index: g.index, name: g.name })}
              </option>
            ))}
          </select>
        ) : null}
      </PageHeader>
      {summary?.alert ? (
        <Callout
          title={t('gpu.page.alert.title')}
          data-gpu-alert=""
          action={
            hasModels ? (
              <button
                type="button"
                className="button"
                disabled={pending !== null}
                onClick={() => act({ kind: 'allModels' })}
              >
                {t('gpu.page.consumers.unloadAll')}
              </button>
            ) : undefined
          }
        >
          <p>{t('gpu.page.alert.text', { percent: alertPercent, seconds: alertSeconds })}</p>
        </Callout>
      ) : null}
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {body}
    </>
  );
}

function hasUnknown(gpu: GpuReading): boolean {
  return [gpu.memoryTotal, gpu.memoryUsed, gpu.utilization, gpu.temperature].some((v) => v === null);
}

/** The text of a known value; an unknown one is "—" on screen and a word for screen readers. */
function known(value: number | null, text: string) {
  return value === null ? <Unknown /> : text;
}

function Unknown() {
  const { t } = useTranslation();
  return (
    <>
      <span aria-hidden="true">{UNKNOWN_TEXT}</span>
      <span className="visually-hidden">{t('gpu.page.unknown')}</span>
    </>
  );
}

function Stat({ label, stat, children }: { label: string; stat: string; children: ReactNode }) {
  return (
    <div className="gpu-stats__item" data-stat={stat}>
      <dt className="gpu-stats__label">{label}</dt>
      <dd className="gpu-stats__value">{children}</dd>
    </div>
  );
}

/** "Unloaded gpt-oss:20b: freed 5.2 GB" from the action and what main measured. */
function ResultText({ action, freed }: { action: GpuAction; freed: number | null }) {
  const { t, i18n } = useTranslation();
  const what = t(`gpu.page.result.what.${action.kind}`, { name: action.kind === 'model' ? action.name : '' });
  const outcome = freedOutcome(freed, i18n.language);
  return (
    <>
      {t('gpu.page.result.line', {
        what,
        outcome: t(`gpu.page.result.outcome.${outcome.kind}`, {
          size: 'size' in outcome ? outcome.size : '',
        }),
      })}
    </>
  );
}
