import { useTranslation } from 'react-i18next';
import type { PluginDebugStateDto, PluginProjectDto } from '../../../../electron/plugins/contract';
import { Badge } from '../../components/Badge';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon, type IconName } from '../../components/Icon';
import type { Tone } from '../../lib/status';
import { debugging, PluginDebugPanel } from './PluginDebugPanel';
import { pluginLabel, versionState, type VersionState } from './plugin-projects';
import { PluginWarnings } from './PluginWarnings';
import './PluginProjectCard.css';

const VERSION_LOOK: Record<VersionState, { tone: Tone; icon: IconName }> = {
  invalid: { tone: 'bad', icon: 'alert' },
  unknown: { tone: 'idle', icon: 'dash' },
  notInstalled: { tone: 'idle', icon: 'dash' },
  remote: { tone: 'ok', icon: 'play' },
  same: { tone: 'ok', icon: 'check' },
  different: { tone: 'warn', icon: 'half' },
};

/**
 * One registered plugin folder: local vs installed, where its Python packages come from, problems
 * (they block packaging), warnings (they do not), the last result, its actions, and its remote
 * debugging (the state comes live from the app snapshot).
 */
export function PluginProjectCard({
  project,
  difyAnswered,
  busy,
  debug,
  onReinstall,
  onAllowUnsigned,
  onRemove,
  onDebug,
  onUninstallPackaged,
  onOpenLogs,
}: {
  project: PluginProjectDto;
  difyAnswered: boolean;
  busy: boolean;
  debug: PluginDebugStateDto | null;
  onReinstall: () => void;
  onAllowUnsigned: () => void;
  onRemove: () => void;
  onDebug: (on: boolean) => void;
  onUninstallPackaged: () => void;
  onOpenLogs: () => void;
}) {
  const { t, i18n } = useTranslation();
  const state = versionState(project, difyAnswered);
  const look = VERSION_LOOK[state];
  const m = project.manifest;
  const last = project.lastResult;
  const signatureRefused = last !== null && !last.ok && last.error?.code === 'PLUGIN_SIGNATURE_REJECTED';
  const time = last ? new Date(last.at).toLocaleString(i18n.language) : '';
  const name = pluginLabel(project, i18n.language);

  return (
    <article className="panel plugin-card" aria-label={name} data-plugin-dir={project.dir}>
      <div className="plugin-card__head">
        <h2 className="plugin-card__name">{name}</h2>
        {m ? <span className="mono muted">{m.pluginId}</span> : null}
        <span className="spacer" />
        <Badge tone={look.tone} icon={look.icon} label={t(`plugins.card.state.${state}`)} />
      </div>
      <div className="mono muted plugin-card__dir">{project.dir}</div>

      <dl className="plugin-versions">
        <dt>{t('plugins.card.localVersion')}</dt>
        <dd data-field="local-version">{m ? m.version : '—'}</dd>
        {project.python ? (
          <>
            <dt>{t('plugins.card.dependencies')}</dt>
            <dd data-field="dependencies" title={t(`plugins.pythonInstall.${project.python.install}`)}>
              {project.python.files.length > 0
                ? t('plugins.card.installedFrom', { files: project.python.files.join(' + ') })
                : t('plugins.card.noDependencyFile')}
            </dd>
          </>
        ) : null}
        <dt>{t('plugins.card.installedVersion')}</dt>
        <dd data-field="installed-version">
          {project.installed
            ? project.installed.version
            : difyAnswered
              ? t('plugins.card.notInstalled')
              : t('plugins.card.unknown')}
        </dd>
        {project.installed ? (
          <>
            <dt>{t('plugins.card.identifier')}</dt>
            <dd className="mono" data-field="identifier">
              {project.installed.identifier}
            </dd>
            <dt>{t('plugins.card.source')}</dt>
            <dd>
              {t(`plugins.card.sources.${project.installed.source}`, {
                defaultValue: project.installed.source,
              })}
            </dd>
          </>
        ) : null}
        <dt>{t('plugins.card.lastResult')}</dt>
        <dd data-field="last-result">
          {last === null
            ? t('plugins.card.never')
            : last.ok
              ? t(`plugins.card.result.${last.action ?? 'installed'}`, { version: last.version ?? '', time })
              : t('plugins.card.result.failed', { time })}
        </dd>
        {last && last.skipped.length > 0 ? (
          <>
            <dt>{t('plugins.card.skipped')}</dt>
            <dd data-field="skipped">
              <ul className="plugin-skipped">
                {last.skipped.map((s) => (
                  <li key={s.rel}>
                    <span className="mono">{s.rel}</span>{' '}
                    <span
                      className={s.reason === 'symlink-outside-folder' ? 'plugin-skipped__outside' : 'muted'}
                    >
                      {t(`plugins.skipReason.${s.reason}`)}
                    </span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>

      {project.problems.length > 0 ? (
        <div>
          <p className="tone-bad">{t('plugins.card.problems', { count: project.problems.length })}</p>
          <ul className="plugin-problems">
            {project.problems.map((p, i) => (
              <li key={i}>
                {t(`plugins.problems.${p.code}`, p.params)}
                {p.line ? <span className="muted"> {t('plugins.card.line', { line: p.line })}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <PluginWarnings warnings={project.warnings} />

      {last && !last.ok && last.error && !signatureRefused ? <ErrorBox error={last.error} /> : null}

      {signatureRefused ? (
        <div className="plugin-offer" role="alert" data-offer="signature">
          <p className="plugin-offer__title">{t('plugins.signature.title')}</p>
          <p>{t('plugins.signature.body')}</p>
          {last?.error?.params?.message ? (
            <p className="mono muted">{String(last.error.params.message)}</p>
          ) : null}
          <div>
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={onAllowUnsigned}
            >
              {t('plugins.signature.action')}
            </button>
          </div>
        </div>
      ) : null}

      {m ? (
        <PluginDebugPanel
          state={debug}
          installedVersion={project.installed?.version ?? null}
          busy={busy}
          onToggle={onDebug}
          onUninstallPackaged={onUninstallPackaged}
          onReinstall={onReinstall}
          onOpenLogs={onOpenLogs}
        />
      ) : null}

      <div className="plugin-card__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={busy || !m || project.problems.length > 0 || debugging(debug)}
          onClick={onReinstall}
        >
          <Icon name="refresh" />
          {project.installed ? t('plugins.card.reinstall') : t('plugins.card.install')}
        </button>
        <button type="button" className="button button--quiet" disabled={busy} onClick={onRemove}>
          {t('plugins.card.remove')}
        </button>
      </div>
    </article>
  );
}
