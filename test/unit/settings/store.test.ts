import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../../electron/contract';
import { AppError } from '../../../electron/core/errors';
import { useTempDir } from '../../helpers/use-temp-dir';

// A pass-through to the real write-file-atomic that records the targets and can be told to fail once,
// so the tests can prove the store writes through it and survives a failed write.
const atomic = vi.hoisted(() => ({
  targets: [] as string[],
  failFor: null as { file: string; error: Error } | null,
}));
vi.mock('write-file-atomic', async (importOriginal) => {
  const real = (await importOriginal<{ default: (f: string, d: string | Buffer) => Promise<void> }>())
    .default;
  return {
    default: async (file: string, data: string | Buffer) => {
      atomic.targets.push(file);
      if (atomic.failFor?.file === file) throw atomic.failFor.error;
      return real(file, data);
    },
  };
});

const { SettingsStore } = await import('../../../electron/settings/store');

const tempDir = useTempDir('settings-test-');
let dir: string;
let file: string;
const fixedNow = (): Date => new Date(2026, 6, 1, 9, 5, 3);

beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'cfg', 'settings.json');
  atomic.targets = [];
  atomic.failFor = null;
});

async function writeSettingsFile(text: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Fields added by the plugin feature (issue 4); every file written carries the defaults. */
/** The fields these tests do not look at, at their defaults. */
const PLUGIN_DEFAULTS = {
  pluginDirs: [],
  difyEmail: '',
  ollamaPath: '',
  ollamaHost: '',
  ollamaEnv: {},
  a1111Dir: '',
  a1111Port: 7860,
  a1111Args: '',
  a1111Listen: false,
  stackComponents: [],
  autoRestart: true,
  ollamaUrlFromDify: '',
  a1111UrlFromDify: '',
  gpuMonitoring: true,
  nvidiaSmiPath: '',
  vramAlertPercent: 90,
  vramAlertSeconds: 30,
  pythonPath: '',
  logBufferLines: 100_000,
  setupDone: false,
  startAtLogin: false,
  startStackOnLaunch: false,
  notifyStack: true,
  notifyJobs: true,
  notifyVram: true,
  notifyPluginErrors: true,
};

describe('SettingsStore.load', () => {
  it('gives defaults for a missing file and does not create it', async () => {
    const store = await SettingsStore.open(file);
    expect(store.get()).toEqual({
      settings: { difyDir: '', difyUrl: 'http://localhost', language: 'system', ...PLUGIN_DEFAULTS },
      path: file,
      warning: null,
    });
    await expect(readdir(dir)).resolves.toEqual([]);
  });

  it('reads a valid file, also one saved with a UTF-8 byte order mark', async () => {
    await writeSettingsFile('\uFEFF{"version":1,"difyDir":"D:\\\\dify\\\\docker","language":"ja"}');
    const store = await SettingsStore.open(file);
    expect(store.get().settings).toEqual({
      difyDir: 'D:\\dify\\docker',
      difyUrl: 'http://localhost',
      language: 'ja',
      ...PLUGIN_DEFAULTS,
    });
    expect(store.get().warning).toBeNull();
  });

  it.each([
    ['malformed JSON', '{"language": "ja",', /not valid JSON/],
    ['not an object', '["ja"]', /one JSON object/],
    ['a version that is none', '{"version":"2","language":"ja"}', /version/],
  ])('moves a file holding %s aside, runs on defaults and says so', async (_name, text, reason) => {
    await writeSettingsFile(text);
    const store = await SettingsStore.open(file, { now: fixedNow });
    const view = store.get();
    expect(view.settings).toEqual({
      difyDir: '',
      difyUrl: 'http://localhost',
      language: 'system',
      ...PLUGIN_DEFAULTS,
    });
    const aside = path.join(path.dirname(file), 'settings.corrupt-20260701-090503.json');
    expect(view.warning?.code).toBe('SETTINGS_MOVED_ASIDE');
    expect(view.warning?.params).toMatchObject({ path: file, backup: aside });
    expect(String(view.warning?.params?.reason)).toMatch(reason);
    expect(await readdir(path.dirname(file))).toEqual(['settings.corrupt-20260701-090503.json']);
    await expect(readFile(aside, 'utf8')).resolves.toBe(text);
    // The notice stays while the app runs (a re-read finds no file) and goes with the next save.
    await store.load();
    expect(store.get().warning?.code).toBe('SETTINGS_MOVED_ASIDE');
    await store.update({ language: 'en' });
    expect(store.get().warning).toBeNull();
  });

  it('never replaces an earlier corrupt copy', async () => {
    await writeSettingsFile('nope 1');
    await SettingsStore.open(file, { now: fixedNow });
    await writeSettingsFile('nope 2');
    const store = await SettingsStore.open(file, { now: fixedNow });
    expect(store.get().warning?.params?.backup).toMatch(/settings\.corrupt-20260701-090503-2\.json$/);
    const dirOf = path.dirname(file);
    await expect(readFile(path.join(dirOf, 'settings.corrupt-20260701-090503.json'), 'utf8')).resolves.toBe(
      'nope 1',
    );
  });

  it('resets only the refused values, keeps the rest, and keeps the original beside it', async () => {
    const text = '{"version":1,"difyDir":"/srv/dify","difyUrl":"javascript:alert(1)","language":"fr"}';
    await writeSettingsFile(text);
    const store = await SettingsStore.open(file, { now: fixedNow });
    const view = store.get();
    expect(view.settings).toEqual({
      difyDir: '/srv/dify',
      difyUrl: 'http://localhost',
      language: 'system',
      ...PLUGIN_DEFAULTS,
    });
    expect(view.warning?.code).toBe('SETTINGS_FIELDS_RESET');
    expect(view.warning?.params?.fields).toBe('difyUrl, language');
    const copy = path.join(path.dirname(file), 'settings.corrupt-20260701-090503.json');
    expect(view.warning?.params?.backup).toBe(copy);
    await expect(readFile(copy, 'utf8')).resolves.toBe(text);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, ...view.settings });
    expect(atomic.targets).toContain(file);
  });

  it('migrates an older file once, writing it back atomically with the old bytes kept beside it', async () => {
    const old =
      '{\n  "difyDir": "/srv/dify/docker",\n  "difyUrl": "http://localhost",\n  "language": "ja",\n  "futureKey": 1\n}\n';
    await writeSettingsFile(old);
    const store = await SettingsStore.open(file);
    expect(store.get().warning).toBeNull();
    expect(store.get().settings).toMatchObject({
      difyDir: '/srv/dify/docker',
      language: 'ja',
      setupDone: true,
    });
    const written = await readFile(file, 'utf8');
    expect(JSON.parse(written)).toEqual({ version: 1, ...store.get().settings, futureKey: 1 });
    await expect(readFile(`${file}.v0.bak`, 'utf8')).resolves.toBe(old);
    expect(atomic.targets).toEqual([file]);
    // Opening again changes nothing: a current file is not rewritten.
    atomic.targets = [];
    await SettingsStore.open(file);
    expect(atomic.targets).toEqual([]);
    await expect(readFile(file, 'utf8')).resolves.toBe(written);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['settings.json', 'settings.json.v0.bak']);
  });

  it('uses an older file migrated in memory when it cannot be written back, and tries again next time', async () => {
    const old = '{"difyDir":"/srv/dify/docker","setupDone":false}';
    await writeSettingsFile(old);
    atomic.failFor = { file, error: Object.assign(new Error('read-only'), { code: 'EROFS' }) };
    const store = await SettingsStore.open(file);
    expect(store.get().warning).toBeNull();
    expect(store.get().settings).toMatchObject({ difyDir: '/srv/dify/docker', setupDone: true });
    await expect(readFile(file, 'utf8')).resolves.toBe(old);
    atomic.failFor = null;
    await SettingsStore.open(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, setupDone: true });
  });

  it('reads a newer file as far as it understands it, never writes it, and refuses to save', async () => {
    const newer =
      '{"version":99,"difyDir":"/srv/dify","language":"ja","notifyVram":"sometimes","hologram":true}';
    await writeSettingsFile(newer);
    const store = await SettingsStore.open(file);
    const view = store.get();
    expect(view.settings).toEqual({
      difyDir: '/srv/dify',
      difyUrl: 'http://localhost',
      language: 'ja',
      ...PLUGIN_DEFAULTS,
    });
    expect(view.warning?.code).toBe('SETTINGS_NEWER_VERSION');
    expect(view.warning?.params).toMatchObject({ version: 99, ours: 1 });
    const err = await store.update({ language: 'en' }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('SETTINGS_NEWER_VERSION');
    await expect(readFile(file, 'utf8')).resolves.toBe(newer);
    expect(await readdir(path.dirname(file))).toEqual(['settings.json']);
  });

  it('warns (without throwing) when the path cannot be read at all', async () => {
    await mkdir(file, { recursive: true }); // a folder where the file should be
    const store = await SettingsStore.open(file);
    expect(store.get().warning?.code).toBe('SETTINGS_INVALID');
  });
});

describe('SettingsStore.update', () => {
  it('merges the patch, keeps other fields, backs up the previous file and emits the new view', async () => {
    const previous = '{"version":1,"difyDir":"/srv/dify/docker","difyUrl":"http://localhost:8080"}';
    await writeSettingsFile(previous);
    const store = await SettingsStore.open(file);
    const seen: SettingsView[] = [];
    store.onChange((v) => seen.push(v));

    const view = await store.update({ language: 'en' });

    const expected = {
      difyDir: '/srv/dify/docker',
      difyUrl: 'http://localhost:8080',
      language: 'en',
      ...PLUGIN_DEFAULTS,
    };
    expect(view).toEqual({ settings: expected, path: file, warning: null });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, ...expected });
    await expect(readFile(`${file}.bak`, 'utf8')).resolves.toBe(previous);
    expect(seen).toEqual([view]);
    expect(store.get()).toEqual(view);
    expect(atomic.targets).toContain(file);
  });

  it('creates the folder and the file when there was none, without a backup', async () => {
    const store = await SettingsStore.open(file);
    await store.update({ difyDir: 'C:\\Users\\Taro Yamada\\dify\\docker' });
    expect(JSON.parse(await readFile(file, 'utf8')).difyDir).toBe('C:\\Users\\Taro Yamada\\dify\\docker');
    expect(await readdir(path.dirname(file))).toEqual(['settings.json']);
  });

  it('rejects an invalid patch with INVALID_ARGUMENT and changes nothing', async () => {
    await writeSettingsFile('{"version":1,"language":"ja"}');
    const store = await SettingsStore.open(file);
    const listener = vi.fn();
    store.onChange(listener);
    for (const patch of [
      { difyUrl: 'file:///etc/passwd' },
      { language: 'de' },
      { colour: 'red' },
      null,
      'ja',
    ]) {
      const err = await store.update(patch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('INVALID_ARGUMENT');
      expect((err as AppError).params?.reason).toBeTruthy();
    }
    await expect(readFile(file, 'utf8')).resolves.toBe('{"version":1,"language":"ja"}');
    expect(listener).not.toHaveBeenCalled();
    expect(store.get().settings.language).toBe('ja');
  });

  it('keeps a timestamped copy of a file broken after it was read before replacing it, never overwriting an older copy', async () => {
    await writeSettingsFile('{"version":1,"language":"ja"}');
    const store = await SettingsStore.open(file, { now: fixedNow });
    const bad = '{"language": "ja", oops';
    await writeFile(file, bad);

    const view = await store.update({ language: 'ja' });
    expect(view.warning).toBeNull();
    expect(view.settings.language).toBe('ja');
    const backup = `${file}.invalid-20260701-090503.bak`;
    await expect(readFile(backup, 'utf8')).resolves.toBe(bad);

    // Broken again by hand within the same second: the second copy gets its own name.
    const bad2 = '{"version":1,"language":"ja","difyUrl": 42}';
    await writeFile(file, bad2);
    await store.update({ difyDir: '/d' });
    await expect(readFile(backup, 'utf8')).resolves.toBe(bad);
    await expect(readFile(`${file}.invalid-20260701-090503-2.bak`, 'utf8')).resolves.toBe(bad2);
    // A refused value falls back to its default, the file's other fields stay; the patch goes on top.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      difyDir: '/d',
      difyUrl: 'http://localhost',
      language: 'ja',
      ...PLUGIN_DEFAULTS,
    });
  });

  it('refuses to replace a file it could not read (nothing to back up)', async () => {
    await mkdir(file, { recursive: true });
    const store = await SettingsStore.open(file);
    const err = await store.update({ language: 'en' }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('SETTINGS_WRITE_FAILED');
    expect((await readdir(file)).length).toBe(0);
  });

  it('re-reads the file before writing, so an edit made elsewhere (CLI, editor) is not lost', async () => {
    await writeSettingsFile('{"version":1,"language":"ja"}');
    const store = await SettingsStore.open(file);
    await writeFile(file, '{"version":1,"language":"ja","difyDir":"/edited/elsewhere","futureKey":{"a":1}}');
    await store.update({ difyUrl: 'https://dify.example.test' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      language: 'ja',
      difyDir: '/edited/elsewhere',
      difyUrl: 'https://dify.example.test',
      futureKey: { a: 1 },
      version: 1,
      ...PLUGIN_DEFAULTS,
    });
  });

  it('applies concurrent updates one after another', async () => {
    const store = await SettingsStore.open(file);
    await Promise.all([
      store.update({ language: 'en' }),
      store.update({ difyDir: '/a' }),
      store.update({ difyUrl: 'http://h:81' }),
    ]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      language: 'en',
      difyDir: '/a',
      difyUrl: 'http://h:81',
      version: 1,
      ...PLUGIN_DEFAULTS,
    });
  });

  it('keeps the old file and the old settings when the atomic write fails', async () => {
    await writeSettingsFile('{"version":1,"language":"ja"}');
    const store = await SettingsStore.open(file);
    const listener = vi.fn();
    store.onChange(listener);
    atomic.failFor = { file, error: Object.assign(new Error('disk full'), { code: 'ENOSPC' }) };

    const err = await store.update({ language: 'en' }).catch((e: unknown) => e);

    expect((err as AppError).code).toBe('SETTINGS_WRITE_FAILED');
    expect((err as AppError).message).toContain('disk full');
    await expect(readFile(file, 'utf8')).resolves.toBe('{"version":1,"language":"ja"}');
    expect(store.get().settings.language).toBe('ja');
    expect(listener).not.toHaveBeenCalled();
    // The next update works again.
    atomic.failFor = null;
    await expect(store.update({ language: 'en' })).resolves.toMatchObject({ settings: { language: 'en' } });
  });
});
