import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { usePendingAction } from '../../hooks/usePendingAction';
import './NotificationSettings.css';

const TOGGLES = ['notifyStack', 'notifyJobs', 'notifyVram', 'notifyPluginErrors'] as const;
type Toggle = (typeof TOGGLES)[number];

/**
 * Which notifications the app shows (electron/notifications), each kind on its own. A switch saves as
 * soon as it is flipped, with only its own key: there is nothing to review before saving one on/off,
 * and the page's other sections keep whatever the user has not saved there.
 */
export function NotificationSettings({
  view,
  onSaved,
}: {
  view: SettingsView;
  onSaved: (view: SettingsView) => void;
}) {
  const { t } = useTranslation();
  const { pending, actionError, run } = usePendingAction();
  /** The value being saved, shown while the request is in flight. */
  const [asked, setAsked] = useState<{ key: Toggle; value: boolean } | null>(null);
  const [savedKey, setSavedKey] = useState<Toggle | null>(null);
  // A file from a newer app is never written (electron/settings/store.ts); the page says why above.
  const readOnly = view.warning?.code === 'SETTINGS_NEWER_VERSION';

  const flip = (key: Toggle, value: boolean) => {
    setAsked({ key, value });
    setSavedKey(null);
    void run(key, async () => {
      try {
        onSaved(await invoke('settings:update', { [key]: value }));
        setSavedKey(key);
      } finally {
        setAsked(null);
      }
    });
  };

  return (
    <section className="panel notification-settings" aria-labelledby="settings-notifications-title">
      <h2 id="settings-notifications-title" className="panel__title">
        {t('settings.notifications.title')}
      </h2>
      <p className="muted">{t('settings.notifications.intro')}</p>
      <ul className="notification-settings__list">
        {TOGGLES.map((key) => (
          <li key={key}>
            <label className="check">
              <input
                type="checkbox"
                name={key}
                checked={asked?.key === key ? asked.value : view.settings[key]}
                disabled={pending !== null || readOnly}
                onChange={(e) => flip(key, e.target.checked)}
              />
              <span>{t(`settings.notifications.${key}`)}</span>
            </label>
            <span className="notification-settings__status" role="status">
              {savedKey === key ? (
                <>
                  <Icon name="check" className="tone-ok" />
                  {t('settings.notifications.saved')}
                </>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      {actionError ? <ErrorBox error={actionError} /> : null}
    </section>
  );
}
