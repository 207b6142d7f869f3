import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComponentStatus, ProcessInfo } from '../../../../electron/contract';
import { Icon } from '../../components/Icon';
import { ShowDetails } from '../../components/ShowDetails';
import { crashReport, ownerKey } from '../../lib/processes';
import { copyText } from './copy-text';
import './ProcessDetails.css';

/** One label / value pair of a card's `.facts` list. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Who runs the program, how often it was restarted, and where its output goes (inside a `.facts` list). */
export function ProcessFacts({ process }: { process: ProcessInfo }) {
  const { t } = useTranslation();
  const owner = ownerKey(process.owner);
  return (
    <>
      {owner ? (
        <Fact label={t('dashboard.process.ownerLabel')}>
          {t(`dashboard.process.owner.${owner}`)}
          {process.pid !== null ? (
            <span className="muted"> · {t('dashboard.process.pid', { pid: process.pid })}</span>
          ) : null}
        </Fact>
      ) : null}
      {/* Restarts are ours to make: news only for what this app (or its CLI) runs, or once one happened. */}
      {process.owner === 'app' || process.owner === 'cli' || process.restarts > 0 ? (
        <Fact label={t('dashboard.process.restartsLabel')}>
          {t('dashboard.process.restarts', { count: process.restarts })}
        </Fact>
      ) : null}
      {process.logFile ? (
        <Fact label={t('dashboard.process.logLabel')}>
          <LogFile path={process.logFile} />
        </Fact>
      ) : null}
    </>
  );
}

/** The log file's path with a Copy button (a log viewer comes in a later issue). */
function LogFile({ path }: { path: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <span className="log-file">
      <span className="mono log-file__path">{path}</span>
      <button
        type="button"
        className="button button--small button--quiet"
        aria-label={t('dashboard.process.copyLogPath')}
        onClick={() => void copyText(path).then(setCopied)}
      >
        {t('dashboard.process.copy')}
      </button>
      <span className="log-file__status" role="status">
        {copied === true ? (
          <span className="tone-ok">{t('dashboard.process.copied')}</span>
        ) : copied === false ? (
          <span className="muted">{t('dashboard.process.copyFailed')}</span>
        ) : null}
      </span>
    </span>
  );
}

/**
 * How the last run ended when it crashed: the exit code, and its last lines folded away like other
 * raw output (what a bug report needs, not the first thing to read).
 */
export function CrashDetails({ component }: { component: ComponentStatus }) {
  const { t } = useTranslation();
  const crash = crashReport(component);
  if (!crash) return null;
  // Main's PROCESS_EXITED box above already gives the exit code: only its lines are added here.
  const saidAbove = component.error?.code === 'PROCESS_EXITED';
  return (
    <div className="crash" data-crash="">
      {saidAbove ? null : (
        <p className="tone-bad crash__line">
          <Icon name="alert" />
          {crash.exitCode !== null
            ? t('dashboard.process.crashed', { code: crash.exitCode })
            : t('dashboard.process.crashedNoCode')}
        </p>
      )}
      {crash.lines.length > 0 ? <ShowDetails text={crash.lines.join('\n')} /> : null}
    </div>
  );
}
