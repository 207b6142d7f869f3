import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChangePreview } from '../../../../electron/env/contract';
// The not-running notice is a bare callout box (no icon) inside the dialog.
import '../../components/Callout.css';
import './ApplyPreviewDialog.css';

/**
 * What Apply will do, before it does it: old → new per key with the file, the services that read the
 * keys (recreated), and those whose config also changes but can wait ("pending, harmless"), with the
 * option to do what a plain `docker compose up -d` would.
 */
export function ApplyPreviewDialog({
  preview,
  busy,
  onModeChange,
  onConfirm,
  onCancel,
}: {
  preview: ChangePreview;
  busy: boolean;
  onModeChange: (mode: 'readers' | 'full') => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmRef.current?.focus();
  }, []);
  const none = t('timeouts.page.none');
  const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : none);

  return (
    <div className="dialog-backdrop">
      <div
        className="dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="preview-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
        }}
      >
        <h2 id="preview-title" className="panel__title">
          {t('timeouts.preview.title')}
        </h2>
        <table className="service-table preview-table">
          <thead>
            <tr>
              <th scope="col">{t('timeouts.preview.key')}</th>
              <th scope="col">{t('timeouts.preview.change')}</th>
              <th scope="col">{t('timeouts.preview.file')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.entries.map((e) => (
              <tr key={e.key} data-key={e.key}>
                <th scope="row" className="mono">
                  {e.key}
                </th>
                <td className="mono">
                  {e.fileOld ?? e.old ?? t('timeouts.preview.unset')} → {e.new}
                </td>
                <td>
                  <span className="mono">{e.file}</span>
                  {e.createsFile ? <span className="tag">{t('timeouts.preview.newFile')}</span> : null}
                  <span className="muted"> {t(`timeouts.placement.${e.reason}`)}</span>
                  {e.noEffect ? (
                    <span className="tone-bad preview-table__warn">
                      {t(`timeouts.noEffect.${e.noEffect.reason}`, {
                        by: e.noEffect.by ?? '',
                        instead: e.noEffect.instead ?? '.env',
                      })}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl className="preview-lists">
          <dt>{t('timeouts.preview.recreate')}</dt>
          <dd data-testid="preview-recreate">{list(preview.recreate)}</dd>
          {preview.mode === 'readers' ? (
            <>
              <dt>{t('timeouts.preview.pending')}</dt>
              <dd data-testid="preview-pending">{list(preview.pending)}</dd>
            </>
          ) : null}
        </dl>
        {preview.mode === 'readers' && preview.pending.length > 0 ? (
          <p className="muted">{t('timeouts.preview.pendingHint')}</p>
        ) : null}
        <label className="preview-full">
          <input
            type="checkbox"
            checked={preview.mode === 'full'}
            disabled={busy}
            onChange={(e) => onModeChange(e.target.checked ? 'full' : 'readers')}
          />
          <span>{t('timeouts.preview.fullOption', { count: preview.upSet.length })}</span>
        </label>
        {!preview.running ? <p className="callout">{t('timeouts.preview.notRunning')}</p> : null}
        {preview.approximate ? <p className="muted">{t('timeouts.page.approximate')}</p> : null}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            {t('timeouts.preview.cancel')}
          </button>
          <button
            ref={confirmRef}
            type="button"
            className="button button--primary"
            onClick={onConfirm}
            disabled={busy}
          >
            {t(preview.running ? 'timeouts.preview.confirm' : 'timeouts.preview.confirmWriteOnly')}
          </button>
        </div>
      </div>
    </div>
  );
}
