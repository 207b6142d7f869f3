/**
 * Writing configuration files so that a crash, a full disk or a locked file never leaves a mix of
 * old and new bytes: write a temp file in the same folder, fsync it, rename it over the target
 * (atomic on NTFS and POSIX file systems), fsync the folder. Every replaced version is first kept as
 * a timestamped backup (the newest 20), and a backup can be restored byte for byte.
 *
 * Not write-file-atomic (installed, and its core steps are the same) because it does not fit here:
 * it does not retry the rename when Windows reports EPERM/EBUSY/EACCES while an editor or antivirus
 * holds the file; it copies the old file's mode and replaces a read-only file without a word (we must
 * refuse and say so); it does not fsync the folder; and it offers no way to stop between its steps,
 * which the crash-safety tests need. The whole sequence is ~60 lines below.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { AppError, isAppError } from '../core/errors';

export type AtomicWriteStep =
  'open-temp' | 'write-temp' | 'fsync-temp' | 'close-temp' | 'rename' | 'fsync-dir';

export const ATOMIC_WRITE_STEPS: readonly AtomicWriteStep[] = [
  'open-temp',
  'write-temp',
  'fsync-temp',
  'close-temp',
  'rename',
  'fsync-dir',
];

/** The file-system calls that tests may replace (e.g. a rename that fails with EBUSY). */
export interface AtomicFsOps {
  open(file: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
}

export interface AtomicWriteOptions {
  /** Called before each step; a throw here aborts the write there (tests inject failures this way). */
  beforeStep?: (step: AtomicWriteStep) => void | Promise<void>;
  /** How long to keep retrying a rename that Windows refuses because the file is in use. */
  renameRetryMs?: number;
  ops?: Partial<AtomicFsOps>;
  platform?: NodeJS.Platform;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackupOptions {
  /** Folder for backups of this file; default: `.dify-stack-backups` beside the file. */
  backupDir?: string;
  /** Keep backups under the app's data folder instead of beside the file (see `backupDirFor`). */
  appDataRoot?: string;
  /** How many backups to keep (newest first). */
  keep?: number;
  now?: () => Date;
}

export interface WriteWithBackupOptions extends AtomicWriteOptions, BackupOptions {
  /** The bytes the caller read and edited; when the file now differs, nothing is written. */
  expected?: Uint8Array | null;
}

export interface BackupInfo {
  /** The backup's file name; pass it to `restoreBackup`. */
  id: string;
  path: string;
  createdAt: Date;
  size: number;
}

export interface WriteResult {
  /** False when the file already held exactly these bytes (nothing written, no backup). */
  changed: boolean;
  backup: BackupInfo | null;
}

export const DEFAULT_BACKUPS_KEPT = 20;
const BACKUP_FOLDER = '.dify-stack-backups';
const LOCK_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);

const defaultOps: AtomicFsOps = {
  open: (file, flags, mode) => fsp.open(file, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function writeFailed(file: string, e: unknown): AppError {
  if (isAppError(e)) return e;
  const reason = errnoCode(e) ?? (e instanceof Error ? e.message : String(e));
  return new AppError('ENV_WRITE_FAILED', {
    params: { path: file, reason },
    detail: e instanceof Error ? e.message : String(e),
    cause: e,
  });
}

/** A file without any write permission bit is read-only (that is how Windows' attribute shows up). */
async function assertWritable(file: string): Promise<void> {
  const stat = await fsp.stat(file).catch(() => null);
  if (stat && (stat.mode & 0o222) === 0) throw new AppError('ENV_FILE_READ_ONLY', { params: { path: file } });
}

async function resolveTarget(file: string): Promise<string> {
  // Write through a symlink to the real file instead of replacing the link with a file.
  return fsp.realpath(file).catch(() => path.resolve(file));
}

/** Temp files are hidden and named after the target: `.env` → `.env.<pid>.<random>.tmp`. */
function tempPrefix(target: string): string {
  const base = path.basename(target);
  return `${base.startsWith('.') ? '' : '.'}${base}.`;
}

function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `${tempPrefix(target)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

/** Removes temp files of this target left by writers that died mid-write (their pid is gone). */
async function removeStaleTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = tempPrefix(target);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await fsp.unlink(path.join(dir, name)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

async function renameWithRetry(
  from: string,
  to: string,
  ops: AtomicFsOps,
  retryMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let waited = 0;
  let delay = 20;
  for (;;) {
    try {
      await ops.rename(from, to);
      return;
    } catch (e) {
      const code = errnoCode(e);
      if (!code || !LOCK_CODES.has(code)) throw e;
      if (waited >= retryMs) {
        await assertWritable(to);
        throw new AppError('ENV_FILE_LOCKED', { params: { path: to }, detail: String(e), cause: e });
      }
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 500);
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, fsConstants.O_RDONLY).catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is done either way.
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Replaces `file` with `data` atomically: afterwards it holds either the old or the new bytes. */
export async function writeFileAtomic(
  file: string,
  data: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  // Queue on the path as given, synchronously, so writes keep their call order; then on the resolved
  // target too, so two paths to one file (a symlink) never write at once either.
  return serialized(`call:${path.resolve(file)}`, async () => {
    const target = await resolveTarget(file);
    return serialized(target, () => writeUnlocked(target, data, options));
  });
}

async function writeUnlocked(target: string, data: Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const ops: AtomicFsOps = { ...defaultOps, ...options.ops };
  const step = async (name: AtomicWriteStep) => options.beforeStep?.(name);
  const platform = options.platform ?? process.platform;
  await assertWritable(target);
  await removeStaleTemps(target);
  const existing = await fsp.stat(target).catch(() => null);
  const temp = tempPathFor(target);
  let renamed = false;
  try {
    await writeTemp(temp, data, existing?.mode ?? null, ops, step);
    if (existing && typeof process.getuid === 'function' && process.getuid() === 0) {
      // Running as root (e.g. a Linux CLI under sudo): keep the file's owner.
      await fsp.chown(temp, existing.uid, existing.gid).catch(() => undefined);
    }
    await step('rename');
    await renameWithRetry(temp, target, ops, options.renameRetryMs ?? 3000, options.sleep ?? defaultSleep);
    renamed = true;
    await step('fsync-dir');
    if (platform !== 'win32') await fsyncDir(path.dirname(target));
  } catch (e) {
    throw writeFailed(target, e);
  } finally {
    if (!renamed) await fsp.unlink(temp).catch(() => undefined);
  }
}

async function writeTemp(
  temp: string,
  data: Uint8Array,
  mode: number | null,
  ops: AtomicFsOps,
  step: (name: AtomicWriteStep) => Promise<void>,
): Promise<void> {
  await step('open-temp');
  let handle: FileHandle;
  try {
    handle = await ops.open(temp, 'wx', mode === null ? 0o666 : mode & 0o777);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new AppError('ENV_FILE_READ_ONLY', { params: { path: path.dirname(temp) }, detail: String(e) });
    }
    throw e;
  }
  let closed = false;
  try {
    await step('write-temp');
    await handle.writeFile(data);
    await step('fsync-temp');
    await handle.sync();
    await step('close-temp');
    closed = true;
    await handle.close();
  } finally {
    if (!closed) await handle.close().catch(() => undefined);
  }
  // The umask may have narrowed the mode given to open(); keep the original file's permissions.
  if (mode !== null) await fsp.chmod(temp, mode & 0o7777).catch(() => undefined);
}

// One write at a time per file within this process (the app and its tests may race themselves).
const queues = new Map<string, Promise<unknown>>();

async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Backups

/**
 * Where backups of `file` go: the given folder, or `.dify-stack-backups` beside the file. Given an
 * app-data root instead (`appDataRoot`), each file gets its own sub-folder named by a hash of its
 * path, with a `target.txt` saying which file it is.
 */
export function backupDirFor(file: string, appDataRoot?: string): string {
  const target = path.resolve(file);
  if (!appDataRoot) return path.join(path.dirname(target), BACKUP_FOLDER);
  const hash = createHash('sha256').update(target.toLowerCase()).digest('hex').slice(0, 16);
  return path.join(appDataRoot, 'env-backups', hash);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function backupPattern(target: string): RegExp {
  return new RegExp(`^${escapeRegExp(path.basename(target))}\\.(\\d{8}T\\d{9}Z)-(\\d{2})\\.bak$`);
}

function stampOf(date: Date): string {
  const iso = date.toISOString(); // 2026-07-22T10:15:30.123Z
  return iso.replace(/[-:]/g, '').replace('.', '');
}

function dateOfStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  if (!m) return new Date(NaN);
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms));
}

function dirOf(file: string, options: BackupOptions): string {
  return options.backupDir ?? backupDirFor(file, options.appDataRoot);
}

/** Backups of `file`, newest first. */
export async function listBackups(file: string, options: BackupOptions = {}): Promise<BackupInfo[]> {
  const target = await resolveTarget(file);
  const dir = dirOf(target, options);
  const pattern = backupPattern(target);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const out: BackupInfo[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const stat = await fsp.stat(path.join(dir, name)).catch(() => null);
    if (!stat?.isFile()) continue;
    out.push({
      id: name,
      path: path.join(dir, name),
      createdAt: dateOfStamp(m[1] as string),
      size: stat.size,
    });
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Saves `bytes` as a new backup of `file` (itself written atomically) and prunes old ones. */
export async function saveBackup(
  file: string,
  bytes: Uint8Array,
  options: BackupOptions = {},
): Promise<BackupInfo> {
  const target = await resolveTarget(file);
  const dir = dirOf(target, options);
  await fsp.mkdir(dir, { recursive: true });
  if (options.backupDir === undefined && options.appDataRoot !== undefined) {
    await fsp.writeFile(path.join(dir, 'target.txt'), target + '\n');
  }
  const stamp = stampOf((options.now ?? (() => new Date()))());
  const taken = new Set(await fsp.readdir(dir));
  let seq = 0;
  let name = '';
  do {
    name = `${path.basename(target)}.${stamp}-${String(seq).padStart(2, '0')}.bak`;
    seq++;
  } while (taken.has(name) && seq < 100);
  const backupPath = path.join(dir, name);
  await writeFileAtomic(backupPath, bytes);
  await pruneBackups(target, options);
  return { id: name, path: backupPath, createdAt: dateOfStamp(stamp), size: bytes.length };
}

/** Deletes all but the newest `keep` backups. */
export async function pruneBackups(file: string, options: BackupOptions = {}): Promise<void> {
  const keep = options.keep ?? DEFAULT_BACKUPS_KEPT;
  const backups = await listBackups(file, options);
  for (const old of backups.slice(keep)) await fsp.unlink(old.path).catch(() => undefined);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

async function readCurrent(target: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(target);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return null;
    if (code === 'EBUSY')
      throw new AppError('ENV_FILE_LOCKED', { params: { path: target }, detail: String(e) });
    throw writeFailed(target, e);
  }
}

/**
 * Replaces `file` with `data`: backs up the current bytes first, then writes atomically. Nothing is
 * written when the file already holds `data`, or when `expected` is given and the file changed since.
 */
export async function writeWithBackup(
  file: string,
  data: Uint8Array,
  options: WriteWithBackupOptions = {},
): Promise<WriteResult> {
  // Queued in call order on the given path first (see writeFileAtomic), then on the real target.
  return serialized(`backup-call:${path.resolve(file)}`, async () => {
    const target = await resolveTarget(file);
    return writeWithBackupUnlocked(target, data, options);
  });
}

function writeWithBackupUnlocked(
  target: string,
  data: Uint8Array,
  options: WriteWithBackupOptions,
): Promise<WriteResult> {
  return serialized(`backup:${target}`, async () => {
    const current = await readCurrent(target);
    if (options.expected !== undefined) {
      const expected = options.expected;
      const unchanged =
        expected === null ? current === null : current !== null && sameBytes(current, expected);
      if (!unchanged) throw new AppError('ENV_FILE_CHANGED', { params: { path: target } });
    }
    if (current !== null && sameBytes(current, data)) return { changed: false, backup: null };
    await assertWritable(target);
    let backup: BackupInfo | null = null;
    if (current !== null) {
      try {
        backup = await saveBackup(target, current, options);
      } catch (e) {
        throw writeFailed(dirOf(target, options), e);
      }
    }
    await writeFileAtomic(target, data, options);
    return { changed: true, backup };
  });
}

/** Puts a backup's bytes back (atomically, after backing up what is there now). */
export async function restoreBackup(
  file: string,
  backupId: string,
  options: WriteWithBackupOptions = {},
): Promise<WriteResult & { restored: BackupInfo }> {
  const target = await resolveTarget(file);
  const backups = await listBackups(target, options);
  // Only names from the list: an id can never point outside the backup folder.
  const chosen = backups.find((b) => b.id === backupId);
  if (!chosen) throw new AppError('ENV_BACKUP_NOT_FOUND', { params: { backup: backupId } });
  const bytes = await fsp.readFile(chosen.path);
  const result = await writeWithBackup(target, bytes, options);
  return { ...result, restored: chosen };
}
