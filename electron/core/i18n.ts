import i18next, { type i18n as I18n } from 'i18next';
import en from '../../renderer/src/i18n/en.json';
import ja from '../../renderer/src/i18n/ja.json';

/**
 * Main-side translations (tray menu, CLI, error messages) read the same ja/en files as the renderer,
 * so every user-facing string exists once per language.
 */
export type Lang = 'ja' | 'en';

let instance: I18n | undefined;

function getInstance(): I18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      resources: { en: { translation: en }, ja: { translation: ja } },
      lng: 'en',
      fallbackLng: 'en',
      initAsync: false,
      interpolation: { escapeValue: false },
    });
  }
  return instance;
}

export function translate(lang: Lang, key: string, params?: Record<string, unknown>): string {
  return getInstance().t(key, { lng: lang, ...(params ?? {}) });
}

export function hasTranslation(key: string): boolean {
  return getInstance().exists(key, { lng: 'en' });
}

/** 'system' resolves from the OS locale: Japanese for ja-*, English otherwise. */
export function resolveLang(setting: 'system' | Lang, systemLocale: string | undefined): Lang {
  if (setting !== 'system') return setting;
  return (systemLocale ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The OS locale as seen from a Node process (CLI): LC_ALL/LC_MESSAGES/LANG, then Intl. */
export function systemLocaleFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (fromEnv && fromEnv !== 'C' && fromEnv !== 'POSIX') return fromEnv;
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
