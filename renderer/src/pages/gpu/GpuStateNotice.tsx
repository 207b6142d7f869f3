import { useTranslation } from 'react-i18next';
import type { GpuSummary } from '../../../../electron/contract';
import { Callout } from '../../components/Callout';
import { Icon } from '../../components/Icon';
import { ShowDetails } from '../../components/ShowDetails';
import { useErrorText } from '../../hooks/useErrorText';

/** i18n key part (`gpu.page.state.*`) of each state that has no reading to show. */
const STATE_KEYS = {
  off: 'off',
  'not-found': 'notFound',
  'no-gpu': 'noGpu',
  'driver-mismatch': 'driverMismatch',
  error: 'error',
} as const;

export type NoticeState = keyof typeof STATE_KEYS;

export function isNoticeState(state: GpuSummary['state']): state is NoticeState {
  return state in STATE_KEYS;
}

/**
 * Why there is no reading, and what to do: monitoring is off, nvidia-smi is missing, there is no NVIDIA
 * GPU, the driver and NVML do not match, or the sampler failed. main's error says what it found (where
 * it looked, nvidia-smi's own line); Settings is where the path and the switch are.
 */
export function GpuStateNotice({
  state,
  error,
  onOpenSettings,
}: {
  state: NoticeState;
  error: GpuSummary['error'];
  onOpenSettings: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const key = STATE_KEYS[state];
  const detail = error?.detail?.trim();
  return (
    <Callout
      title={t(`gpu.page.state.${key}.title`)}
      data-gpu-notice={state}
      role={state === 'off' ? undefined : 'alert'}
      action={
        <button type="button" className="button" onClick={onOpenSettings}>
          <Icon name="settings" />
          {t('gpu.page.openSettings')}
        </button>
      }
    >
      <p>{error ? errorText(error) : t(`gpu.page.state.${key}.text`)}</p>
      {detail ? <ShowDetails text={detail} /> : null}
    </Callout>
  );
}
