import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DifyConnectionDto, TestLoginResultDto } from '../../../../electron/plugins/contract';
import { invoke } from '../../api';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { usePendingAction } from '../../hooks/usePendingAction';
import { passwordOtherOrigin, sendsPasswordInClear } from '../settings/dify-url';
import './DifyConnectionPanel.css';

/**
 * Where Dify is and how to log in: the URL (a setting), the e-mail (a setting) and the password
 * (encrypted by the OS; the field never shows it back), with "Test login".
 */
export function DifyConnectionPanel({
  connection,
  onChanged,
}: {
  connection: DifyConnectionDto;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [url, setUrl] = useState(connection.url);
  const [email, setEmail] = useState(connection.email);
  const [password, setPassword] = useState('');
  const { pending: busy, actionError: error, dismissError, run } = usePendingAction();
  const [saved, setSaved] = useState(false);
  const [login, setLogin] = useState<TestLoginResultDto | null>(null);
  // Saved values changed (here or elsewhere): show them. Adjusting state while rendering is React's
  // pattern for state derived from props; an effect would render the old values once first.
  const [seen, setSeen] = useState({ url: connection.url, email: connection.email });
  if (seen.url !== connection.url || seen.email !== connection.email) {
    setSeen({ url: connection.url, email: connection.email });
    setUrl(connection.url);
    setEmail(connection.email);
  }

  // The saved password belongs to another origin than the URL in the field: it will not be sent there.
  const passwordSavedFor = password === '' ? passwordOtherOrigin(connection, url) : null;
  const dirty = url.trim() !== connection.url || email.trim() !== connection.email || password !== '';

  const save = async (): Promise<void> => {
    if (url.trim() !== connection.url) await invoke('settings:update', { difyUrl: url.trim() });
    await invoke('dify:setConnection', {
      email: email.trim(),
      ...(password !== '' ? { password } : {}),
    });
    setPassword('');
    onChanged();
  };

  // Test login saves first: it must try what the user sees in the fields.
  const submit = (kind: 'save' | 'test') =>
    run(kind, async () => {
      setSaved(false);
      setLogin(null);
      if (dirty) await save();
      if (kind === 'save') setSaved(true);
      else setLogin(await invoke('dify:testLogin', {}));
    });

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        {t('plugins.connection.title')}
      </h2>
      <form
        className="connection-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void submit('save');
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-url`} className="field__label">
            {t('plugins.connection.url')}
          </label>
          <input
            id={`${id}-url`}
            className="input mono"
            type="url"
            value={url}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`} className="field__label">
            {t('plugins.connection.email')}
          </label>
          <input
            id={`${id}-email`}
            className="input"
            type="email"
            value={email}
            autoComplete="username"
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`} className="field__label">
            {t('plugins.connection.password')}
          </label>
          <input
            id={`${id}-password`}
            className="input"
            type="password"
            value={password}
            autoComplete="current-password"
            disabled={!connection.canStorePassword}
            placeholder={
              passwordSavedFor !== null
                ? t('plugins.connection.passwordAgain')
                : connection.hasPassword
                  ? t('plugins.connection.passwordSaved')
                  : t('plugins.connection.passwordEmpty')
            }
            aria-describedby={`${id}-password-hint`}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span id={`${id}-password-hint`} className="field__message muted">
            {connection.canStorePassword
              ? t('plugins.connection.passwordHint')
              : t('plugins.connection.passwordUnavailable')}
          </span>
        </div>
        {sendsPasswordInClear(url) ? (
          <Callout data-notice="plain-http">
            <p>{t('plugins.connection.plainHttp')}</p>
          </Callout>
        ) : null}
        {passwordSavedFor !== null ? (
          <Callout data-notice="password-again">
            <p>{t('plugins.connection.passwordForOtherUrl', { origin: passwordSavedFor })}</p>
          </Callout>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy !== null || !dirty}>
            {t('plugins.connection.save')}
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={busy !== null}
            onClick={() => void submit('test')}
          >
            {busy === 'test' ? <Icon name="spinner" className="icon-spin" /> : null}
            {t('plugins.connection.test')}
          </button>
          <span className="form-actions__status" role="status" aria-live="polite">
            {saved ? t('plugins.connection.saved') : null}
            {login ? (
              <span className="tone-ok" data-login-ok="true">
                {t('plugins.connection.loginOk', {
                  count: login.installedCount,
                  era: t(`plugins.connection.era.${login.era}`),
                })}
              </span>
            ) : null}
          </span>
        </div>
      </form>
      {error ? <ErrorBox error={error} onDismiss={dismissError} /> : null}
    </section>
  );
}
