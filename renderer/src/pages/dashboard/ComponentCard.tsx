import { useTranslation } from 'react-i18next';
import type { ComponentStatus, StatusSnapshot } from '../../../../electron/contract';
import { useReasonText } from '../../hooks/useErrorText';
import { coveringProblem, type DashboardProblem } from '../../lib/status';
import { ComponentStateBadge } from '../../components/Badge';
import { ErrorBox } from '../../components/ErrorBox';
import { ServiceTable } from './ServiceTable';
import './ComponentCard.css';

/**
 * One component of the stack (Docker, Dify; Ollama and A1111 later): the same card for all, with a
 * service table for those that have services.
 */
export function ComponentCard({
  component,
  project,
  problems,
  canRestart,
  onRestart,
}: {
  component: ComponentStatus;
  project: StatusSnapshot['project'];
  problems: readonly DashboardProblem[];
  canRestart: boolean;
  onRestart: (service: string) => void;
}) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
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
  const titleId = `component-${component.id}-title`;
  return (
    <section className="panel component-card" aria-labelledby={titleId} data-component={component.id}>
      <div className="panel__header">
        <h2 id={titleId} className="panel__title">
          {t(`stack.component.${component.id}`)}
        </h2>
        <ComponentStateBadge state={component.state} />
      </div>
      {detail !== null ? <p className="component-card__detail">{detail || '\u00a0'}</p> : null}
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
      {/* An empty table is news only when nothing else explains it (an error box above does). */}
      {component.services && (component.services.length > 0 || (project && !component.error)) ? (
        <ServiceTable services={component.services} canRestart={canRestart} onRestart={onRestart} />
      ) : null}
    </section>
  );
}
