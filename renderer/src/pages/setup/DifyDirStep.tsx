import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DetectedProject, SettingsView } from '../../../../electron/contract';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { useQuery } from '../../hooks/useQuery';
import { DetectedList } from '../settings/DetectedList';
import { DifyDirField } from '../settings/DifyDirField';
import { useDifyDirCheck } from '../settings/useDifyDirCheck';
import { StepActions, type StepNav } from './StepActions';

/**
 * Step 2: the Dify `docker` folder. Running containers' compose labels are asked first; one project
 * found fills the field, several are listed for the user to pick; else Browse (the Settings field).
 */
export function DifyDirStep({
  view,
  onSaved,
  nav,
}: {
  view: SettingsView;
  onSaved: (view: SettingsView) => void;
  nav: StepNav;
}) {
  const { t } = useTranslation();
  const saved = view.settings.difyDir;
  const [dir, setDir] = useState(saved);
  const [choices, setChoices] = useState<DetectedProject[] | null>(null);
  // Asked once, when no folder is saved yet: one project found fills the field, several are listed.
  const detected = useQuery(
    async () => {
      const projects = await invoke('settings:detectDifyDir', {});
      const only = projects.length === 1 ? projects[0] : undefined;
      if (only) setDir((typed) => (typed === '' ? only.dir : typed));
      else if (projects.length > 1) setChoices(projects);
      return projects;
    },
    [],
    { enabled: saved === '' },
  );
  const found = detected.data;

  const check = useDifyDirCheck(dir);
  const trimmed = dir.trim();
  const blocks = trimmed !== '' && !(check.kind === 'done' && check.result.ok);
  const save = async () => {
    if (trimmed !== saved) onSaved(await invoke('settings:update', { difyDir: trimmed }));
  };
  return (
    <>
      <p>{t('setup.difyDir.intro')}</p>
      {detected.loading ? (
        <p className="muted" role="status">
          {t('setup.difyDir.detecting')}
        </p>
      ) : null}
      {found?.length === 1 && dir === found[0]?.dir ? (
        <p className="muted" role="status" data-setup-detected="one">
          {t('setup.difyDir.foundOne', { project: found[0].project })}
        </p>
      ) : null}
      {found?.length === 0 ? (
        <p className="muted" role="status" data-setup-detected="none">
          {t('setup.difyDir.foundNone')}
        </p>
      ) : null}
      {/* Without an engine there is nothing to detect from: the reason, then the picker as the way on. */}
      {detected.error ? <ErrorBox error={detected.error} tone="warning" /> : null}
      {choices ? (
        <DetectedList
          projects={choices}
          current={trimmed}
          onPick={(picked) => {
            setDir(picked);
            setChoices(null);
          }}
          onClose={() => setChoices(null)}
        />
      ) : null}
      <DifyDirField value={dir} check={check} onChange={setDir} />
      <StepActions nav={nav} save={save} nextDisabled={blocks} />
    </>
  );
}
