import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DetectedProject, ErrorInfo, SettingsView } from '../../../../electron/contract';
import type { Settings } from '../../../../electron/settings/schema';
import { invoke, toErrorInfo } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { useDifyDirCheck, type DirCheckState } from './useDifyDirCheck';
import { useErrorText } from '../../hooks/useErrorText';
import { checkDifyUrl } from './dify-url';

type Form = Pick<Settings, 'difyDir' | 'difyUrl' | 'language'>;

function formOf(view: SettingsView): Form {
  return { difyDir: view.settings.difyDir, difyUrl: view.settings.difyUrl, language: view.settings.language };
}

function sameForm(a: Form, b: Form): boolean {
  return a.difyDir === b.difyDir && a.difyUrl === b.difyUrl && a.language === b.language;
}

export function SettingsPage({
  view,
  resolvedSystemLang,
  onSaved,
}: {
  view: SettingsView;
  resolvedSystemLang: 'ja' | 'en';
  onSaved: (view: SettingsView) => void;
}) {
  const { t } = useTranslation();
  const saved = formOf(view);
  const [form, setForm] = useState<Form>(saved);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null);
  const [justSaved, setJustSaved] = useState(false);
  const dirty = !sameForm(form, saved);

  // Settings changed elsewhere (tray, CLI) replace the form only while the user has nothing unsaved.
  const [seen, setSeen] = useState(view);
  if (view !== seen) {
    setSeen(view);
    if (!dirty) setForm(formOf(view));
  }

  const dirCheck = useDifyDirCheck(form.difyDir);
  const urlProblem = checkDifyUrl(form.difyUrl);
  const dirBlocks = dirCheck.kind === 'checking' || (dirCheck.kind === 'done' && !dirCheck.result.ok);
  const canSave = dirty && !saving && urlProblem === null && !dirBlocks;

  const update = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setJustSaved(false);
    setSaveError(null);
  };

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const next = await invoke('settings:update', {
        difyDir: form.difyDir.trim(),
        difyUrl: form.difyUrl.trim(),
        language: form.language,
      });
      onSaved(next);
      setForm(formOf(next));
      setJustSaved(true);
    } catch (e) {
      setSaveError(toErrorInfo(e));
    } finally {
      setSaving(false);
    }
  };

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
          <UrlField value={form.difyUrl} problem={urlProblem} onChange={(difyUrl) => update({ difyUrl })} />
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
          <button type="button" className="button" disabled={!dirty || saving} onClick={() => update(saved)}>
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
      <p className="muted settings-path">
        {t('settings.file')} <span className="mono">{view.path}</span>
      </p>
    </>
  );
}

function DifyDirField({
  value,
  check,
  onChange,
}: {
  value: string;
  check: DirCheckState;
  onChange: (dir: string) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const id = useId();
  const [busy, setBusy] = useState<'browse' | 'detect' | null>(null);
  const [detected, setDetected] = useState<DetectedProject[] | null>(null);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);

  const browse = async () => {
    setBusy('browse');
    setActionError(null);
    try {
      const { dir } = await invoke('settings:pickDifyDir', {});
      if (dir !== null) onChange(dir);
    } catch (e) {
      setActionError(toErrorInfo(e));
    } finally {
      setBusy(null);
    }
  };

  const detect = async () => {
    setBusy('detect');
    setActionError(null);
    try {
      setDetected(await invoke('settings:detectDifyDir', {}));
    } catch (e) {
      setDetected(null);
      setActionError(toErrorInfo(e));
    } finally {
      setBusy(null);
    }
  };

  const messageId = `${id}-message`;
  const invalid = check.kind === 'done' && !check.result.ok;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {t('settings.difyDir.label')}
      </label>
      <div className="field__row">
        <input
          id={id}
          className="input mono"
          type="text"
          value={value}
          spellCheck={false}
          autoComplete="off"
          placeholder={t('settings.difyDir.placeholder')}
          aria-invalid={invalid}
          aria-describedby={messageId}
          onChange={(e) => onChange(e.target.value)}
        />
        <button type="button" className="button" disabled={busy !== null} onClick={() => void browse()}>
          <Icon name="folder" />
          {t('settings.difyDir.browse')}
        </button>
        <button type="button" className="button" disabled={busy !== null} onClick={() => void detect()}>
          <Icon name="search" />
          {busy === 'detect' ? t('settings.difyDir.detecting') : t('settings.difyDir.detect')}
        </button>
      </div>
      <div id={messageId} className="field__message" aria-live="polite">
        <DirCheckMessage check={check} errorText={errorText} />
      </div>
      {actionError ? <ErrorBox error={actionError} onDismiss={() => setActionError(null)} /> : null}
      {detected !== null ? (
        <DetectedList
          projects={detected}
          current={value.trim()}
          onPick={(dir) => {
            onChange(dir);
            setDetected(null);
          }}
          onClose={() => setDetected(null)}
        />
      ) : null}
    </div>
  );
}

function DirCheckMessage({
  check,
  errorText,
}: {
  check: DirCheckState;
  errorText: (e: ErrorInfo) => string;
}) {
  const { t } = useTranslation();
  switch (check.kind) {
    case 'empty':
      return <span className="muted">{t('settings.difyDir.emptyHint')}</span>;
    case 'checking':
      return <span className="muted">{t('settings.difyDir.checking')}</span>;
    case 'failed':
      return <FieldError text={errorText(check.error)} />;
    case 'done':
      if (check.result.ok) {
        return (
          <span className="tone-ok field__ok">
            <Icon name="check" />
            {t('settings.difyDir.ok', { file: fileName(check.result.composeFile) ?? 'docker-compose.yaml' })}
          </span>
        );
      }
      return check.result.error ? (
        <FieldError text={errorText(check.result.error)} detail={check.result.error.detail} />
      ) : (
        <FieldError text={t('settings.difyDir.invalid')} />
      );
  }
}

/** The last part of a path, whichever separator the OS used. */
function fileName(path: string | null): string | null {
  return path === null ? null : (path.split(/[\\/]/).pop() ?? path);
}

function FieldError({ text, detail }: { text: string; detail?: string | undefined }) {
  const { t } = useTranslation();
  return (
    <span className="field__error">
      <span className="tone-bad field__error-line">
        <Icon name="alert" />
        {text}
      </span>
      {detail?.trim() ? (
        <details className="error-box__details">
          <summary>{t('common.showDetails')}</summary>
          <pre className="mono-block">{detail.trim()}</pre>
        </details>
      ) : null}
    </span>
  );
}

function DetectedList({
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

function UrlField({
  value,
  problem,
  onChange,
}: {
  value: string;
  problem: ReturnType<typeof checkDifyUrl>;
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
    </div>
  );
}
