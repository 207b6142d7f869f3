import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo, FieldCheck } from '../../../../electron/contract';
import { Callout } from '../../components/Callout';
import { useErrorText } from '../../hooks/useErrorText';
import { FieldError, FieldOk } from './FieldVerdict';
import { TextField } from './TextField';
import {
  ollamaHostNotes,
  toggleComponent,
  type ProcessForm,
  type ProcessFormProblems,
} from './process-settings';
import { STACK_ORDER } from '../../lib/processes';
import type { ProcessCheckState, ProcessChecks } from './useProcessChecks';
import './ProcessSettings.css';

/**
 * The "Ollama & AUTOMATIC1111" section: where each program is and how it is started, what Start stack
 * includes, and the URLs Dify's containers use for them (what the connection check tries).
 */
export function ProcessSettings({
  form,
  problems,
  checks,
  ollamaRunning,
  onChange,
}: {
  form: ProcessForm;
  problems: ProcessFormProblems;
  checks: ProcessCheckState;
  /** An Ollama already answering is used as it is: its executable matters only for starting one. */
  ollamaRunning: boolean;
  onChange: (patch: Partial<ProcessForm>) => void;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel process-settings" aria-labelledby="settings-processes-title">
      <h2 id="settings-processes-title" className="panel__title">
        {t('settings.processes.title')}
      </h2>

      <h3 className="process-settings__subtitle">{t('stack.component.ollama')}</h3>
      <TextField
        label={t('settings.processes.ollamaPath.label')}
        value={form.ollamaPath}
        placeholder={t('settings.processes.ollamaPath.placeholder')}
        live
        onChange={(ollamaPath) => onChange({ ollamaPath })}
        message={
          <CheckMessage
            checks={checks}
            field="ollamaPath"
            ok={found}
            notNeeded={ollamaRunning ? t('settings.processes.ollamaPath.notNeededWhileRunning') : null}
          />
        }
      />
      <TextField
        label={t('settings.processes.ollamaHost.label')}
        value={form.ollamaHost}
        placeholder="127.0.0.1:11434"
        invalid={problems.ollamaHost !== null}
        onChange={(ollamaHost) => onChange({ ollamaHost })}
        message={<HostNotes host={form.ollamaHost} />}
      />
      <EnvField
        value={form.ollamaEnv}
        problem={problems.ollamaEnv}
        onChange={(ollamaEnv) => onChange({ ollamaEnv })}
      />

      <h3 className="process-settings__subtitle">{t('settings.processes.a1111Title')}</h3>
      <TextField
        label={t('settings.processes.a1111Dir.label')}
        value={form.a1111Dir}
        placeholder={t('settings.processes.a1111Dir.placeholder')}
        live
        onChange={(a1111Dir) => onChange({ a1111Dir })}
        message={
          form.a1111Dir.trim() === '' ? (
            <span className="muted">{t('settings.processes.a1111Dir.emptyHint')}</span>
          ) : (
            <CheckMessage checks={checks} field="a1111Dir" ok={found} />
          )
        }
      />
      <TextField
        label={t('settings.processes.a1111Port.label')}
        value={form.a1111Port}
        placeholder="7860"
        narrow
        inputMode="numeric"
        invalid={problems.a1111Port !== null}
        live
        onChange={(a1111Port) => onChange({ a1111Port })}
        message={
          problems.a1111Port !== null ? (
            <FieldError text={t('settings.processes.a1111Port.invalid')} />
          ) : (
            <CheckMessage
              checks={checks}
              field="a1111Port"
              ok={() => <span className="muted">{t('settings.processes.a1111Port.hint')}</span>}
            />
          )
        }
      />
      <TextField
        label={t('settings.processes.a1111Args.label')}
        value={form.a1111Args}
        placeholder="--xformers --medvram"
        onChange={(a1111Args) => onChange({ a1111Args })}
        message={<span className="muted">{t('settings.processes.a1111Args.hint')}</span>}
      />
      <CheckField
        label={t('settings.processes.a1111Listen.label')}
        hint={t('settings.processes.a1111Listen.hint')}
        checked={form.a1111Listen}
        onChange={(a1111Listen) => onChange({ a1111Listen })}
      />
      {form.a1111Listen ? (
        <Callout data-notice="a1111-listen">
          <p>{t('settings.processes.a1111Listen.warning')}</p>
        </Callout>
      ) : null}

      <h3 className="process-settings__subtitle">{t('settings.processes.stackTitle')}</h3>
      <fieldset className="field process-settings__choices">
        <legend className="field__label">{t('settings.processes.stackComponents.legend')}</legend>
        <div className="process-settings__checks">
          {STACK_ORDER.map((id) => (
            <label key={id} className="check">
              <input
                type="checkbox"
                checked={form.stackComponents.includes(id)}
                onChange={(e) =>
                  onChange({ stackComponents: toggleComponent(form.stackComponents, id, e.target.checked) })
                }
              />
              {t(`stack.component.${id}`)}
            </label>
          ))}
        </div>
        <p className="field__message muted">{t('settings.processes.stackComponents.hint')}</p>
      </fieldset>
      <CheckField
        label={t('settings.processes.autoRestart.label')}
        hint={t('settings.processes.autoRestart.hint')}
        checked={form.autoRestart}
        onChange={(autoRestart) => onChange({ autoRestart })}
      />

      <h3 className="process-settings__subtitle">{t('settings.processes.urlsTitle')}</h3>
      <p className="muted process-settings__intro">{t('settings.processes.urlsHint')}</p>
      <TextField
        label={t('settings.processes.ollamaUrlFromDify.label')}
        value={form.ollamaUrlFromDify}
        placeholder="http://host.docker.internal:11434"
        invalid={problems.ollamaUrlFromDify !== null}
        onChange={(ollamaUrlFromDify) => onChange({ ollamaUrlFromDify })}
        message={<UrlProblem problem={problems.ollamaUrlFromDify} />}
      />
      <TextField
        label={t('settings.processes.a1111UrlFromDify.label')}
        value={form.a1111UrlFromDify}
        placeholder="http://host.docker.internal:7860"
        invalid={problems.a1111UrlFromDify !== null}
        onChange={(a1111UrlFromDify) => onChange({ a1111UrlFromDify })}
        message={<UrlProblem problem={problems.a1111UrlFromDify} />}
      />
    </section>
  );
}

export function CheckField({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={`${id}-hint`}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="field__label">{label}</span>
      </label>
      <p id={`${id}-hint`} className="field__message muted check__hint">
        {hint}
      </p>
    </div>
  );
}

/** A path check's good answer: what it found (the executable, the launcher). */
function found(what: string | null): ReactNode {
  return what === null ? null : <FoundText found={what} />;
}

function FoundText({ found: what }: { found: string }) {
  const { t } = useTranslation();
  return <FieldOk text={t('settings.processes.found', { found: what })} />;
}

/** Main's verdict on one field: checking, fine (`ok` says how), or what is wrong. */
function CheckMessage({
  checks,
  field,
  ok,
  notNeeded = null,
}: {
  checks: ProcessCheckState;
  field: keyof ProcessChecks;
  ok: (found: string | null) => ReactNode;
  /** Said instead of the error when the value is not needed now (nothing blocks, so no alarm). */
  notNeeded?: string | null;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  if (checks.kind === 'checking') return <span className="muted">{t('settings.processes.checking')}</span>;
  if (checks.kind === 'failed') return <FieldError text={errorText(checks.error)} />;
  const verdict: FieldCheck = checks.result[field];
  if (verdict.ok) return ok(verdict.found);
  if (notNeeded !== null) {
    return (
      <span className="muted" data-verdict="not-needed">
        {notNeeded} {verdict.error ? errorText(verdict.error) : ''}
      </span>
    );
  }
  return <VerdictError error={verdict.error} errorText={errorText} />;
}

function VerdictError({
  error,
  errorText,
}: {
  error: ErrorInfo | null;
  errorText: (e: ErrorInfo) => string;
}) {
  const { t } = useTranslation();
  return error ? (
    <FieldError text={errorText(error)} detail={error.detail} />
  ) : (
    <FieldError text={t('settings.processes.unusable')} />
  );
}

function HostNotes({ host }: { host: string }) {
  const { t } = useTranslation();
  const notes = ollamaHostNotes(host);
  if (notes.includes('spaces')) return <FieldError text={t('settings.processes.ollamaHost.notes.spaces')} />;
  if (notes.length === 0) return <span className="muted">{t('settings.processes.ollamaHost.hint')}</span>;
  return (
    <span className="process-settings__notes">
      {notes.map((n) => (
        <span key={n} className="process-settings__note">
          {t(`settings.processes.ollamaHost.notes.${n}`)}
        </span>
      ))}
    </span>
  );
}

/** `NAME=value` lines for an `ollama serve` this app starts; the first bad line is named. */
function EnvField({
  value,
  problem,
  onChange,
}: {
  value: string;
  problem: ProcessFormProblems['ollamaEnv'];
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const messageId = `${id}-message`;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {t('settings.processes.ollamaEnv.label')}
      </label>
      <textarea
        id={id}
        className="input mono process-settings__env"
        value={value}
        rows={3}
        spellCheck={false}
        autoComplete="off"
        placeholder={'OLLAMA_KEEP_ALIVE=30m\nOLLAMA_MODELS=D:\\ollama\\models'}
        aria-invalid={problem !== null}
        aria-describedby={messageId}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={messageId} className="field__message" aria-live="polite">
        {problem ? (
          <FieldError
            text={t(`settings.processes.ollamaEnv.problems.${problem.kind}`, {
              line: problem.line,
              name: problem.name ?? '',
            })}
          />
        ) : (
          <span className="muted">{t('settings.processes.ollamaEnv.hint')}</span>
        )}
      </div>
    </div>
  );
}

function UrlProblem({ problem }: { problem: 'invalid' | 'protocol' | null }) {
  const { t } = useTranslation();
  return problem ? <FieldError text={t(`settings.difyUrl.problems.${problem}`)} /> : null;
}
