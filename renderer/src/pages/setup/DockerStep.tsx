import { useTranslation } from 'react-i18next';
import type { StatusSnapshot } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ComponentStateBadge } from '../../components/Badge';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { useReasonText } from '../../hooks/useErrorText';
import { usePendingAction } from '../../hooks/usePendingAction';
import { findComponent } from '../../lib/status';
import { StepActions, type StepNav } from './StepActions';

/** Step 1: the engine as the app snapshot knows it; when it is not reachable, what to do and a re-check. */
export function DockerStep({
  snapshot,
  platform,
  onSnapshot,
  nav,
}: {
  snapshot: StatusSnapshot;
  platform: string;
  onSnapshot: (snapshot: StatusSnapshot) => void;
  nav: StepNav;
}) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const { pending, actionError, dismissError, run } = usePendingAction();
  const docker = findComponent(snapshot, 'docker');
  const reachable = docker?.state === 'running';
  const recheck = () => run('recheck', async () => onSnapshot(await invoke('status:refresh', {})));
  return (
    <>
      <p>{t('setup.docker.intro')}</p>
      <div className="setup-status" data-setup-docker={docker?.state ?? 'unknown'}>
        {docker ? <ComponentStateBadge state={docker.state} /> : null}
        <span>
          {reachable ? t('setup.docker.reachable') : (reasonText(docker?.reason ?? null) ?? docker?.detail)}
        </span>
      </div>
      {reachable ? null : (
        <Callout
          title={t('setup.docker.notReachable')}
          action={
            <button
              type="button"
              className="button"
              onClick={() => void recheck()}
              disabled={pending !== null}
            >
              <Icon name="refresh" />
              {pending === 'recheck' ? t('setup.docker.rechecking') : t('setup.docker.recheck')}
            </button>
          }
        >
          <p>{t(platform === 'win32' ? 'setup.docker.howWindows' : 'setup.docker.howOther')}</p>
        </Callout>
      )}
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      <StepActions nav={nav} />
    </>
  );
}
