import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogsOpenRequest } from '../../electron/contract';
import { getBridge, on } from './api';
import { ErrorBox } from './components/ErrorBox';
import { Icon } from './components/Icon';
import { useLiveData, type LiveData } from './hooks/useLiveData';
import { applyLang } from './i18n/setup';
import { resolveLang } from './lib/lang';
import type { AppActions, AppData, LogsRequest, PageId } from './pages/page-types';
import { FIRST_PAGE, PAGE_IDS, PAGES } from './pages/registry';

/** Everything pages may ask for, or null until the first load has brought all of it. */
function appData(data: LiveData, logsRequest: LogsRequest | null): AppData | null {
  const { loaded, snapshot, jobs, appInfo, settingsView } = data;
  return loaded && snapshot && appInfo && settingsView
    ? { snapshot, jobs, appInfo, settingsView, logsRequest }
    : null;
}

/** The window: the nav from the page registry, and the current page once main's state is in. */
export function App() {
  const { t } = useTranslation();
  const data = useLiveData();
  const [page, setPage] = useState<PageId>(FIRST_PAGE);
  const [logsRequest, setLogsRequest] = useState<LogsRequest | null>(null);

  const languageSetting = data.settingsView?.settings.language ?? 'system';
  const systemLocale = data.appInfo?.systemLocale ?? navigator.language;
  useEffect(() => {
    applyLang(resolveLang(languageSetting, systemLocale));
  }, [languageSetting, systemLocale]);

  const openLogs = useCallback((request: LogsOpenRequest) => {
    setLogsRequest((prev) => ({ n: (prev?.n ?? 0) + 1, request }));
    setPage('logs');
  }, []);
  // Main asks too: the tray's "Plugin daemon logs" (the window is shown first).
  useEffect(() => (getBridge() ? on('logs:open', openLogs) : undefined), [openLogs]);
  // A clicked notification: its page (the dashboard also lists the job it was about).
  useEffect(() => (getBridge() ? on('notifications:open', (o) => setPage(o.page)) : undefined), []);

  const { acceptSnapshot, acceptSettings } = data;
  const actions = useMemo<AppActions>(
    () => ({ acceptSnapshot, acceptSettings, openPage: setPage, openLogs }),
    [acceptSnapshot, acceptSettings, openLogs],
  );

  const ready = appData(data, logsRequest);
  let content;
  if (data.loadError) {
    content = (
      <div className="page-message">
        <ErrorBox error={data.loadError} />
      </div>
    );
  } else if (!ready) {
    content = (
      <p className="page-message muted" role="status">
        {t('common.loading')}
      </p>
    );
  } else {
    content = PAGES[page].render(ready, actions);
  }

  return (
    <div className="app">
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="sidebar__brand">{t('app.name')}</div>
        <ul className="sidebar__list">
          {PAGE_IDS.map((id) => (
            <li key={id}>
              <button
                type="button"
                className="sidebar__item"
                aria-current={page === id ? 'page' : undefined}
                onClick={() => setPage(id)}
              >
                <Icon name={PAGES[id].icon} />
                {t(PAGES[id].navLabel)}
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
