import type { i18n as I18n } from 'i18next';
import { resolveLang, type Lang, type Translator } from './presentation';

export { resolveLang, type Lang };
export { systemLocaleFromEnv } from './system-locale';

/**
 * Main-side translations (tray menu, CLI, error messages) read the same ja/en files as the renderer,
 * so every user-facing string exists once per language.
 */
let instance: I18n | undefined;

function getInstance(): I18n {
  if (!instance) {
    // Loaded by the first translation, not at import (core/errors.ts imports this module everywhere):
    // a CLI answer that translates nothing — a repeated `timeouts` printed from memory — does not pay
    // for i18next and the locale files (issue 8). Plain requires: esbuild keeps them in place, and the
    // CLI's bundles read the files beside them (scripts/build.mjs).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const i18next = require('i18next') as I18n;
    const en = require('../../resources/locales/en.json') as Record<string, unknown>;
    /* eslint-enable @typescript-eslint/no-require-imports */
    instance = i18next.createInstance();
    void instance.init({
      resources: { en: { translation: en } },
      lng: 'en',
      fallbackLng: 'en',
      initAsync: false,
      interpolation: { escapeValue: false },
    });
  }
  return instance;
}

/** Japanese is added by its first translation: an English CLI run does not parse its file. */
function instanceFor(lang: Lang): I18n {
  const i18n = getInstance();
  if (lang === 'ja' && !i18n.hasResourceBundle('ja', 'translation')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    i18n.addResourceBundle('ja', 'translation', require('../../resources/locales/ja.json'));
  }
  return i18n;
}

export function translate(lang: Lang, key: string, params?: Record<string, unknown>): string {
  return instanceFor(lang).t(key, { lng: lang, ...(params ?? {}) });
}

export function hasTranslation(key: string): boolean {
  return getInstance().exists(key, { lng: 'en' });
}

/** Main's translator for the presentation rules (core/presentation.ts). */
export function translator(lang: Lang): Translator {
  return { t: (key, params) => translate(lang, key, params), has: (key) => hasTranslation(key) };
}
