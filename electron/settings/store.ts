import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import type { SettingsApi } from './api';
import type { SettingsView } from './contract';
import { AppError, type ErrorInfo, messageOf } from '../core/errors';
import { formatIssues } from '../core/zod-issues';
import { SETTINGS_VERSION } from './migrations';
import { SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch } from './schema';
import { readSettingsText, settingsText, type SettingsFile } from './settings-file';

type DiskState =
  | { kind: 'missing' }
  /** The file exists but could not be read (permissions, a folder in its place…). */
  | { kind: 'unreadable'; reason: string }
  | { kind: 'read'; raw: Buffer; file: SettingsFile };

export interface SettingsStoreOptions {
  /** For backup file names; injectable so tests get stable names. */
  now?: () => Date;
  /** How long to wait for the other process (app or CLI) holding the settings lock. */
  lockWaitMs?: number;
}

/**
 * The settings file shared by the app and the CLI.
 *
 * - A missing file means defaults. Reading goes through settings-file.ts, which migrates an older
 *   file to our version and says what cannot be trusted; on open the store then repairs the file:
 *   an older one is rewritten in our version (the old bytes kept as `settings.json.v<N>.bak`), one
 *   with refused values is rewritten without them (the original kept as `settings.corrupt-<time>.json`),
 *   a corrupt one is moved aside to `settings.corrupt-<time>.json` and defaults are used. The last two
 *   leave a notice in the view (the Settings page and the CLI show it) until the next save.
 * - A file from a newer version is read as far as we understand it and never written: a save is
 *   refused with SETTINGS_NEWER_VERSION.
 * - App and CLI are separate processes: every repair and every update holds a lock file beside the
 *   settings (proper-lockfile) and re-reads the file under it, so two processes starting at once
 *   migrate once and the second sees the first's result.
 * - Every update re-reads the file first (the CLI or a text editor may have changed it since), writes
 *   atomically (write-file-atomic) and keeps the previous file as `settings.json.bak`.
 * - Keys this version does not know are kept, so an older build does not strip a newer one's settings.
 */
export class SettingsStore implements SettingsApi {
  private current: Settings = SettingsSchema.parse({});
  private extras: Record<string, unknown> = {};
  /** What the file is like now (unreadable, newer): cleared when that stops being true. */
  private warning: ErrorInfo | null = null;
  /** What a repair did to the user's file: shown until the next save, which means they have seen it. */
  private repairNotice: ErrorInfo | null = null;
  private readonly events = new EventEmitter();
  /** Updates run one after another: each one reads, merges and writes the whole file. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  private readonly lockWaitMs: number;

  constructor(
    readonly path: string,
    options: SettingsStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  static async open(filePath: string, options?: SettingsStoreOptions): Promise<SettingsStore> {
    const store = new SettingsStore(filePath, options);
    await store.load();
    return store;
  }

  /** (Re)reads the file, repairing it when it needs to. Never throws: problems become the view's `warning`. */
  async load(): Promise<SettingsView> {
    const before = JSON.stringify(this.get());
    let disk = await this.readDisk();
    if (needsRepair(disk)) {
      try {
        disk = await this.locked(() => this.repair());
      } catch (e) {
        // Another process holds the lock for too long, or the folder is read-only: use the file as
        // read (migrated in memory; corrupt → defaults) and try again next time rather than fail to
        // start. Only a file whose values are not all in use is worth a notice.
        const f = disk.kind === 'read' ? disk.file : null;
        if (f?.kind === 'corrupt' || (f?.kind === 'ok' && f.refused)) {
          const reason = f.kind === 'corrupt' ? f.reason : (f.refused?.reason ?? '');
          this.repairNotice = this.invalidWarning(`${reason}; it could not be moved aside: ${messageOf(e)}`);
        }
      }
    }
    this.adopt(disk);
    const view = this.get();
    if (JSON.stringify(view) !== before) this.emitChange();
    return view;
  }

  get(): SettingsView {
    const warning = this.warning ?? this.repairNotice;
    return { settings: { ...this.current }, path: this.path, warning: warning ? { ...warning } : null };
  }

  /** Validates `patch`, merges it into the settings on disk and writes them. Fields not in the patch stay. */
  update(patch: unknown): Promise<SettingsView> {
    const parsed = SettingsPatchSchema.strict().safeParse(patch);
    if (!parsed.success) {
      return Promise.reject(
        new AppError('INVALID_ARGUMENT', { params: { reason: formatIssues(parsed.error) } }),
      );
    }
    const run = this.queue.then(() => this.locked(() => this.applyPatch(parsed.data)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  onChange(listener: (view: SettingsView) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private adopt(disk: DiskState): void {
    this.warning = null;
    if (disk.kind === 'read' && disk.file.kind !== 'corrupt') {
      this.current = disk.file.settings;
      this.extras = disk.file.extras;
      if (disk.file.kind === 'newer') this.warning = this.newerError(disk.file.version).toInfo();
      return;
    }
    this.current = SettingsSchema.parse({});
    this.extras = {};
    if (disk.kind === 'unreadable') this.warning = this.invalidWarning(disk.reason);
  }

  /** Under the lock: re-reads the file and, if it still needs it, migrates, cleans or moves it aside. */
  private async repair(): Promise<DiskState> {
    const disk = await this.readDisk();
    if (disk.kind !== 'read' || !needsRepair(disk)) return disk;
    const file = disk.file;
    if (file.kind === 'corrupt') {
      const aside = await this.moveAside();
      this.repairNotice = new AppError('SETTINGS_MOVED_ASIDE', {
        params: { path: this.path, backup: aside, reason: file.reason },
      }).toInfo();
      return { kind: 'missing' };
    }
    if (file.kind !== 'ok') return disk;
    if (file.refused) {
      const copy = await this.writeNewFile(this.corruptStem(), '.json', disk.raw);
      this.repairNotice = new AppError('SETTINGS_FIELDS_RESET', {
        params: {
          path: this.path,
          fields: file.refused.fields.join(', '),
          backup: copy,
          reason: file.refused.reason,
        },
      }).toInfo();
    } else {
      await this.writeNewFile(`${this.path}.v${file.version}`, '.bak', disk.raw);
    }
    const text = settingsText(file.settings, file.extras);
    await writeFileAtomic(this.path, text);
    return { kind: 'read', raw: Buffer.from(text), file: readSettingsText(text) };
  }

  private async applyPatch(patch: SettingsPatch): Promise<SettingsView> {
    const disk = await this.readDisk();
    if (disk.kind === 'read' && disk.file.kind === 'newer') throw this.newerError(disk.file.version);
    // A file broken since we read it is not a base to build on: keep what is in use (defaults, or what
    // was read before someone broke the file) and apply the patch to that.
    const usable = disk.kind === 'read' && disk.file.kind === 'ok' ? disk.file : null;
    const base = usable?.settings ?? this.current;
    const extras = usable?.extras ?? this.extras;
    const definedPatch = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next = SettingsSchema.parse({ ...base, ...definedPatch });

    await this.keepBackup(disk);
    try {
      await writeFileAtomic(this.path, settingsText(next, extras));
    } catch (e) {
      throw this.writeFailed(e);
    }
    this.current = next;
    this.extras = extras;
    this.warning = null;
    this.repairNotice = null;
    this.emitChange();
    return this.get();
  }

  private async keepBackup(disk: DiskState): Promise<void> {
    if (disk.kind === 'missing') return;
    if (disk.kind === 'unreadable') {
      throw this.writeFailed(
        new Error(`the existing file could not be read, so it was not replaced (${disk.reason})`),
      );
    }
    const clean = disk.file.kind === 'ok' && disk.file.refused === null;
    try {
      if (clean) await writeFileAtomic(`${this.path}.bak`, disk.raw);
      else await this.writeNewFile(`${this.path}.invalid-${stamp(this.now())}`, '.bak', disk.raw);
    } catch (e) {
      throw this.writeFailed(new Error(`no backup of the previous file could be made: ${messageOf(e)}`));
    }
  }

  /** Runs `fn` holding the settings lock (shared with the other process), creating the folder first. */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      await mkdir(path.dirname(this.path), { recursive: true });
      release = await lockfile.lock(this.path, {
        lockfilePath: `${this.path}.lock`,
        // The file may not exist yet; the lock is on the name.
        realpath: false,
        stale: 10_000,
        retries: { retries: Math.ceil(this.lockWaitMs / 100), minTimeout: 50, maxTimeout: 100 },
        // Held for a read and one or two atomic writes: if a stalled event loop let it go stale, the
        // writes are still whole files, so say so instead of crashing (proper-lockfile's default throws).
        onCompromised: (e: Error) => console.warn(`settings lock lost: ${e.message}`),
      });
    } catch (e) {
      throw this.writeFailed(new Error(`the settings are locked by another process: ${messageOf(e)}`));
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Renames the file to a free `settings.corrupt-<time>.json` (a rename is atomic); returns that name. */
  private async moveAside(): Promise<string> {
    const stem = this.corruptStem();
    for (let i = 1; i <= 100; i++) {
      const candidate = i === 1 ? `${stem}.json` : `${stem}-${i}.json`;
      if (await exists(candidate)) continue;
      // Under the settings lock, so no other process of ours takes the same name meanwhile.
      await rename(this.path, candidate);
      return candidate;
    }
    throw new Error('no free name for the corrupt settings file');
  }

  private corruptStem(): string {
    const { dir, name } = path.parse(this.path);
    return path.join(dir, `${name}.corrupt-${stamp(this.now())}`);
  }

  /** Writes `data` to a file that does not exist yet (`name.bak`, `name-2.bak`, …): never replaces one. */
  private async writeNewFile(stem: string, ext: string, data: Buffer): Promise<string> {
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? `${stem}${ext}` : `${stem}-${i}${ext}`;
      try {
        await writeFile(candidate, data, { flag: 'wx' });
        return candidate;
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
      return { kind: 'unreadable', reason: messageOf(e) };
    }
    return { kind: 'read', raw, file: readSettingsText(raw.toString('utf8')) };
  }

  private invalidWarning(reason: string): ErrorInfo {
    return new AppError('SETTINGS_INVALID', { params: { path: this.path, reason } }).toInfo();
  }

  private newerError(version: number): AppError {
    return new AppError('SETTINGS_NEWER_VERSION', {
      params: { path: this.path, version, ours: SETTINGS_VERSION },
    });
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

/** A file to rewrite: older than our version, with refused values, or not settings at all. */
function needsRepair(disk: DiskState): boolean {
  if (disk.kind !== 'read') return false;
  const f = disk.file;
  return f.kind === 'corrupt' || (f.kind === 'ok' && (f.refused !== null || f.version < SETTINGS_VERSION));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
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
