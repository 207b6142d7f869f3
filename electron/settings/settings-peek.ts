import { readFile } from 'node:fs/promises';
import { SETTINGS_VERSION } from './migrations';

/** The settings a one-shot CLI command needs before it knows whether it needs the services at all. */
export interface PeekedSettings {
  difyDir: string;
  language: 'system' | 'ja' | 'en';
  /** What `status` needs to look at Ollama and A1111 (electron/processes/quick-status.ts). */
  ollamaPath: string;
  ollamaHost: string;
  a1111Dir: string;
  a1111Port: number;
}

/** SettingsSchema's defaults of the fields above (test/unit/settings/settings-peek.test.ts compares them). */
const DEFAULTS: PeekedSettings = {
  difyDir: '',
  language: 'system',
  ollamaPath: '',
  ollamaHost: '',
  a1111Dir: '',
  a1111Port: 7860,
};

/**
 * The settings file read without zod (loading zod costs ~0.1 s, a quarter of `dify-stack status`).
 * It answers only for a missing file (defaults) or a file that SettingsSchema certainly accepts;
 * anything else — unreadable, not JSON, a value out of bounds, a URL it cannot judge as zod does —
 * is null, and the caller opens the SettingsStore, which says what is wrong. So this never accepts
 * a file the store would reject: test/unit/settings/settings-peek.test.ts checks that against the
 * schema on generated files.
 */
export async function peekSettings(file: string): Promise<PeekedSettings | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { ...DEFAULTS } : null;
  }
  return peekSettingsText(text);
}

/** Pure: the settings in a file's text, or null when only the settings store can judge it. */
export function peekSettingsText(text: string): PeekedSettings | null {
  let json: unknown;
  try {
    // Windows editors may save a byte order mark (the store strips it too).
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (!surelyValid(json)) return null;
  const picked = Object.fromEntries(
    (Object.keys(DEFAULTS) as (keyof PeekedSettings)[]).map((k) => [k, json[k] ?? DEFAULTS[k]]),
  );
  return picked as unknown as PeekedSettings;
}

type KnownFields = Partial<PeekedSettings> & { difyUrl?: string; pluginDirs?: string[]; difyEmail?: string };

/** The rules of electron/settings/schema.ts, field by field; keys it does not know are kept there. */
function surelyValid(json: unknown): json is KnownFields {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  const text = (v: unknown, max: number, min = 0): boolean =>
    typeof v === 'string' && v.length >= min && v.length <= max;
  const flag = (k: string): boolean => !(k in o) || typeof o[k] === 'boolean';
  return (
    // A file of an earlier version migrates without touching the fields read here; a newer one, or a
    // `version` that is none, is for the store to judge and report.
    (!('version' in o) || inRange(o.version, 0, SETTINGS_VERSION)) &&
    (!('difyDir' in o) || text(o.difyDir, 4096)) &&
    (!('difyUrl' in o) || httpUrl(o.difyUrl)) &&
    (!('language' in o) || o.language === 'system' || o.language === 'ja' || o.language === 'en') &&
    (!('pluginDirs' in o) ||
      (Array.isArray(o.pluginDirs) &&
        o.pluginDirs.length <= 200 &&
        o.pluginDirs.every((d) => text(d, 4096, 1)))) &&
    (!('difyEmail' in o) || text(o.difyEmail, 320)) &&
    (!('ollamaPath' in o) || text(o.ollamaPath, 4096)) &&
    (!('ollamaHost' in o) || text(o.ollamaHost, 512)) &&
    (!('ollamaEnv' in o) || variables(o.ollamaEnv)) &&
    (!('a1111Dir' in o) || text(o.a1111Dir, 4096)) &&
    (!('a1111Port' in o) || port(o.a1111Port)) &&
    (!('a1111Args' in o) || text(o.a1111Args, 4096)) &&
    (!('a1111Listen' in o) || typeof o.a1111Listen === 'boolean') &&
    (!('autoRestart' in o) || typeof o.autoRestart === 'boolean') &&
    (!('stackComponents' in o) || components(o.stackComponents)) &&
    (!('ollamaUrlFromDify' in o) || o.ollamaUrlFromDify === '' || httpUrl(o.ollamaUrlFromDify)) &&
    (!('a1111UrlFromDify' in o) || o.a1111UrlFromDify === '' || httpUrl(o.a1111UrlFromDify)) &&
    (!('gpuMonitoring' in o) || typeof o.gpuMonitoring === 'boolean') &&
    (!('nvidiaSmiPath' in o) || text(o.nvidiaSmiPath, 4096)) &&
    (!('vramAlertPercent' in o) || inRange(o.vramAlertPercent, 50, 100)) &&
    (!('vramAlertSeconds' in o) || inRange(o.vramAlertSeconds, 5, 3600)) &&
    (!('pythonPath' in o) || text(o.pythonPath, 4096)) &&
    (!('logBufferLines' in o) || inRange(o.logBufferLines, 1_000, 1_000_000)) &&
    [
      'setupDone',
      'startAtLogin',
      'startStackOnLaunch',
      'notifyStack',
      'notifyJobs',
      'notifyVram',
      'notifyPluginErrors',
    ].every(flag)
  );
}

const inRange = (v: unknown, min: number, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const port = (v: unknown): boolean => inRange(v, 1, 65535);

function components(v: unknown): boolean {
  const ids = ['docker', 'dify', 'ollama', 'a1111'];
  return Array.isArray(v) && v.length <= 4 && v.every((c) => ids.includes(c as string));
}

function variables(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.entries(v).every(
    ([name, value]) =>
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) &&
      name.length <= 128 &&
      typeof value === 'string' &&
      value.length <= 4096,
  );
}

/**
 * zod's `z.url({ protocol: /^https?$/ })`: the trimmed text starts with http(s)://, WHATWG URL parses
 * it, the protocol is http or https. Stricter here (no control characters at all) so a doubtful one
 * goes to zod.
 */
function httpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const trimmed = v.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (!/^https?:\/\//i.test(trimmed) || /[\u0000-\u001f\u007f]/.test(trimmed)) return false;
  try {
    const protocol = new URL(trimmed).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
