import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { usePendingAction } from '../../hooks/usePendingAction';
import { FieldError } from './FieldVerdict';
import {
  gpuFormOf,
  gpuFormProblems,
  gpuPatchOf,
  hasGpuProblems,
  sameGpuForm,
  type GpuForm,
} from './gpu-settings';
import { CheckField } from './ProcessSettings';
import { TextField } from './TextField';
import './GpuSettings.css';

/**
 * The GPU monitor: on/off, where nvidia-smi is, and when VRAM use counts as an alert (the tray's badge
 * and notification). Its own form, saved on its own with `settings:update` (only these four keys), so
 * the page's other sections keep whatever the user has not saved there.
 */
export function GpuSettings({
  view,
  platform,
  onSaved,
}: {
  view: SettingsView;
  platform: string;
  onSaved: (view: SettingsView) => void;
}) {
  const { t } = useTranslation();
  const saved = gpuFormOf(view.settings);
  const [form, setForm] = useState<GpuForm>(saved);
  const { pending, actionError, dismissError, run } = usePendingAction();
  const [justSaved, setJustSaved] = useState(false);
  const dirty = !sameGpuForm(form, saved);
  const problems = gpuFormProblems(form);
  const saving = pending === 'save';
  const canSave = dirty && !saving && !hasGpuProblems(problems);

  // Saved elsewhere (tray, CLI, another window): taken over while nothing here is unsaved.
  const [seen, setSeen] = useState(view);
  if (view !== seen) {
    setSeen(view);
    if (!dirty) setForm(gpuFormOf(view.settings));
  }

  const update = (patch: Partial<GpuForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setJustSaved(false);
    dismissError();
  };
  const save = () =>
    run('save', async () => {
      const next = await invoke('settings:update', gpuPatchOf(form));
      onSaved(next);
      setForm(gpuFormOf(next.settings));
      setJustSaved(true);
    });

  const windows = platform === 'win32';
  return (
    <form
      className="panel gpu-settings"
      aria-labelledby="settings-gpu-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (canSave) void save();
      }}
    >
      <h2 id="settings-gpu-title" className="panel__title">
        {t('settings.gpu.title')}
      </h2>
      <CheckField
        label={t('settings.gpu.monitoring.label')}
        hint={t('settings.gpu.monitoring.hint')}
        checked={form.gpuMonitoring}
        onChange={(gpuMonitoring) => update({ gpuMonitoring })}
      />
      <TextField
        label={t('settings.gpu.smiPath.label')}
        value={form.nvidiaSmiPath}
        placeholder={windows ? 'C:\\Windows\\System32\\nvidia-smi.exe' : '/usr/bin/nvidia-smi'}
        onChange={(nvidiaSmiPath) => update({ nvidiaSmiPath })}
        message={
          <span className="muted">
            {t(windows ? 'settings.gpu.smiPath.hintWindows' : 'settings.gpu.smiPath.hintOther')}
          </span>
        }
      />
      <div className="gpu-settings__alert">
        <TextField
          label={t('settings.gpu.alertPercent.label')}
          value={form.vramAlertPercent}
          placeholder="90"
          narrow
          inputMode="numeric"
          invalid={problems.vramAlertPercent !== null}
          live
          onChange={(vramAlertPercent) => update({ vramAlertPercent })}
          message={
            problems.vramAlertPercent ? <FieldError text={t('settings.gpu.alertPercent.invalid')} /> : null
          }
        />
        <TextField
          label={t('settings.gpu.alertSeconds.label')}
          value={form.vramAlertSeconds}
          placeholder="30"
          narrow
          inputMode="numeric"
          invalid={problems.vramAlertSeconds !== null}
          live
          onChange={(vramAlertSeconds) => update({ vramAlertSeconds })}
          message={
            problems.vramAlertSeconds ? <FieldError text={t('settings.gpu.alertSeconds.invalid')} /> : null
          }
        />
      </div>
      <p className="muted gpu-settings__hint">{t('settings.gpu.alertHint')}</p>

      {actionError ? <ErrorBox error={actionError} /> : null}
      <div className="form-actions">
        <button type="submit" className="button" disabled={!canSave}>
          {saving ? t('settings.gpu.saving') : t('settings.gpu.save')}
        </button>
        <span className="form-actions__status" role="status">
          {justSaved && !dirty ? (
            <>
              <Icon name="check" className="tone-ok" />
              {t('settings.gpu.saved')}
            </>
          ) : dirty ? (
            t('settings.gpu.unsaved')
          ) : (
            ''
          )}
        </span>
      </div>
    </form>
  );
}
