import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSnapshotDto, LogSource } from '../../../electron/contract';
import { useReasonText } from '../hooks/useErrorText';
import { useTopic } from '../hooks/useTopic';
import { appendOutput, isFinished } from '../lib/jobs';
import { jobLogSources } from '../lib/log-sources';
import { JobStateBadge } from './Badge';
import { ErrorBox } from './ErrorBox';
import { Icon } from './Icon';

const SHOWN_LINES = 200;
/** How close to the bottom (px) still counts as "following" the output. */
const FOLLOW_SLACK = 24;

/** The running (or last) long operation: its step, progress, streamed output, cancel and outcome. */
export function JobPanel({
  job,
  onCancel,
  cancelling,
  title,
  onOpenLogs,
}: {
  job: JobSnapshotDto | null;
  onCancel: (jobId: string) => void;
  cancelling: boolean;
  /** Instead of the title derived from the job's kind (pages with their own kinds of jobs). */
  title?: string;
  /** A failed job offers the logs that explain it (lib/log-sources.ts says which). */
  onOpenLogs?: (sources: LogSource[]) => void;
}) {
  const { t, i18n } = useTranslation();
  const reasonText = useReasonText();
  const lines = useJobOutput(job?.id ?? null);

  if (!job) {
    return (
      <section className="panel job-panel" aria-labelledby="job-title">
        <h2 id="job-title" className="panel__title">
          {title ?? t('jobs.title')}
        </h2>
        <p className="muted">{t('jobs.none')}</p>
      </section>
    );
  }

  const finished = isFinished(job);
  // A failed or cancelled job's last step is where it stopped, not what it is doing: the error box
  // (or the badge) says what happened instead.
  const stepText =
    job.state === 'failed' || job.state === 'cancelled'
      ? null
      : (reasonText(job.step) ?? (finished ? null : t(`jobs.states.${job.state}`)));
  const time = job.finishedAt ?? job.startedAt ?? job.createdAt;
  const timeText = new Date(time).toLocaleTimeString(i18n.language);

  return (
    <section className="panel job-panel" aria-labelledby="job-title" data-job-state={job.state}>
      <div className="panel__header">
        <h2 id="job-title" className="panel__title">
          {title ?? t(`jobs.kinds.${job.kind}`, { defaultValue: t('jobs.title') })}
        </h2>
        <JobStateBadge state={job.state} />
        <span className="muted job-panel__time">
          {t(finished ? 'jobs.finishedAt' : 'jobs.startedAt', { time: timeText })}
        </span>
        <span className="spacer" />
        {!finished ? (
          <button type="button" className="button" onClick={() => onCancel(job.id)} disabled={cancelling}>
            {t('jobs.cancel')}
          </button>
        ) : null}
      </div>
      {job.state === 'failed' || job.state === 'cancelled' ? null : (
        <p className="job-panel__step" aria-live="polite">
          {stepText ?? '\u00a0'}
        </p>
      )}
      <div className="job-panel__progress-row">
        {job.progress !== null ? <ProgressBar value={job.progress} label={t('jobs.progress')} /> : null}
      </div>
      <JobOutput lines={lines} label={t('jobs.output')} emptyText={t('jobs.noOutput')} />
      {job.error && job.state === 'failed' ? <ErrorBox error={job.error} /> : null}
      {job.state === 'failed' && onOpenLogs ? (
        <div>
          <button
            type="button"
            className="button"
            title={t('logs.open.jobHint')}
            onClick={() => onOpenLogs(jobLogSources(job))}
          >
            <Icon name="logs" />
            {t('logs.open.job')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/**
 * The job's last output lines, from the `job-output` stream: main sends the lines the job keeps
 * first, then the new ones (job events carry no output).
 */
function useJobOutput(jobId: string | null): string[] {
  const [output, setOutput] = useState<{ jobId: string | null; lines: string[] }>({
    jobId: null,
    lines: [],
  });
  useTopic('job-output', jobId === null ? null : { jobId }, (batch) =>
    setOutput((prev) => ({
      jobId,
      lines: appendOutput(prev.jobId === jobId ? prev.lines : [], batch.items, SHOWN_LINES),
    })),
  );
  return output.jobId === jobId ? output.lines : NO_LINES;
}

const NO_LINES: string[] = [];

function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
    >
      {/* A <progress> element would do, but it cannot be themed consistently; the width is a DOM
          property set by React, which the CSP allows (unlike a style attribute in HTML). */}
      <div className="progress__bar" style={{ width: `${percent}%` }} />
    </div>
  );
}

/**
 * Streamed output, newest last. It follows new lines while the user is at the bottom and stays put
 * when they scrolled up to read something.
 */
function JobOutput({
  lines,
  label,
  emptyText,
}: {
  lines: readonly string[];
  label: string;
  emptyText: string;
}) {
  const ref = useRef<HTMLPreElement>(null);
  const following = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <pre
      ref={ref}
      className="mono-block job-output"
      role="log"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_SLACK;
      }}
    >
      {lines.length > 0 ? lines.join('\n') : <span className="muted">{emptyText}</span>}
    </pre>
  );
}
