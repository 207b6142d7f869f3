import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComponentStatus, StatusSnapshot } from '../../../../electron/contract';
import { useReasonText } from '../../hooks/useErrorText';
import type { CardControls } from '../../lib/processes';
import { coveringProblem, type DashboardProblem } from '../../lib/status';
import { Badge, ComponentStateBadge } from '../../components/Badge';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { ServiceTable } from './ServiceTable';
import './ComponentCard.css';

/** What a card can ask the page to do. */
export interface CardActions {
  onStart: () => void;
  onStop: () => void;
  onOpenSettings: () => void;
  onRestart: (service: string) => void;
  /** A service's log (Dify's service rows). */
  onOpenServiceLogs: (service: string) => void;
  /** The component's own log (Ollama, A1111); absent for components without one. */
  onOpenLogs?: () => void;
}

/**
 * One component of the stack (Docker, Ollama, A1111, Dify): the same card for all — state, reason,
 * error, Start/Stop — with what is particular to one (Dify's services, Ollama's models, A1111's phase)
 * as its body. `setup` says the component is not set up ('notConfigured': the card says only that) or
 * its settings need fixing ('fix': the error, with the way to Settings).
 */
export function ComponentCard({
  component,
  project,
  problems,
  controls,
  setup,
  canRestart,
  actions,
  children,
}: {
  component: ComponentStatus;
  project: StatusSnapshot['project'];
  problems: readonly DashboardProblem[];
  /** Start/Stop for this card; null: none (Docker's engine, a component that is not set up). */
  controls: CardControls | null;
  setup: 'notConfigured' | 'fix' | null;
  canRestart: boolean;
  actions: CardActions;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const name = t(`stack.component.${component.id}`);
  const titleId = `component-${component.id}-title`;

  if (setup === 'notConfigured') {
    return (
      <section
        className="panel component-card"
        aria-labelledby={titleId}
        data-component={component.id}
        data-setup="not-configured"
      >
        <div className="panel__header">
          <h2 id={titleId} className="panel__title">
            {name}
          </h2>
          <Badge tone="idle" icon="dash" label={t('dashboard.card.notSetUp')} />
        </div>
        <p className="muted">{t(`dashboard.card.notConfigured.${component.id}`, { name })}</p>
        <SettingsButton label={t('dashboard.card.setUp')} onClick={actions.onOpenSettings} />
      </section>
    );
  }

  const reason = reasonText(component.reason);
  // An error a dashboard callout already explains shrinks to the callout's headline here; any other
  // error gets its box (with the collapsible detail), which replaces the detail line when there is no
  // reason besides it.
  const covered = coveringProblem(component, problems);
  const error = covered ? null : component.error;
  let detail: string | null = reason ?? component.detail;
  if (reason === null && component.error) {
    detail = covered ? t(`dashboard.problems.${covered}.title`) : null;
  }
  return (
    <section className="panel component-card" aria-labelledby={titleId} data-component={component.id}>
      <div className="panel__header">
        <h2 id={titleId} className="panel__title">
          {name}
        </h2>
        <ComponentStateBadge state={component.state} />
        <span className="spacer" />
        {controls ? <CardButtons name={name} controls={controls} actions={actions} /> : null}
        {actions.onOpenLogs ? (
          <button
            type="button"
            className="button button--small"
            onClick={actions.onOpenLogs}
            aria-label={t('logs.open.component', { name })}
          >
            <Icon name="logs" />
            {t('logs.open.button')}
          </button>
        ) : null}
      </div>
      {detail !== null ? <p className="component-card__detail">{detail || '\u00a0'}</p> : null}
      {controls?.stopHint === 'external' ? (
        <p className="muted component-card__hint">{t('dashboard.card.stopElsewhere', { name })}</p>
      ) : null}
      {component.id === 'dify' && project ? (
        <p className="component-card__project muted">
          <span>{t('dashboard.project', { name: project.name })}</span>
          <span className="mono" title={project.dir}>
            {project.dir}
          </span>
          {project.composeVersion ? (
            <span>{t('dashboard.composeVersion', { version: project.composeVersion })}</span>
          ) : null}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {setup === 'fix' ? (
        <SettingsButton label={t('dashboard.card.openSettings')} onClick={actions.onOpenSettings} />
      ) : null}
      {children}
      {/* An empty table is news only when nothing else explains it (an error box above does). */}
      {component.services && (component.services.length > 0 || (project && !component.error)) ? (
        <ServiceTable
          services={component.services}
          canRestart={canRestart}
          onRestart={actions.onRestart}
          onOpenLogs={actions.onOpenServiceLogs}
        />
      ) : null}
    </section>
  );
}

/** Start and Stop of one component; their names say which ("Start Ollama"), for screen readers and tests. */
function CardButtons({
  name,
  controls,
  actions,
}: {
  name: string;
  controls: CardControls;
  actions: CardActions;
}) {
  const { t } = useTranslation();
  const can = { start: controls.canStart, stop: controls.canStop };
  const act = { start: actions.onStart, stop: actions.onStop };
  return (
    <span className="component-card__actions">
      {(['start', 'stop'] as const).map((what) => (
        <button
          key={what}
          type="button"
          className="button button--small"
          disabled={!can[what]}
          onClick={act[what]}
          aria-label={t(`dashboard.card.${what}Label`, { name })}
        >
          <Icon name={what === 'start' ? 'play' : 'stop'} />
          {t(`dashboard.card.${what}`)}
        </button>
      ))}
    </span>
  );
}

/** The way to the setting that fixes the card's problem. */
function SettingsButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <div>
      <button type="button" className="button" onClick={onClick}>
        <Icon name="settings" />
        {label}
      </button>
    </div>
  );
}
