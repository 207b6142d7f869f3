/**
 * The OS locale as seen from a Node process (CLI): LC_ALL/LC_MESSAGES/LANG, then Intl. Apart from
 * i18n.ts so that a CLI answer printed from memory (the repeated `timeouts`) can tell its language
 * without loading i18next and both locale files.
 */
export function systemLocaleFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (fromEnv && fromEnv !== 'C' && fromEnv !== 'POSIX') return fromEnv;
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
