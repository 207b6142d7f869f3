/**
 * Writing configuration files so that a crash, a full disk or a locked file never leaves a mix of
 * old and new bytes: write a temp file in the same folder, fsync it, rename it over the target
 * (atomic on NTFS and POSIX file systems), fsync the folder. Backups of the replaced bytes are
 * backups.ts's job; it shares this file's per-file queue and error mapping.
 *
 * Not write-file-atomic (installed, and its core steps are the same) because it does not fit here:
 * it does not retry the rename when Windows reports EPERM/EBUSY/EACCES while an editor or antivirus
 * holds the file; it copies the old file's mode and replaces a read-only file without a word (we must
 * refuse and say so); it does not fsync the folder; and it offers no way to stop between its steps,
 * which the crash-safety tests need. The whole sequence is ~60 lines below.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { AppError, isAppError, messageOf } from '../core/errors';
import { pidAlive } from '../core/pid-alive';

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
  /** Permissions of a file that does not exist yet (an existing file keeps its own); default 0666 & umask. */
  createMode?: number;
}

const LOCK_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);

const defaultOps: AtomicFsOps = {
  open: (file, flags, mode) => fsp.open(file, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

/** Any failure as ENV_WRITE_FAILED with the system's reason; an AppError already says more. */
export function writeFailed(file: string, e: unknown): AppError {
  if (isAppError(e)) return e;
  const reason = errnoCode(e) ?? messageOf(e);
  return new AppError('ENV_WRITE_FAILED', {
    params: { path: file, reason },
    detail: messageOf(e),
    cause: e,
  });
}

/** A file without any write permission bit is read-only (that is how Windows' attribute shows up). */
export async function assertWritable(file: string): Promise<void> {
  const stat = await fsp.stat(file).catch(() => null);
  if (stat && (stat.mode & 0o222) === 0) throw new AppError('ENV_FILE_READ_ONLY', { params: { path: file } });
}

export async function resolveTarget(file: string): Promise<string> {
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
    if (pid === process.pid || pidAlive(pid)) continue;
    await fsp.unlink(path.join(dir, name)).catch(() => undefined);
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
    await writeTemp(temp, data, existing?.mode ?? options.createMode ?? null, ops, step);
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

export async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
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
