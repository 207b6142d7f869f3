import { useTranslation } from 'react-i18next';
import type { A1111Info, ComponentStatus } from '../../../../electron/contract';
import { a1111ApiState, a1111PhaseKey, isA1111Busy, progressPercent } from '../../lib/processes';
import { CrashDetails, Fact, ProcessFacts } from './ProcessDetails';
import './A1111Details.css';

/** AUTOMATIC1111's card body: where it is in starting up, whether its API answers, the checkpoint, a generation. */
export function A1111Details({ component }: { component: ComponentStatus }) {
  const { t } = useTranslation();
  const info = component.a1111;
  const api = a1111ApiState(component);
  return (
    <>
      <dl className="facts">
        {info ? (
          <>
            <Fact label={t('dashboard.a1111.phaseLabel')}>
              <span data-phase={info.phase}>{t(`dashboard.a1111.phase.${a1111PhaseKey(info.phase)}`)}</span>
              {isA1111Busy(info.phase) && info.phaseLine ? (
                <span className="mono muted a1111-phase-line" title={info.phaseLine}>
                  {info.phaseLine}
                </span>
              ) : null}
            </Fact>
            <Fact label={t('dashboard.a1111.url')}>
              <span className="mono">{info.url}</span>
            </Fact>
            {api !== null ? (
              <Fact label={t('dashboard.a1111.apiLabel')}>
                <span data-api={api} className={api === 'off' ? 'tone-bad' : undefined}>
                  {t(`dashboard.a1111.api.${api}`)}
                </span>
                {/* Main's A1111_NO_API error box above says the same; the hint stands in when there is none. */}
                {api === 'off' && component.error?.code !== 'A1111_NO_API' ? (
                  <span className="a1111-hint">{t('dashboard.a1111.apiHint')}</span>
                ) : null}
              </Fact>
            ) : null}
            {info.phase !== 'stopped' ? (
              <Fact label={t('dashboard.a1111.checkpoint')}>
                {info.checkpoint ? (
                  <span className="mono">{info.checkpoint}</span>
                ) : (
                  <span className="muted">{t('dashboard.a1111.noCheckpoint')}</span>
                )}
              </Fact>
            ) : null}
          </>
        ) : null}
        {component.process ? <ProcessFacts process={component.process} /> : null}
      </dl>
      {info?.progress ? <Generation progress={info.progress} /> : null}
      <CrashDetails component={component} />
    </>
  );
}

/** A generation in progress: a bar and how long A1111 expects it to take still. */
function Generation({ progress }: { progress: NonNullable<A1111Info['progress']> }) {
  const { t } = useTranslation();
  const percent = progressPercent(progress.fraction);
  const text =
    progress.etaSeconds !== null && progress.etaSeconds > 0
      ? t('dashboard.a1111.progressEta', { percent, seconds: Math.ceil(progress.etaSeconds) })
      : t('dashboard.a1111.progress', { percent });
  return (
    <div className="a1111-generation">
      <p className="a1111-generation__text">{text}</p>
      <div
        className="progress"
        role="progressbar"
        aria-label={t('dashboard.a1111.progressLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
      >
        {/* Width as a DOM property set by React, which the CSP allows (a style attribute in HTML it does not). */}
        <div className="progress__bar" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
