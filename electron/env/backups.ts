/**
 * Timestamped backups of a configuration file (the newest 20), kept before every replacement and
 * restorable byte for byte. Lives beside atomic-write.ts: a backup is itself written atomically, and
 * a write-with-backup is queued per file with the plain atomic writes so they keep their call order.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../core/errors';
import {
  assertWritable,
  errnoCode,
  resolveTarget,
  serialized,
  writeFailed,
  writeFileAtomic,
  type AtomicWriteOptions,
} from './atomic-write';

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
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
const BACKUP_FOLDER = '.dify-stack-backups';

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
  // A backup of `.env` holds SECRET_KEY and the database passwords: only the user may read it,
  // whatever the umask and however open the source file is.
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  if (options.backupDir === undefined && options.appDataRoot !== undefined) {
    await fsp.writeFile(path.join(dir, 'target.txt'), target + '\n', { mode: PRIVATE_FILE });
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
  await writeFileAtomic(backupPath, bytes, { createMode: PRIVATE_FILE });
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
