import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView, StatusSnapshot } from '../../../../electron/contract';
import { Icon } from '../../components/Icon';
import type { AppActions } from '../page-types';
import { requestSetupStep, STEP_OF_NEED } from '../setup/setup-steps';
import { useSetupState } from '../setup/useSetupState';
import './SetupPanel.css';

/** The first-run wizard opens by itself once per window, on a start before it was finished or skipped. */
let firstRunShown = false;

/**
 * What is not configured yet (main decides: setup:state), each item leading into the wizard at its
 * step; nothing at all once everything is set up.
 */
export function SetupPanel({
  view,
  snapshot,
  app,
}: {
  view: SettingsView;
  snapshot: StatusSnapshot;
  app: AppActions;
}) {
  const { t } = useTranslation();
  const { state } = useSetupState(view, snapshot);
  const setupDone = view.settings.setupDone;
  useEffect(() => {
    if (setupDone || firstRunShown) return;
    firstRunShown = true;
    app.openPage('setup');
  }, [setupDone, app]);

  if (!state || state.needs.length === 0) return null;
  return (
    <section className="panel setup-panel" aria-labelledby="setup-panel-title" data-setup-panel>
      <h2 id="setup-panel-title" className="panel__title">
        {t('setup.panel.title')}
      </h2>
      <ul className="setup-panel__list">
        {state.needs.map((need) => (
          <li key={need} className="setup-panel__item" data-setup-need={need}>
            <Icon name="dash" className="setup-panel__icon" />
            <span>{t(`setup.panel.needs.${need}`)}</span>
            <button
              type="button"
              className="button button--small"
              aria-label={t(`setup.panel.open.${need}`)}
              onClick={() => {
                requestSetupStep(STEP_OF_NEED[need]);
                app.openPage('setup');
              }}
            >
              {t('setup.panel.setUp')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
