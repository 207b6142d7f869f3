import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import ja from './ja.json';

export type Lang = 'ja' | 'en';
export type LanguageSetting = 'system' | Lang;

/** 'system' follows the OS locale: Japanese for ja-*, English for everything else. */
export function resolveLang(setting: LanguageSetting, systemLocale: string | undefined): Lang {
  if (setting !== 'system') return setting;
  return (systemLocale ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

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
