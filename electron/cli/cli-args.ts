/**
 * What can be read from the command line before commander has it: the settings file (its language
 * decides the help text) and the command (whether the plugin commands must be loaded at all).
 */

/** `--name VALUE` or `--name=VALUE` anywhere before a `--`; the last one wins, as with commander. */
export function peekOption(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg === name && i + 1 < argv.length) found = argv[++i];
    else if (arg.startsWith(`${name}=`)) found = arg.slice(name.length + 1);
  }
  return found;
}

/** The global options that take a value (before or after the command). */
const VALUE_OPTIONS = ['--dify-dir', '--config'];

/**
 * The command word: the first argument that is neither an option nor a global option's value.
 * Undefined when there is none, or when a help option or `--` comes first (the program's own help
 * lists every command, so the caller must not leave any out).
 */
export function peekCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--' || arg === '-h' || arg === '--help') return undefined;
    if (VALUE_OPTIONS.includes(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The options of a command line answered before the command tree exists (plainCommand). */
export interface PlainCommand {
  json: boolean;
  difyDir?: string;
  config?: string;
}

/**
 * `command` with `--json` after it and the global `--dify-dir DIR` / `--config FILE` (either spelling,
 * once each, anywhere), read exactly as commander would; null for anything else — another option,
 * help, a repeated or unknown option, a value that looks like an option — which the command tree
 * then reads and, if wrong, says why.
 */
export function plainCommand(argv: readonly string[], command: string): PlainCommand | null {
  const found: PlainCommand = { json: false };
  let seen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === command && !seen) {
      seen = true;
      continue;
    }
    if (arg === '--json' && seen && !found.json) {
      found.json = true;
      continue;
    }
    const option = (['--dify-dir', '--config'] as const).find((o) => arg === o || arg.startsWith(`${o}=`));
    if (!option) return null;
    const value = arg === option ? argv[++i] : arg.slice(option.length + 1);
    const key = option === '--dify-dir' ? 'difyDir' : 'config';
    if (!value || value.startsWith('-') || found[key] !== undefined) return null;
    found[key] = value;
  }
  return seen ? found : null;
}
