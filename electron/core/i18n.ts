import i18next, { type i18n as I18n } from 'i18next';
import en from '../../resources/locales/en.json';
import ja from '../../resources/locales/ja.json';
import { resolveLang, type Lang, type Translator } from './presentation';

export { resolveLang, type Lang };

/**
 * Main-side translations (tray menu, CLI, error messages) read the same ja/en files as the renderer,
 * so every user-facing string exists once per language.
 */
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

/** The OS locale as seen from a Node process (CLI): LC_ALL/LC_MESSAGES/LANG, then Intl. */
export function systemLocaleFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (fromEnv && fromEnv !== 'C' && fromEnv !== 'POSIX') return fromEnv;
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/** Main's translator for the presentation rules (core/presentation.ts). */
export function translator(lang: Lang): Translator {
  return { t: (key, params) => translate(lang, key, params), has: (key) => hasTranslation(key) };
}
