import { useTranslation } from 'react-i18next';
import { Callout } from '../../components/Callout';
import { sendsPasswordInClear, type UrlProblem } from './dify-url';
import { FieldError } from './FieldVerdict';
import { TextField } from './TextField';

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
  return (
    <>
      <TextField
        label={t('settings.difyUrl.label')}
        type="url"
        value={value}
        placeholder="http://localhost"
        invalid={problem !== null}
        onChange={onChange}
        message={
          problem ? (
            <FieldError text={t(`settings.difyUrl.problems.${problem}`)} />
          ) : (
            <span className="muted">{t('settings.difyUrl.hint')}</span>
          )
        }
      />
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
    </>
  );
}
