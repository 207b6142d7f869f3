/**
 * The window's pages: the nav lists them in this order and App renders the current one. A page
 * declares the app-level data it needs and receives exactly that (plus the window's actions).
 */
import type { ComponentType, ReactNode } from 'react';
import type { IconName } from '../components/Icon';
import { DashboardPage } from './dashboard/DashboardPage';
import { GpuPage } from './gpu/GpuPage';
import { LogsPage } from './logs/LogsPage';
import type { AppActions, AppData, PageId, PageProps } from './page-types';
import { PluginsPage } from './plugins/PluginsPage';
import { SettingsPage } from './settings/SettingsPage';
import { SetupPage } from './setup/SetupPage';
import { TimeoutsPage } from './timeouts/TimeoutsPage';

export interface PageEntry {
  /** i18n key of the page's name in the nav. */
  navLabel: string;
  icon: IconName;
  needs: ReadonlyArray<keyof AppData>;
  render(data: AppData, app: AppActions): ReactNode;
}

/** Ties a component's props to the data its entry declares, so a page cannot use what it did not ask for. */
function definePage<K extends keyof AppData>(page: {
  navLabel: string;
  icon: IconName;
  needs: readonly K[];
  component: ComponentType<PageProps<K>>;
}): PageEntry {
  const { component: Page, needs } = page;
  return {
    navLabel: page.navLabel,
    icon: page.icon,
    needs,
    render: (data, app) => {
      // fromEntries loses the key-to-value pairing; it is exactly `needs` picked from `data`.
      const picked = Object.fromEntries(needs.map((k) => [k, data[k]])) as Pick<AppData, K>;
      return <Page {...picked} app={app} />;
    },
  };
}

export const PAGES: Readonly<Record<PageId, PageEntry>> = {
  dashboard: definePage({
    navLabel: 'nav.dashboard',
    icon: 'dashboard',
    needs: ['snapshot', 'jobs', 'appInfo', 'settingsView'],
    component: DashboardPage,
  }),
  timeouts: definePage({
    navLabel: 'timeouts.page.nav',
    icon: 'clock',
    needs: ['jobs'],
    component: TimeoutsPage,
  }),
  plugins: definePage({
    navLabel: 'plugins.page.nav',
    icon: 'plugin',
    needs: ['jobs', 'settingsView', 'snapshot'],
    component: PluginsPage,
  }),
  logs: definePage({
    navLabel: 'logs.page.nav',
    icon: 'logs',
    needs: ['snapshot', 'settingsView', 'logsRequest'],
    component: LogsPage,
  }),
  gpu: definePage({
    navLabel: 'nav.gpu',
    icon: 'half',
    needs: ['snapshot', 'settingsView'],
    component: GpuPage,
  }),
  settings: definePage({
    navLabel: 'nav.settings',
    icon: 'settings',
    needs: ['settingsView', 'appInfo', 'snapshot'],
    component: SettingsPage,
  }),
  setup: definePage({
    navLabel: 'setup.page.nav',
    icon: 'check',
    needs: ['settingsView', 'snapshot', 'appInfo'],
    component: SetupPage,
  }),
};

/** Nav order: the registry's own order (a Record literal's keys are exactly the page ids). */
export const PAGE_IDS = Object.keys(PAGES) as PageId[];

export const FIRST_PAGE: PageId = 'dashboard';
