export type Lang = 'ja' | 'en';
export type LanguageSetting = 'system' | Lang;

/** 'system' follows the OS locale: Japanese for ja-*, English for everything else. */
export function resolveLang(setting: LanguageSetting, systemLocale: string | undefined): Lang {
  if (setting !== 'system') return setting;
  return (systemLocale ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}
