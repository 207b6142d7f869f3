import { useTranslation } from 'react-i18next';

/** Settings' way back into the first-run setup, at the end of the page (its fields come first). */
export function SetupReopenPanel({ onOpen }: { onOpen: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="settings-setup-title">
      <h2 id="settings-setup-title" className="panel__title">
        {t('setup.title')}
      </h2>
      <p className="muted">{t('setup.reopenHint')}</p>
      <div className="form-actions">
        <button type="button" className="button" onClick={onOpen}>
          {t('setup.openFromSettings')}
        </button>
      </div>
    </section>
  );
}
