import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../electron/contract';
import { useErrorText } from '../hooks/useErrorText';
import { Icon } from './Icon';
import { ShowDetails } from './ShowDetails';
import './ErrorBox.css';

/**
 * An error as the user should see it: the translated message for its code (falling back to the English
 * message from main), and the raw detail — e.g. compose's own stderr — folded away in monospace.
 */
export function ErrorBox({
  error,
  tone = 'error',
  onDismiss,
}: {
  error: ErrorInfo;
  tone?: 'error' | 'warning';
  onDismiss?: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const detail = error.detail?.trim();
  return (
    <div className={`error-box error-box--${tone}`} data-error-code={error.code}>
      <Icon name="alert" className="error-box__icon" />
      <div className="error-box__body">
        <p className="error-box__message">{errorText(error)}</p>
        {detail ? <ShowDetails text={detail} /> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="button button--quiet error-box__dismiss" onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      ) : null}
    </div>
  );
}
