import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { findComponent } from '../../lib/status';
import type { PageProps } from '../page-types';
import { DifyDirStep } from './DifyDirStep';
import { DockerStep } from './DockerStep';
import { LoginStep } from './LoginStep';
import { ProgramsStep } from './ProgramsStep';
import {
  nextStep,
  previousStep,
  SETUP_STEPS,
  STEP_OF_NEED,
  takeRequestedStep,
  type SetupStepId,
} from './setup-steps';
import { StartupStep } from './StartupStep';
import { useSetupState } from './useSetupState';
import './SetupPage.css';

/**
 * The first-run setup: five steps, each skippable, in a list the user can jump around in. Finishing or
 * "Skip setup" sets `setupDone` (the app then opens on the dashboard); Settings opens it again.
 */
export function SetupPage({
  settingsView: view,
  snapshot,
  appInfo,
  app,
}: PageProps<'settingsView' | 'snapshot' | 'appInfo'>) {
  const { t } = useTranslation();
  const [step, setStep] = useState<SetupStepId>(takeRequestedStep);
  const setupState = useSetupState(view, snapshot);
  const needs = setupState.state?.needs ?? [];
  const { pending, actionError, dismissError, run } = usePendingAction();

  const leave = () => app.openPage('dashboard');
  const skipSetup = () =>
    run('skip', async () => {
      app.acceptSettings(await invoke('settings:update', { setupDone: true }));
      leave();
    });
  const goOn = () => {
    const next = nextStep(step);
    if (next) setStep(next);
    else leave();
  };
  const nav = {
    back: previousStep(step) ? () => setStep(previousStep(step) ?? step) : null,
    skip: goOn,
    next: goOn,
    last: nextStep(step) === null,
  };
  const pendingSteps = new Set(needs.map((n) => STEP_OF_NEED[n]));
  // The engine is not a setting, but its step is not done while it cannot be reached.
  if (findComponent(snapshot, 'docker')?.state !== 'running') pendingSteps.add('docker');

  // A new step replaces the buttons that had focus: move it to the step's title, as a page change does.
  const titleRef = useRef<HTMLHeadingElement>(null);
  const shownStep = useRef(step);
  useEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    titleRef.current?.focus();
  }, [step]);

  let body: ReactNode;
  switch (step) {
    case 'docker':
      body = (
        <DockerStep
          snapshot={snapshot}
          platform={appInfo.platform}
          onSnapshot={app.acceptSnapshot}
          nav={nav}
        />
      );
      break;
    case 'difyDir':
      body = <DifyDirStep view={view} onSaved={app.acceptSettings} nav={nav} />;
      break;
    case 'programs':
      body = <ProgramsStep view={view} snapshot={snapshot} onSaved={app.acceptSettings} nav={nav} />;
      break;
    case 'difyLogin':
      body = <LoginStep onChanged={setupState.reload} nav={nav} />;
      break;
    case 'startup':
      body = (
        <StartupStep view={view} platform={appInfo.platform} onFinished={app.acceptSettings} nav={nav} />
      );
      break;
  }

  const index = SETUP_STEPS.indexOf(step);
  return (
    <>
      <PageHeader title={t('setup.title')}>
        <button type="button" className="button" onClick={() => void skipSetup()} disabled={pending !== null}>
          {t('setup.actions.skipSetup')}
        </button>
      </PageHeader>
      <p className="muted setup-lead">{t('setup.lead')}</p>
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      <div className="setup">
        <ol className="setup-steps" aria-label={t('setup.stepsLabel')}>
          {SETUP_STEPS.map((id, i) => (
            <li key={id}>
              <button
                type="button"
                className="setup-steps__item"
                aria-current={id === step ? 'step' : undefined}
                data-setup-step={id}
                data-setup-pending={pendingSteps.has(id) ? 'true' : undefined}
                onClick={() => setStep(id)}
              >
                <span className="setup-steps__number" aria-hidden="true">
                  {pendingSteps.has(id) ? i + 1 : <Icon name="check" />}
                </span>
                <span>{t(`setup.steps.${id}`)}</span>
                {pendingSteps.has(id) ? (
                  <span className="visually-hidden">{t('setup.notConfigured')}</span>
                ) : null}
              </button>
            </li>
          ))}
        </ol>
        <section className="panel setup-step" aria-labelledby="setup-step-title" data-setup-current={step}>
          <p className="muted setup-step__count">
            {t('setup.stepCount', { current: index + 1, total: SETUP_STEPS.length })}
          </p>
          <h2 id="setup-step-title" className="panel__title" ref={titleRef} tabIndex={-1}>
            {t(`setup.steps.${step}`)}
          </h2>
          {/* A fresh step per visit: its form starts from the saved settings each time. */}
          <div key={step} className="setup-step__body">
            {body}
          </div>
        </section>
      </div>
    </>
  );
}
