import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from './components/ErrorBox';
import { Icon, type IconName } from './components/Icon';
import { useLiveData } from './hooks/useLiveData';
import { applyLang } from './i18n/setup';
import { resolveLang } from './lib/lang';
import { DashboardPage } from './pages/dashboard/DashboardPage';
import { PluginsPage } from './pages/plugins/PluginsPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { TimeoutsPage } from './pages/timeouts/TimeoutsPage';

/** Pages of the dashboard window. Later issues add Timeouts, Plugins, GPU and Logs here. */
type PageId = 'dashboard' | 'timeouts' | 'plugins' | 'settings';

/** labelKey: pages whose nav text lives in their own i18n section. */
const PAGES: ReadonlyArray<{ id: PageId; icon: IconName; labelKey?: string }> = [
  { id: 'dashboard', icon: 'dashboard' },
  { id: 'timeouts', icon: 'clock', labelKey: 'timeouts.page.nav' },
  { id: 'plugins', icon: 'plugin', labelKey: 'plugins.page.nav' },
  { id: 'settings', icon: 'settings' },
];

export function App() {
  const { t } = useTranslation();
  const data = useLiveData();
  const [page, setPage] = useState<PageId>('dashboard');

  const languageSetting = data.settingsView?.settings.language ?? 'system';
  const systemLocale = data.appInfo?.systemLocale ?? navigator.language;
  useEffect(() => {
    applyLang(resolveLang(languageSetting, systemLocale));
  }, [languageSetting, systemLocale]);

  let content;
  if (data.loadError) {
    content = (
      <div className="page-message">
        <ErrorBox error={data.loadError} />
      </div>
    );
  } else if (!data.loaded || !data.snapshot || !data.appInfo || !data.settingsView) {
    content = (
      <p className="page-message muted" role="status">
        {t('common.loading')}
      </p>
    );
  } else if (page === 'dashboard') {
    content = (
      <DashboardPage
        snapshot={data.snapshot}
        jobs={data.jobs}
        appInfo={data.appInfo}
        configuredDir={data.settingsView.settings.difyDir}
        onSnapshot={data.acceptSnapshot}
        onOpenSettings={() => setPage('settings')}
      />
    );
  } else if (page === 'timeouts') {
    content = <TimeoutsPage jobs={data.jobs} />;
  } else if (page === 'plugins') {
    content = <PluginsPage jobs={data.jobs} settings={data.settingsView.settings} />;
  } else {
    content = (
      <SettingsPage
        view={data.settingsView}
        resolvedSystemLang={resolveLang('system', systemLocale)}
        onSaved={data.acceptSettings}
      />
    );
  }

  return (
    <div className="app">
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="sidebar__brand">{t('app.name')}</div>
        <ul className="sidebar__list">
          {PAGES.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="sidebar__item"
                aria-current={page === p.id ? 'page' : undefined}
                onClick={() => setPage(p.id)}
              >
                <Icon name={p.icon} />
                {t(p.labelKey ?? `nav.${p.id}`)}
              </button>
            </li>
          ))}
        </ul>
        {data.appInfo ? <div className="sidebar__footer muted">v{data.appInfo.version}</div> : null}
      </nav>
      <main className="main" key={page}>
        {content}
      </main>
    </div>
  );
}
