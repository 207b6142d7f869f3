import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Callout } from '../../components/Callout';
import { sendsPasswordInClear, type UrlProblem } from './dify-url';
import { FieldError } from './FieldVerdict';

/**
 * Dify's address, checked as typed: Open Dify and the plugin uploads use it. `passwordSavedFor`: the
 * saved Dify password belongs to another origin, so it must be entered again for this URL.
 */
export function UrlField({
  value,
  problem,
  passwordSavedFor = null,
  onChange,
}: {
  value: string;
  problem: UrlProblem | null;
  passwordSavedFor?: string | null;
  onChange: (url: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const messageId = `${id}-message`;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {t('settings.difyUrl.label')}
      </label>
      <input
        id={id}
        className="input mono"
        type="url"
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder="http://localhost"
        aria-invalid={problem !== null}
        aria-describedby={messageId}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={messageId} className="field__message">
        {problem ? (
          <FieldError text={t(`settings.difyUrl.problems.${problem}`)} />
        ) : (
          <span className="muted">{t('settings.difyUrl.hint')}</span>
        )}
      </div>
      {problem === null && sendsPasswordInClear(value) ? (
        <Callout data-notice="plain-http">
          <p>{t('settings.difyUrl.plainHttp')}</p>
        </Callout>
      ) : null}
      {passwordSavedFor !== null && problem === null ? (
        <Callout data-notice="password-again">
          <p>{t('settings.difyUrl.passwordAgain', { origin: passwordSavedFor })}</p>
        </Callout>
      ) : null}
    </div>
  );
}
