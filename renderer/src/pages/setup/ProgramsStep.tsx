import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComponentStatus, SettingsView, StatusSnapshot } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ComponentStateBadge } from '../../components/Badge';
import { findComponent } from '../../lib/status';
import {
  hasProblems,
  processFormOf,
  processFormProblems,
  processPatchOf,
  sameProcessForm,
  type ProcessForm,
} from '../settings/process-settings';
import { ProcessSettings } from '../settings/ProcessSettings';
import { a1111DirBlocks, useProcessChecks } from '../settings/useProcessChecks';
import { StepActions, type StepNav } from './StepActions';

/**
 * Step 3: Ollama and AUTOMATIC1111 — what runs now, then the Settings page's own section with its
 * checks (Ollama's executable found, A1111's launcher present), saved on Next.
 */
export function ProgramsStep({
  view,
  snapshot,
  onSaved,
  nav,
}: {
  view: SettingsView;
  snapshot: StatusSnapshot;
  onSaved: (view: SettingsView) => void;
  nav: StepNav;
}) {
  const { t } = useTranslation();
  const saved = processFormOf(view.settings);
  const [form, setForm] = useState<ProcessForm>(saved);
  const problems = processFormProblems(form);
  const checks = useProcessChecks(form);
  const save = async () => {
    if (!sameProcessForm(form, saved)) onSaved(await invoke('settings:update', processPatchOf(form)));
  };
  return (
    <>
      <p>{t('setup.programs.intro')}</p>
      <ul className="setup-running">
        {(['ollama', 'a1111'] as const).map((id) => (
          <RunningLine key={id} component={findComponent(snapshot, id)} id={id} />
        ))}
      </ul>
      <ProcessSettings
        form={form}
        problems={problems}
        checks={checks}
        ollamaRunning={findComponent(snapshot, 'ollama')?.state === 'running'}
        onChange={(patch) => setForm((f) => ({ ...f, ...patch }))}
      />
      <StepActions
        nav={nav}
        save={save}
        nextDisabled={hasProblems(problems) || a1111DirBlocks(form, checks)}
      />
    </>
  );
}

/** "Ollama: running at http://…" — a running server needs nothing more from this step. */
function RunningLine({ id, component }: { id: 'ollama' | 'a1111'; component: ComponentStatus | null }) {
  const { t } = useTranslation();
  const url = component?.ollama?.url ?? component?.a1111?.url ?? null;
  const running = component?.state === 'running';
  return (
    <li className="setup-status" data-setup-running={id}>
      <span className="setup-status__name">{t(`stack.component.${id}`)}</span>
      {component ? <ComponentStateBadge state={component.state} /> : null}
      <span className="muted">
        {running && url
          ? t(`setup.programs.running.${id}`, { url })
          : component?.process?.startable
            ? t('setup.programs.startable')
            : t('setup.programs.notFound')}
      </span>
    </li>
  );
}
