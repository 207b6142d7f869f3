import type { SettingsView, SetupState, StatusSnapshot } from '../../../../electron/contract';
import { invoke } from '../../api';
import { useQuery } from '../../hooks/useQuery';

/**
 * What main says is not configured yet, asked again whenever what it depends on may have changed:
 * the settings, the Dify project and the components' states (the login's password is in neither,
 * hence also after every `settings` event — a login saved from the panel writes the e-mail too).
 */
export function useSetupState(
  view: SettingsView,
  snapshot: StatusSnapshot,
): { state: SetupState | null; reload: () => void } {
  const states = snapshot.components.map((c) => `${c.id}:${c.state}:${c.process?.startable ?? ''}`).join();
  const { data, reload } = useQuery(
    () => invoke('setup:state', {}),
    [view, snapshot.project?.dir ?? null, states],
    {
      refetchOn: ['settings'],
    },
  );
  return { state: data, reload };
}
