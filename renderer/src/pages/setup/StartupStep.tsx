import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../electron/contract';
import { invoke } from '../../api';
import { CheckField } from '../settings/ProcessSettings';
import { StepActions, type StepNav } from './StepActions';

/** Step 5: start with Windows (the OS login item follows the setting) and start the stack with the app. */
export function StartupStep({
  view,
  platform,
  onFinished,
  nav,
}: {
  view: SettingsView;
  platform: string;
  onFinished: (view: SettingsView) => void;
  nav: StepNav;
}) {
  const { t } = useTranslation();
  const [startAtLogin, setStartAtLogin] = useState(view.settings.startAtLogin);
  const [startStackOnLaunch, setStartStackOnLaunch] = useState(view.settings.startStackOnLaunch);
  // Finishing is saving these with setupDone: one write, so the wizard never reopens half-saved.
  const finish = async () =>
    onFinished(await invoke('settings:update', { startAtLogin, startStackOnLaunch, setupDone: true }));
  return (
    <>
      <p>{t('setup.startup.intro')}</p>
      <div className="setup-startup">
        {/* Electron has login items on Windows and macOS only (main's loginItemSupported). */}
        {platform === 'win32' || platform === 'darwin' ? (
          <CheckField
            label={t(
              platform === 'win32' ? 'setup.startup.atLogin.labelWindows' : 'setup.startup.atLogin.label',
            )}
            hint={t('setup.startup.atLogin.hint')}
            checked={startAtLogin}
            onChange={setStartAtLogin}
          />
        ) : null}
        <CheckField
          label={t('setup.startup.stack.label')}
          hint={t('setup.startup.stack.hint')}
          checked={startStackOnLaunch}
          onChange={setStartStackOnLaunch}
        />
      </div>
      <StepActions nav={nav} save={finish} />
    </>
  );
}
