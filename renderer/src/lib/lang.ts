// The language rule is shared with main (tray, CLI): one definition in the presentation module.
export { resolveLang, type Lang, type LanguageSetting } from '../../../electron/core/presentation';
