import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DetectedProject } from '../../../../electron/contract';
import './DetectedList.css';

/** The Dify projects found from running containers' labels, each with a button to use it. */
export function DetectedList({
  projects,
  current,
  onPick,
  onClose,
}: {
  projects: readonly DetectedProject[];
  current: string;
  onPick: (dir: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  // Moving focus into the list tells keyboard users the answer arrived.
  const [listEl, setListEl] = useState<HTMLElement | null>(null);
  useEffect(() => {
    listEl?.focus();
  }, [listEl]);
  return (
    <section className="detected" aria-labelledby={headingId} ref={setListEl} tabIndex={-1}>
      <div className="detected__header">
        <h3 id={headingId} className="detected__title">
          {t('settings.difyDir.detectedTitle')}
        </h3>
        <button type="button" className="button button--quiet button--small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {projects.length === 0 ? (
        <p className="muted">{t('settings.difyDir.detectedNone')}</p>
      ) : (
        <ul className="detected__list">
          {projects.map((p) => (
            <li key={p.dir} className="detected__item">
              <div className="detected__info">
                <span className="mono detected__dir">{p.dir}</span>
                <span className="muted">
                  {t('settings.difyDir.detectedMeta', { project: p.project, count: p.services.length })}
                </span>
              </div>
              <button
                type="button"
                className="button button--small"
                disabled={p.dir === current}
                onClick={() => onPick(p.dir)}
              >
                {p.dir === current ? t('settings.difyDir.inUse') : t('settings.difyDir.use')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
