import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DetectedProject, ErrorInfo } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { useErrorText } from '../../hooks/useErrorText';
import { usePendingAction } from '../../hooks/usePendingAction';
import { DetectedList } from './DetectedList';
import { FieldError, FieldOk } from './FieldVerdict';
import type { DirCheckState } from './useDifyDirCheck';
import './DifyDirField.css';

/** The Dify folder: typed, picked with Browse, or chosen from the projects Detect finds. */
export function DifyDirField({
  value,
  check,
  onChange,
}: {
  value: string;
  check: DirCheckState;
  onChange: (dir: string) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const id = useId();
  const { pending, actionError, dismissError, run } = usePendingAction();
  const [detected, setDetected] = useState<DetectedProject[] | null>(null);

  const browse = () =>
    run('browse', async () => {
      const { dir } = await invoke('settings:pickDifyDir', {});
      if (dir !== null) onChange(dir);
    });

  const detect = () =>
    run('detect', async () => {
      try {
        setDetected(await invoke('settings:detectDifyDir', {}));
      } catch (e) {
        setDetected(null);
        throw e;
      }
    });

  const messageId = `${id}-message`;
  const invalid = check.kind === 'done' && !check.result.ok;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {t('settings.difyDir.label')}
      </label>
      <div className="field__row">
        <input
          id={id}
          className="input mono"
          type="text"
          value={value}
          spellCheck={false}
          autoComplete="off"
          placeholder={t('settings.difyDir.placeholder')}
          aria-invalid={invalid}
          aria-describedby={messageId}
          onChange={(e) => onChange(e.target.value)}
        />
        <button type="button" className="button" disabled={pending !== null} onClick={() => void browse()}>
          <Icon name="folder" />
          {t('settings.difyDir.browse')}
        </button>
        <button type="button" className="button" disabled={pending !== null} onClick={() => void detect()}>
          <Icon name="search" />
          {pending === 'detect' ? t('settings.difyDir.detecting') : t('settings.difyDir.detect')}
        </button>
      </div>
      <div id={messageId} className="field__message" aria-live="polite">
        <DirCheckMessage check={check} errorText={errorText} />
      </div>
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      {detected !== null ? (
        <DetectedList
          projects={detected}
          current={value.trim()}
          onPick={(dir) => {
            onChange(dir);
            setDetected(null);
          }}
          onClose={() => setDetected(null)}
        />
      ) : null}
    </div>
  );
}

function DirCheckMessage({
  check,
  errorText,
}: {
  check: DirCheckState;
  errorText: (e: ErrorInfo) => string;
}) {
  const { t } = useTranslation();
  switch (check.kind) {
    case 'empty':
      return <span className="muted">{t('settings.difyDir.emptyHint')}</span>;
    case 'checking':
      return <span className="muted">{t('settings.difyDir.checking')}</span>;
    case 'failed':
      return <FieldError text={errorText(check.error)} />;
    case 'done':
      if (check.result.ok) {
        return (
          <FieldOk
            text={t('settings.difyDir.ok', {
              file: fileName(check.result.composeFile) ?? 'docker-compose.yaml',
            })}
          />
        );
      }
      return check.result.error ? (
        <FieldError text={errorText(check.result.error)} detail={check.result.error.detail} />
      ) : (
        <FieldError text={t('settings.difyDir.invalid')} />
      );
  }
}

/** The last part of a path, whichever separator the OS used. */
function fileName(path: string | null): string | null {
  return path === null ? null : (path.split(/[\\/]/).pop() ?? path);
}
