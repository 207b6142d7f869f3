import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupEntry } from '../../../../electron/env/contract';

/** Earlier versions of the env files, newest first; restoring one redeploys like Apply. */
export function BackupsPanel({
  backups,
  busy,
  onRestore,
}: {
  backups: readonly BackupEntry[];
  busy: boolean;
  onRestore: (backup: BackupEntry) => void;
}) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="backups-title">
      <h2 id="backups-title" className="panel__title">
        {t('timeouts.backups.title')}
      </h2>
      {backups.length === 0 ? (
        <p className="muted">{t('timeouts.backups.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="service-table backups-table">
            <thead>
              <tr>
                <th scope="col">{t('timeouts.backups.file')}</th>
                <th scope="col">{t('timeouts.backups.createdAt')}</th>
                <th scope="col">{t('timeouts.backups.size')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('timeouts.backups.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {backups.slice(0, 20).map((b) => {
                const id = `${b.file}/${b.id}`;
                return (
                  <tr key={id} data-backup={b.id}>
                    <td className="mono">{b.file}</td>
                    <td>{new Date(b.createdAt).toLocaleString(i18n.language)}</td>
                    <td className="num">{t('timeouts.backups.bytes', { count: b.size })}</td>
                    <td className="cell-action">
                      {confirming === id ? (
                        <>
                          <button
                            type="button"
                            className="button button--small button--primary"
                            disabled={busy}
                            onClick={() => {
                              setConfirming(null);
                              onRestore(b);
                            }}
                          >
                            {t('timeouts.backups.confirm')}
                          </button>{' '}
                          <button
                            type="button"
                            className="button button--small"
                            onClick={() => setConfirming(null)}
                          >
                            {t('timeouts.preview.cancel')}
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          className="button button--small"
                          disabled={busy}
                          onClick={() => setConfirming(id)}
                        >
                          {t('timeouts.backups.restore')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
