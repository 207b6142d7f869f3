import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../../../resources/locales/en.json';
import ja from '../../../resources/locales/ja.json';

import type { Lang } from '../lib/lang';

/**
 * One i18next instance for the window. Resources are bundled (no backend), so initialisation is
 * synchronous and the first render already has its texts.
 */
export function initI18n(initial: Lang): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ja: { translation: ja } },
    lng: initial,
    fallbackLng: 'en',
    initAsync: false,
    // React escapes what it renders; escaping here too would show &amp; in the UI.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}

export function applyLang(lang: Lang): void {
  if (i18next.language !== lang) void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}
