import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../electron/contract';
import { invoke } from '../../api';
import { findComponent } from '../../lib/status';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import { resolveLang } from '../../lib/lang';
import { SetupReopenPanel } from '../setup/SetupReopenPanel';
import type { PageProps } from '../page-types';
import { DiagnosticsSection } from './DiagnosticsSection';
import { DifyDirField } from './DifyDirField';
import { FieldError } from './FieldVerdict';
import { GpuSettings } from './GpuSettings';
import { NotificationSettings } from './NotificationSettings';
import { logBufferLinesOf } from './log-settings';
import { checkDifyUrl, passwordOtherOrigin } from './dify-url';
import {
  hasProblems,
  processFormOf,
  processFormProblems,
  processPatchOf,
  sameProcessForm,
  type ProcessForm,
} from './process-settings';
import { ProcessSettings } from './ProcessSettings';
import { TextField } from './TextField';
import { UrlField } from './UrlField';
import { useDifyDirCheck } from './useDifyDirCheck';
import { a1111DirBlocks, useProcessChecks } from './useProcessChecks';
import './SettingsPage.css';

type Form = Pick<SettingsView['settings'], 'difyDir' | 'difyUrl' | 'language' | 'pythonPath'> & {
  /** As typed; a number only once it is one (log-settings.ts). */
  logBufferLines: string;
};

function formOf(view: SettingsView): Form {
  const { difyDir, difyUrl, language, logBufferLines, pythonPath } = view.settings;
  return { difyDir, difyUrl, language, logBufferLines: String(logBufferLines), pythonPath };
}

function sameForm(a: Form, b: Form): boolean {
  return (
    a.difyDir === b.difyDir &&
    a.difyUrl === b.difyUrl &&
    a.language === b.language &&
    a.logBufferLines === b.logBufferLines &&
    a.pythonPath === b.pythonPath
  );
}

/**
 * The Dify folder and URL, Ollama's and A1111's settings — checked as typed — the lines the log
 * viewer keeps, the Python for plugin debugging, and the display language; saved together.
 */
export function SettingsPage({
  settingsView: view,
  appInfo,
  snapshot,
  app,
}: PageProps<'settingsView' | 'appInfo' | 'snapshot'>) {
  const { t } = useTranslation();
  const resolvedSystemLang = resolveLang('system', appInfo.systemLocale);
  const saved = formOf(view);
  const savedProcesses = processFormOf(view.settings);
  const [form, setForm] = useState<Form>(saved);
  const [processes, setProcesses] = useState<ProcessForm>(savedProcesses);
  const { pending, actionError: saveError, dismissError, run } = usePendingAction();
  const saving = pending === 'save';
  const [justSaved, setJustSaved] = useState(false);
  const dirty = !sameForm(form, saved) || !sameProcessForm(processes, savedProcesses);

  // Settings changed elsewhere (tray, CLI) replace the form only while the user has nothing unsaved.
  const [seen, setSeen] = useState(view);
  if (view !== seen) {
    setSeen(view);
    if (!dirty) {
      setForm(formOf(view));
      setProcesses(processFormOf(view.settings));
    }
  }

  const dirCheck = useDifyDirCheck(form.difyDir);
  const urlProblem = checkDifyUrl(form.difyUrl);
  // The saved password is tied to the URL's origin: say so before (and after) the URL moves away.
  const { data: connection } = useQuery(() => invoke('dify:getConnection', {}), [view.settings.difyUrl]);
  const passwordSavedFor = connection ? passwordOtherOrigin(connection, form.difyUrl) : null;
  const dirBlocks = dirCheck.kind === 'checking' || (dirCheck.kind === 'done' && !dirCheck.result.ok);
  const processProblems = processFormProblems(processes);
  const processChecks = useProcessChecks(processes);
  const logLines = logBufferLinesOf(form.logBufferLines);
  const canSave =
    dirty &&
    !saving &&
    urlProblem === null &&
    !dirBlocks &&
    !hasProblems(processProblems) &&
    !a1111DirBlocks(processes, processChecks) &&
    logLines !== null;

  const touched = () => {
    setJustSaved(false);
    dismissError();
  };
  const update = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    touched();
  };
  const updateProcesses = (patch: Partial<ProcessForm>) => {
    setProcesses((f) => ({ ...f, ...patch }));
    touched();
  };
  const revert = () => {
    update(saved);
    updateProcesses(savedProcesses);
  };

  const save = () =>
    run('save', async () => {
      const next = await invoke('settings:update', {
        difyDir: form.difyDir.trim(),
        difyUrl: form.difyUrl.trim(),
        language: form.language,
        logBufferLines: logLines ?? view.settings.logBufferLines,
        pythonPath: form.pythonPath.trim(),
        ...processPatchOf(processes),
      });
      app.acceptSettings(next);
      setForm(formOf(next));
      setProcesses(processFormOf(next.settings));
      setJustSaved(true);
    });

  return (
    <>
      <PageHeader title={t('settings.title')} />
      {view.warning ? <ErrorBox error={view.warning} tone="warning" /> : null}
      <form
        className="settings-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canSave) void save();
        }}
      >
        <section className="panel" aria-labelledby="settings-dify-title">
          <h2 id="settings-dify-title" className="panel__title">
            {t('settings.dify.title')}
          </h2>
          <DifyDirField value={form.difyDir} check={dirCheck} onChange={(difyDir) => update({ difyDir })} />
          <UrlField
            value={form.difyUrl}
            problem={urlProblem}
            passwordSavedFor={passwordSavedFor}
            onChange={(difyUrl) => update({ difyUrl })}
          />
        </section>

        <ProcessSettings
          form={processes}
          problems={processProblems}
          checks={processChecks}
          ollamaRunning={findComponent(snapshot, 'ollama')?.state === 'running'}
          onChange={updateProcesses}
        />

        <section className="panel log-settings" aria-labelledby="settings-logs-title">
          <h2 id="settings-logs-title" className="panel__title">
            {t('logs.settings.title')}
          </h2>
          <TextField
            label={t('logs.settings.bufferLines.label')}
            value={form.logBufferLines}
            placeholder="100000"
            narrow
            inputMode="numeric"
            invalid={logLines === null}
            live
            onChange={(logBufferLines) => update({ logBufferLines })}
            message={
              logLines === null ? (
                <FieldError text={t('logs.settings.bufferLines.invalid')} />
              ) : (
                <span className="muted">{t('logs.settings.bufferLines.hint')}</span>
              )
            }
          />
        </section>

        <section className="panel" aria-labelledby="settings-plugin-debug-title">
          <h2 id="settings-plugin-debug-title" className="panel__title">
            {t('plugins.debug.settings.title')}
          </h2>
          <TextField
            label={t('plugins.debug.settings.pythonPath.label')}
            value={form.pythonPath}
            placeholder={appInfo.platform === 'win32' ? 'C:\\Python312\\python.exe' : '/usr/bin/python3'}
            onChange={(pythonPath) => update({ pythonPath })}
            message={
              <span className="muted">
                {t(
                  appInfo.platform === 'win32'
                    ? 'plugins.debug.settings.pythonPath.hintWindows'
                    : 'plugins.debug.settings.pythonPath.hintOther',
                )}
              </span>
            }
          />
        </section>

        <section className="panel" aria-labelledby="settings-display-title">
          <h2 id="settings-display-title" className="panel__title">
            {t('settings.display.title')}
          </h2>
          <div className="field">
            <label htmlFor="settings-language" className="field__label">
              {t('settings.language.label')}
            </label>
            <select
              id="settings-language"
              className="select"
              value={form.language}
              onChange={(e) => update({ language: e.target.value as Form['language'] })}
            >
              <option value="system">
                {t('settings.language.system', {
                  current: t(`settings.language.names.${resolvedSystemLang}`),
                })}
              </option>
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </div>
        </section>

        {saveError ? <ErrorBox error={saveError} /> : null}

        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={!canSave}>
            {saving ? t('settings.saving') : t('settings.save')}
          </button>
          <button type="button" className="button" disabled={!dirty || saving} onClick={revert}>
            {t('settings.revert')}
          </button>
          <span className="form-actions__status" role="status">
            {justSaved && !dirty ? (
              <>
                <Icon name="check" className="tone-ok" />
                {t('settings.saved')}
              </>
            ) : dirty ? (
              t('settings.unsaved')
            ) : (
              ''
            )}
          </span>
        </div>
      </form>
      <GpuSettings view={view} platform={appInfo.platform} onSaved={app.acceptSettings} />
      <NotificationSettings view={view} onSaved={app.acceptSettings} />
      <SetupReopenPanel onOpen={() => app.openPage('setup')} />
      <DiagnosticsSection />
      <p className="muted settings-path">
        {t('settings.file')} <span className="mono">{view.path}</span>
      </p>
    </>
  );
}
