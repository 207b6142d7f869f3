import { useTranslation } from 'react-i18next';
import type { ComponentState, JobSnapshotDto, ServiceStatus } from '../../../electron/contract';
import { COMPONENT_TONE, componentStateKey, serviceStateKey, serviceTone, type Tone } from '../lib/status';
import { Icon, type IconName } from './Icon';
import './Badge.css';

/** A state shown three ways at once: colour (tone), shape (icon) and words. */
export function Badge({
  tone,
  icon,
  label,
  title,
}: {
  tone: Tone;
  icon: IconName;
  label: string;
  title?: string;
}) {
  return (
    <span className={`badge badge--${tone}`} title={title}>
      <Icon name={icon} />
      <span>{label}</span>
    </span>
  );
}

// The tone is the tray's and the CLI's too (shared presentation rules); the shape is the window's own.
const COMPONENT_ICONS: Record<ComponentState, IconName> = {
  running: 'check',
  partial: 'half',
  stopped: 'stop',
  starting: 'spinner',
  unavailable: 'dash',
  error: 'alert',
};

export function ComponentStateBadge({ state }: { state: ComponentState }) {
  const { t } = useTranslation();
  return (
    <Badge tone={COMPONENT_TONE[state]} icon={COMPONENT_ICONS[state]} label={t(componentStateKey(state))} />
  );
}

const SERVICE_ICONS: Record<ReturnType<typeof serviceStateKey>, IconName> = {
  running: 'check',
  completed: 'check',
  exited: 'stop',
  created: 'dot',
  restarting: 'spinner',
  paused: 'clock',
  dead: 'cross',
  removing: 'spinner',
  missing: 'dash',
  unknown: 'dot',
};

export function ServiceStateBadge({ service }: { service: ServiceStatus }) {
  const { t } = useTranslation();
  const key = serviceStateKey(service);
  const tone = serviceTone(service);
  const icon = key === 'exited' && tone === 'bad' ? 'cross' : SERVICE_ICONS[key];
  const label = key === 'unknown' ? service.state : t(`serviceStates.${key}`);
  return <Badge tone={tone} icon={icon} label={label} />;
}

export function HealthBadge({ health }: { health: ServiceStatus['health'] }) {
  const { t } = useTranslation();
  if (health === null) {
    return (
      <span className="muted" title={t('health.none')}>
        <span aria-hidden="true">—</span>
        <span className="visually-hidden">{t('health.none')}</span>
      </span>
    );
  }
  const look: Record<NonNullable<ServiceStatus['health']>, { tone: Tone; icon: IconName }> = {
    healthy: { tone: 'ok', icon: 'check' },
    unhealthy: { tone: 'bad', icon: 'cross' },
    starting: { tone: 'busy', icon: 'clock' },
  };
  return <Badge tone={look[health].tone} icon={look[health].icon} label={t(`health.${health}`)} />;
}

const JOB_LOOK: Record<JobSnapshotDto['state'], { tone: Tone; icon: IconName }> = {
  queued: { tone: 'idle', icon: 'clock' },
  running: { tone: 'busy', icon: 'spinner' },
  succeeded: { tone: 'ok', icon: 'check' },
  failed: { tone: 'bad', icon: 'cross' },
  cancelled: { tone: 'idle', icon: 'stop' },
};

export function JobStateBadge({ state }: { state: JobSnapshotDto['state'] }) {
  const { t } = useTranslation();
  return <Badge tone={JOB_LOOK[state].tone} icon={JOB_LOOK[state].icon} label={t(`jobs.states.${state}`)} />;
}
