import { EventEmitter } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { SettingsApi } from './api';
import type { SettingsView } from './contract';
import { AppError, type ErrorInfo, messageOf } from '../core/errors';
import { formatIssues } from '../core/zod-issues';
import { SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch } from './schema';

type DiskState =
  | { kind: 'missing' }
  | { kind: 'ok'; settings: Settings; extras: Record<string, unknown>; raw: Buffer }
  /** `raw` is null when the file exists but could not even be read (permissions, a folder…). */
  | { kind: 'invalid'; reason: string; raw: Buffer | null };

export interface SettingsStoreOptions {
  /** For backup file names; injectable so tests get stable names. */
  now?: () => Date;
}

/**
 * The settings file shared by the app and the CLI.
 *
 * - A missing file means defaults. A file that is not valid JSON or does not match the schema also
 *   means defaults, plus a SETTINGS_INVALID warning — and the file is left alone: the next update
 *   first copies it to `settings.json.invalid-<time>.bak`, so a hand edit with a typo is never lost.
 * - Every update re-reads the file first (the CLI or a text editor may have changed it since), writes
 *   atomically (temp file + rename, via write-file-atomic) and keeps the previous file as
 *   `settings.json.bak`.
 * - Keys this version does not know are kept, so an older build does not strip a newer one's settings.
 */
export class SettingsStore implements SettingsApi {
  private current: Settings = SettingsSchema.parse({});
  private extras: Record<string, unknown> = {};
  private warning: ErrorInfo | null = null;
  private readonly events = new EventEmitter();
  /** Updates run one after another: each one reads, merges and writes the whole file. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(
    readonly path: string,
    options: SettingsStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  static async open(filePath: string, options?: SettingsStoreOptions): Promise<SettingsStore> {
    const store = new SettingsStore(filePath, options);
    await store.load();
    return store;
  }

  /** (Re)reads the file. Never throws: problems become the view's `warning`. */
  async load(): Promise<SettingsView> {
    const before = JSON.stringify(this.get());
    const disk = await this.readDisk();
    if (disk.kind === 'ok') {
      this.current = disk.settings;
      this.extras = disk.extras;
      this.warning = null;
    } else if (disk.kind === 'missing') {
      this.current = SettingsSchema.parse({});
      this.extras = {};
      this.warning = null;
    } else {
      this.current = SettingsSchema.parse({});
      this.extras = {};
      this.warning = this.invalidWarning(disk.reason);
    }
    const view = this.get();
    if (JSON.stringify(view) !== before) this.emitChange();
    return view;
  }

  get(): SettingsView {
    return {
      settings: { ...this.current },
      path: this.path,
      warning: this.warning ? { ...this.warning } : null,
    };
  }

  /** Validates `patch`, merges it into the settings on disk and writes them. Fields not in the patch stay. */
  update(patch: unknown): Promise<SettingsView> {
    const parsed = SettingsPatchSchema.strict().safeParse(patch);
    if (!parsed.success) {
      return Promise.reject(
        new AppError('INVALID_ARGUMENT', { params: { reason: formatIssues(parsed.error) } }),
      );
    }
    const run = this.queue.then(() => this.applyPatch(parsed.data));
    this.queue = run.catch(() => undefined);
    return run;
  }

  onChange(listener: (view: SettingsView) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private async applyPatch(patch: SettingsPatch): Promise<SettingsView> {
    const disk = await this.readDisk();
    // An unreadable or invalid file is not a base to build on: keep what is in use (defaults, or what
    // was read before someone broke the file) and apply the patch to that.
    const base = disk.kind === 'ok' ? disk.settings : this.current;
    const extras = disk.kind === 'ok' ? disk.extras : this.extras;
    const definedPatch = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next = SettingsSchema.parse({ ...base, ...definedPatch });

    await this.keepBackup(disk);
    try {
      await mkdir(path.dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, JSON.stringify({ ...extras, ...next }, null, 2) + '\n');
    } catch (e) {
      throw this.writeFailed(e);
    }
    this.current = next;
    this.extras = extras;
    this.warning = null;
    this.emitChange();
    return this.get();
  }

  private async keepBackup(disk: DiskState): Promise<void> {
    if (disk.kind === 'missing') return;
    if (disk.kind === 'invalid' && disk.raw === null) {
      throw this.writeFailed(
        new Error(`the existing file could not be read, so it was not replaced (${disk.reason})`),
      );
    }
    try {
      if (disk.kind === 'ok') {
        await writeFileAtomic(`${this.path}.bak`, disk.raw);
      } else if (disk.raw !== null) {
        await this.writeNewFile(`${this.path}.invalid-${stamp(this.now())}`, '.bak', disk.raw);
      }
    } catch (e) {
      throw this.writeFailed(new Error(`no backup of the previous file could be made: ${messageOf(e)}`));
    }
  }

  /** Writes `data` to a file that does not exist yet (`name.bak`, `name-2.bak`, …): never replaces one. */
  private async writeNewFile(stem: string, ext: string, data: Buffer): Promise<void> {
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? `${stem}${ext}` : `${stem}-${i}${ext}`;
      try {
        await writeFile(candidate, data, { flag: 'wx' });
        return;
      } catch (e) {
        if (!(isErrnoException(e) && e.code === 'EEXIST') || i >= 100) throw e;
      }
    }
  }

  private async readDisk(): Promise<DiskState> {
    let raw: Buffer;
    try {
      raw = await readFile(this.path);
    } catch (e) {
      if (isErrnoException(e) && e.code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'invalid', reason: messageOf(e), raw: null };
    }
    // Notepad and other Windows editors may save UTF-8 with a byte order mark; JSON.parse rejects it.
    const text = raw.toString('utf8').replace(/^\uFEFF/, '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { kind: 'invalid', reason: `not valid JSON: ${messageOf(e)}`, raw };
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return { kind: 'invalid', reason: 'the file must hold one JSON object', raw };
    }
    const parsed = SettingsSchema.safeParse(json);
    if (!parsed.success) return { kind: 'invalid', reason: formatIssues(parsed.error), raw };
    const known = new Set(Object.keys(SettingsSchema.shape));
    const extras = Object.fromEntries(Object.entries(json).filter(([k]) => !known.has(k)));
    return { kind: 'ok', settings: parsed.data, extras, raw };
  }

  private invalidWarning(reason: string): ErrorInfo {
    return new AppError('SETTINGS_INVALID', { params: { path: this.path, reason } }).toInfo();
  }

  private writeFailed(e: unknown): AppError {
    return new AppError('SETTINGS_WRITE_FAILED', {
      params: { path: this.path, reason: messageOf(e) },
      cause: e,
    });
  }

  private emitChange(): void {
    this.events.emit('change', this.get());
  }
}

function stamp(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-` +
    `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`
  );
}

function isErrnoException(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}
