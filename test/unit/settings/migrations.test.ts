import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateSettings, SETTINGS_VERSION } from '../../../electron/settings/migrations';
import { SettingsSchema } from '../../../electron/settings/schema';
import { readSettingsText } from '../../../electron/settings/settings-file';

const FIXTURES = path.join(__dirname, '../../fixtures/settings');
const DEFAULTS = SettingsSchema.parse({});

/** The user's values in the fixtures (test/fixtures/settings/README.md), by the shape that first held them. */
const USER = {
  difyDir: 'C:\\Users\\taro\\dify\\docker',
  difyUrl: 'http://localhost:8080',
  language: 'ja',
  pluginDirs: ['D:\\plugins\\my tool'],
  difyEmail: 'taro@example.com',
  ollamaHost: '127.0.0.1:11500',
  ollamaEnv: { OLLAMA_KEEP_ALIVE: '10m' },
  a1111Dir: 'D:\\sd\\stable-diffusion-webui',
  a1111Port: 7861,
  a1111Listen: true,
  autoRestart: false,
  stackComponents: ['docker', 'dify', 'ollama'],
  vramAlertPercent: 85,
  pythonPath: 'C:\\Python312\\python.exe',
  logBufferLines: 50000,
} as const;

/** Each earlier shape, oldest first, with the user fields it added (it holds those of the earlier ones too). */
const ADDED: [string, (keyof typeof USER)[]][] = [
  ['ec05822', ['difyDir', 'difyUrl', 'language']],
  ['786cc9f', ['pluginDirs', 'difyEmail']],
  [
    '373c90d',
    ['ollamaHost', 'ollamaEnv', 'a1111Dir', 'a1111Port', 'a1111Listen', 'autoRestart', 'stackComponents'],
  ],
  ['d7dd267', ['vramAlertPercent']],
  ['b230bb2', ['pythonPath']],
  ['1cc2e31', ['logBufferLines']],
  // setupDone, startAtLogin, startStackOnLaunch and notify*, all written at their defaults.
  ['4ee90c0', []],
];
const SHAPES = ADDED.map(([commit], i) => [commit, ADDED.slice(0, i + 1).flatMap(([, f]) => f)] as const);

describe('settings migrations', () => {
  it.each(SHAPES)('migrates the shape written by %s field by field', async (commit, held) => {
    const text = await readFile(path.join(FIXTURES, `unversioned-${commit}.json`), 'utf8');
    expect(JSON.parse(text)).not.toHaveProperty('version');
    const read = readSettingsText(text);
    if (read.kind !== 'ok') throw new Error(`not read: ${read.kind}`);
    expect(read.version).toBe(0);
    expect(read.refused).toBeNull();
    expect(read.extras).toEqual({});
    const expected = { ...DEFAULTS, setupDone: true };
    for (const k of held) Object.assign(expected, { [k]: USER[k] });
    for (const [key, value] of Object.entries(expected)) {
      expect([key, read.settings[key as keyof typeof read.settings]]).toEqual([key, value]);
    }
    expect(Object.keys(read.settings).sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('marks setup done only for a file that already configured the stack', () => {
    const run = (json: Record<string, unknown>) => migrateSettings(json, 0).setupDone;
    expect(run({ language: 'ja' })).toBe(false);
    expect(run({ difyDir: '  ', setupDone: false })).toBe(false);
    expect(run({ difyDir: '/srv/dify/docker', setupDone: false })).toBe(true);
    expect(run({ a1111Dir: '/opt/sd' })).toBe(true);
    expect(run({ ollamaPath: 'C:\\Ollama\\ollama.exe' })).toBe(true);
    expect(run({ pluginDirs: ['/p'] })).toBe(true);
    expect(run({ setupDone: true })).toBe(true);
  });

  it('sets the current version, keeps unknown keys and leaves a current file as it is', () => {
    expect(migrateSettings({ x: 1 }, 0)).toEqual({ x: 1, setupDone: false, version: SETTINGS_VERSION });
    const current = { version: SETTINGS_VERSION, difyDir: '/d', setupDone: false };
    expect(migrateSettings(current, SETTINGS_VERSION)).toEqual(current);
    expect(() => migrateSettings({}, SETTINGS_VERSION + 1)).toThrow(RangeError);
  });
});

describe('readSettingsText', () => {
  it.each([
    ['malformed JSON', '{"language": "ja",', /not valid JSON/],
    ['not an object', '["ja"]', /one JSON object/],
    ['a version that is none', '{"version": "one"}', /version/],
    ['a negative version', '{"version": -1}', /version/],
  ])('calls %s corrupt', (_name, text, reason) => {
    const read = readSettingsText(text);
    expect(read.kind).toBe('corrupt');
    expect(read.kind === 'corrupt' && read.reason).toMatch(reason);
  });

  it('resets only the refused fields and keeps the others', () => {
    const read = readSettingsText(
      JSON.stringify({
        version: 1,
        difyDir: '/d',
        difyUrl: 'javascript:alert(1)',
        a1111Port: 0,
        language: 'en',
      }),
    );
    if (read.kind !== 'ok') throw new Error(read.kind);
    expect(read.refused?.fields).toEqual(['difyUrl', 'a1111Port']);
    expect(read.refused?.reason).toMatch(/difyUrl/);
    expect(read.settings).toMatchObject({
      difyDir: '/d',
      language: 'en',
      difyUrl: DEFAULTS.difyUrl,
      a1111Port: 7860,
    });
  });

  it('reads a newer file as far as it understands it', () => {
    const read = readSettingsText(
      JSON.stringify({ version: SETTINGS_VERSION + 1, difyDir: '/d', language: 'xx', brandNew: { a: 1 } }),
    );
    expect(read).toEqual({
      kind: 'newer',
      version: SETTINGS_VERSION + 1,
      settings: { ...DEFAULTS, difyDir: '/d' },
      extras: { brandNew: { a: 1 } },
    });
  });
});
