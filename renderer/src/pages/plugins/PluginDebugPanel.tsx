import { useTranslation } from 'react-i18next';
import type { PluginDebugStateDto } from '../../../../electron/plugins/contract';
import { Badge } from '../../components/Badge';
import { Callout } from '../../components/Callout';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon, type IconName } from '../../components/Icon';
import type { Tone } from '../../lib/status';
import './PluginDebugPanel.css';

type Phase = PluginDebugStateDto['phase'];

const PHASE_LOOK: Record<Phase, { tone: Tone; icon: IconName }> = {
  installing: { tone: 'busy', icon: 'spinner' },
  starting: { tone: 'busy', icon: 'spinner' },
  connected: { tone: 'ok', icon: 'check' },
  crashed: { tone: 'bad', icon: 'cross' },
  failed: { tone: 'bad', icon: 'alert' },
  stopped: { tone: 'idle', icon: 'stop' },
};

/** The toggle is on while a session exists: every phase but "stopped". */
export function debugging(state: PluginDebugStateDto | null | undefined): boolean {
  return !!state && state.phase !== 'stopped';
}

/**
 * A plugin card's remote debugging: the Debug switch, the run's state (with restarts), on a crash or
 * failure the reason and the last lines, "Open logs", and the packaged-install warning with its offers
 * (uninstall while debugging, reinstall after).
 */
export function PluginDebugPanel({
  state,
  installedVersion,
  busy,
  onToggle,
  onUninstallPackaged,
  onReinstall,
  onOpenLogs,
}: {
  state: PluginDebugStateDto | null;
  /** What Dify has installed of this plugin now (null: nothing, or Dify could not be asked). */
  installedVersion: string | null;
  busy: boolean;
  onToggle: (on: boolean) => void;
  onUninstallPackaged: () => void;
  onReinstall: () => void;
  onOpenLogs: () => void;
}) {
  const { t } = useTranslation();
  const on = debugging(state);
  const look = state ? PHASE_LOOK[state.phase] : null;
  const troubled = state !== null && (state.phase === 'crashed' || state.phase === 'failed');

  return (
    <section className="plugin-debug" data-debug-phase={state?.phase ?? 'off'}>
      <div className="plugin-debug__head">
        <label className="plugin-debug__switch" title={t('plugins.debug.toggleHint')}>
          <input
            type="checkbox"
            role="switch"
            checked={on}
            disabled={busy}
            onChange={(e) => onToggle(e.target.checked)}
          />
          <span>{t('plugins.debug.toggle')}</span>
        </label>
        {state && look ? (
          <Badge tone={look.tone} icon={look.icon} label={t(`plugins.debug.phase.${state.phase}`)} />
        ) : null}
        {state && state.restarts > 0 ? (
          <span className="muted" data-field="restarts">
            {t('plugins.debug.restarts', { count: state.restarts })}
          </span>
        ) : null}
        <span className="spacer" />
        {state ? (
          <button type="button" className="button button--quiet" onClick={onOpenLogs}>
            <Icon name="logs" />
            {t('plugins.debug.openLogs')}
          </button>
        ) : null}
      </div>
      {!on ? <p className="muted plugin-debug__hint">{t('plugins.debug.toggleHint')}</p> : null}

      {state?.error ? <ErrorBox error={state.error} tone={troubled ? undefined : 'warning'} /> : null}
      {troubled ? (
        <div className="plugin-debug__trouble">
          <p className="muted">
            {state.phase === 'crashed'
              ? `${t('plugins.debug.exitCode', { code: state.exitCode ?? '—' })} · ${t('plugins.debug.crashedHint')}`
              : t('plugins.debug.failedHint')}
          </p>
          {state.lastLines.length > 0 ? (
            <>
              <p className="plugin-debug__label">{t('plugins.debug.lastLines')}</p>
              <pre className="plugin-debug__lines mono" data-field="last-lines">
                {state.lastLines.join('\n')}
              </pre>
            </>
          ) : null}
        </div>
      ) : null}

      {on && state?.packaged ? (
        <PackageOffer
          kind="packaged"
          version={state.packaged.version}
          busy={busy}
          primary={false}
          onClick={onUninstallPackaged}
        />
      ) : null}

      {!on && state?.uninstalledPackage && installedVersion === null ? (
        <PackageOffer
          kind="uninstalled"
          version={state.uninstalledPackage.version}
          busy={busy}
          primary
          onClick={onReinstall}
        />
      ) : null}
    </section>
  );
}

/**
 * The packaged install of the plugin while debugging (`packaged`: uninstall it for the session) and
 * after (`uninstalled`: install it again from the folder): title, why, and the one button.
 */
function PackageOffer({
  kind,
  version,
  busy,
  primary,
  onClick,
}: {
  kind: 'packaged' | 'uninstalled';
  version: string;
  busy: boolean;
  primary: boolean;
  onClick: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Callout
      title={t(`plugins.debug.${kind}.title`, { version })}
      data-offer={kind === 'packaged' ? 'debug-packaged' : 'debug-reinstall'}
      action={
        <button
          type="button"
          className={primary ? 'button button--primary' : 'button'}
          disabled={busy}
          onClick={onClick}
        >
          {t(`plugins.debug.${kind}.action`)}
        </button>
      }
    >
      <p>{t(`plugins.debug.${kind}.body`)}</p>
    </Callout>
  );
}
