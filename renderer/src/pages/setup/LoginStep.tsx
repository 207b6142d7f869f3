import { useTranslation } from 'react-i18next';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { useQuery } from '../../hooks/useQuery';
import { DifyConnectionPanel } from '../plugins/DifyConnectionPanel';
import { StepActions, type StepNav } from './StepActions';

/**
 * Step 4: Dify's URL and the console login, with Test login — the Plugins page's connection panel
 * (the password goes to the OS-encrypted secret store, never into the settings).
 */
export function LoginStep({ onChanged, nav }: { onChanged: () => void; nav: StepNav }) {
  const { t } = useTranslation();
  const connection = useQuery(() => invoke('dify:getConnection', {}), [], { refetchOn: ['settings'] });
  return (
    <>
      <p>{t('setup.login.intro')}</p>
      {connection.error ? <ErrorBox error={connection.error} /> : null}
      {connection.data ? (
        <DifyConnectionPanel
          connection={connection.data}
          onChanged={() => {
            connection.reload();
            onChanged();
          }}
        />
      ) : null}
      <StepActions nav={nav} />
    </>
  );
}
