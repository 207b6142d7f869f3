import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, readFile as readFileCb } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { AppError } from '../core/errors';
import { translate } from '../core/i18n';
import { checkPluginFolder, type PluginFolderCheck, type PluginManifest } from './manifest';
import { useNativeCrc32ForYazl } from './native-crc';
import { listPackageFiles, type PackageFile, type PackageFileList, type SkippedEntry } from './package-files';

export {
  ALWAYS_EXCLUDED,
  IGNORE_FILES,
  listPackageFiles,
  type ListOptions,
  type PackageFile,
  type PackageFileList,
  type SkippedEntry,
} from './package-files';

/**
 * Builds a `.difypkg` (a zip with forward-slash paths) from a plugin folder: validate, list the files
 * (package-files.ts: the ignore rules of `dify plugin package`), write the zip.
 *
 * The output is deterministic — sorted entries, fixed timestamps and attributes — so the same folder
 * always gives the same bytes (and so the same Dify identifier); file contents are streamed.
 */

export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 52_428_800;

/** 1980-01-01 00:00 in local time: the DOS timestamp minimum, so it encodes identically in every time zone. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;
const COMPRESSION_LEVEL = 6;
/** Files up to this size are read whole (and compressed in parallel); bigger ones are streamed. */
const SMALL_FILE_BYTES = 1024 * 1024;
/** At most this many bytes of small files are held in memory ahead of the zip writer. */
const BUFFER_WINDOW = 4 * 1024 * 1024;
const READ_AHEAD = 4;
const STREAM_CHUNK = 256 * 1024;
const WRITE_CHUNK = 1024 * 1024;
const CHANGED_WHILE_PACKAGING = 'a file changed while it was being packaged';

export interface PackageResult {
  path: string;
  bytes: number;
  files: number;
  uncompressedSize: number;
  sha256: string;
}

export interface BuildOptions {
  outFile: string;
  maxUncompressedBytes?: number;
  signal?: AbortSignal;
  /** Called as files are written: bytes of file data done so far out of the total. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** Throws PLUGIN_PACKAGE_TOO_LARGE naming the biggest files when the list is over the limit. */
export function assertWithinLimit(list: PackageFileList, limit: number): void {
  if (list.uncompressedSize <= limit) return;
  const biggest = [...list.files].sort((a, b) => b.size - a.size || (a.rel < b.rel ? -1 : 1));
  const top = biggest.slice(0, 5).map((f) => `${f.rel} (${formatMb(f.size)} MB)`);
  throw new AppError('PLUGIN_PACKAGE_TOO_LARGE', {
    params: {
      sizeMb: formatMb(list.uncompressedSize),
      limitMb: formatMb(limit),
      size: list.uncompressedSize,
      limit,
      biggest: top.join(', '),
    },
    detail: biggest
      .slice(0, 20)
      .map((f) => `${f.size}\t${f.rel}`)
      .join('\n'),
  });
}

/**
 * Writes the zip for an already listed set of files (atomically: temp file + rename).
 *
 * Why two ways of adding entries: yazl deflates an entry given as a buffer right away on libuv's
 * thread pool, so many small files compress in parallel, while stream entries are compressed one after
 * the other as yazl reaches them. Small files are therefore read whole and added as buffers, but only
 * up to BUFFER_WINDOW bytes ahead of what yazl has written; big files, and the file that would overflow
 * the window, are streamed. A stream entry's open callback runs when yazl reaches it — i.e. when every
 * entry before it is written — which is what frees the window. Which files become buffers depends only
 * on the sorted list and the sizes, so the output stays byte-for-byte deterministic.
 */
export async function buildPackage(list: PackageFileList, options: BuildOptions): Promise<PackageResult> {
  assertWithinLimit(list, options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  useNativeCrc32ForYazl();
  const outFile = path.resolve(options.outFile);
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${randomBytes(6).toString('hex')}.tmp`;
  const hash = createHash('sha256');
  let bytes = 0;
  // Hashes the output and gathers yazl's many small writes (header, data, descriptor per entry) into
  // big ones: thousands of tiny file writes cost more than the compression of small files.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= WRITE_CHUNK) {
        const out = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        cb(null, out);
      } else cb();
    },
    flush(cb) {
      cb(null, pendingBytes > 0 ? Buffer.concat(pending, pendingBytes) : undefined);
    },
  });

  const zip = new ZipFile();
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(new AppError('CANCELLED'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // yazl reports entry errors (size mismatch, a read stream failing) on the ZipFile, not the output.
  zip.on('error', (e: unknown) => controller.abort(e));
  const stopped = new Promise<never>((_, reject) => {
    const fail = (): void => reject(controller.signal.reason);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener('abort', fail, { once: true });
  });
  stopped.catch(() => undefined);

  const total = list.uncompressedSize;
  const entryOptions = {
    mtime: FIXED_MTIME,
    mode: FILE_MODE,
    compressionLevel: COMPRESSION_LEVEL,
    forceDosTimestamp: true,
  };
  const feed = async (): Promise<void> => {
    const reads = new ReadAhead(list.files, READ_AHEAD);
    let buffered = 0;
    let done = 0;
    for (let i = 0; i < list.files.length; i++) {
      const file = list.files[i] as PackageFile;
      options.onProgress?.(done, total);
      done += file.size;
      if (file.size <= SMALL_FILE_BYTES && buffered + file.size <= BUFFER_WINDOW) {
        const data = await Promise.race([reads.get(i), stopped]);
        if (data.length !== file.size) throw new Error(CHANGED_WHILE_PACKAGING);
        zip.addBuffer(data, file.rel, entryOptions);
        buffered += file.size;
        continue;
      }
      reads.skip(i);
      const reached = new Promise<void>((resolve) => {
        zip.addReadStreamLazy(file.rel, { ...entryOptions, size: file.size }, (cb) => {
          resolve();
          const stream = createReadStream(file.abs, { highWaterMark: STREAM_CHUNK });
          stream.on('error', (e) => zip.emit('error', e));
          cb(null, stream);
        });
      });
      await Promise.race([reached, stopped]);
      buffered = 0;
    }
    zip.end();
  };

  try {
    await Promise.all([
      pipeline(zip.outputStream, tap, createWriteStream(tmp), { signal: controller.signal }),
      feed(),
    ]);
    options.onProgress?.(total, total);
    await fs.rename(tmp, outFile);
  } catch (e) {
    controller.abort(e);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (options.signal?.aborted) throw new AppError('CANCELLED');
    const cause: unknown = controller.signal.reason ?? e;
    if (cause instanceof AppError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AppError('PLUGIN_PACKAGE_FAILED', {
      params: {
        path: outFile,
        reason:
          reason === CHANGED_WHILE_PACKAGING || /unexpected number of bytes/.test(reason)
            ? CHANGED_WHILE_PACKAGING
            : reason,
      },
      cause,
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return {
    path: outFile,
    bytes,
    files: list.files.length,
    uncompressedSize: total,
    sha256: hash.digest('hex'),
  };
}

/** Reads small files a few at a time ahead of the zip writer, so disk latency overlaps compression. */
class ReadAhead {
  private readonly started = new Map<number, Promise<Buffer>>();
  private next = 0;

  constructor(
    private readonly files: PackageFile[],
    private readonly depth: number,
  ) {}

  get(i: number): Promise<Buffer> {
    this.fill(i);
    const p = this.started.get(i) as Promise<Buffer>;
    this.started.delete(i);
    return p;
  }

  /** File i is streamed instead: never read it whole. */
  skip(i: number): void {
    this.started.delete(i);
    if (this.next <= i) this.next = i + 1;
  }

  private fill(from: number): void {
    if (this.next < from) this.next = from;
    while (this.next < this.files.length && this.next < from + this.depth) {
      const file = this.files[this.next] as PackageFile;
      if (file.size <= SMALL_FILE_BYTES) {
        const p = readWhole(file.abs);
        p.catch(() => undefined); // observed by get(); a skipped read must not become an unhandled rejection
        this.started.set(this.next, p);
      }
      this.next++;
    }
    if (!this.started.has(from)) {
      const file = this.files[from] as PackageFile;
      this.started.set(from, readWhole(file.abs));
    }
  }
}

/** The callback form of readFile costs about half the CPU of fs.promises.readFile per small file. */
function readWhole(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readFileCb(file, (err, data) => (err ? reject(err) : resolve(data))),
  );
}

export interface PackageFolderOptions extends Omit<BuildOptions, 'outFile'> {
  /** Default: `<name>-<version>.difypkg` next to the plugin folder. */
  outFile?: string;
}

export interface PackageFolderResult extends PackageResult {
  manifest: PluginManifest;
  check: PluginFolderCheck;
  ignoreFile: string | null;
  skipped: SkippedEntry[];
}

/**
 * Validate → list → build: what `dify-stack plugin package` and the reinstall workflow run. Throws
 * PLUGIN_MANIFEST_MISSING / PLUGIN_MANIFEST_INVALID (problems in `detail`, one per line) before
 * writing anything.
 */
export async function packagePluginFolder(
  dir: string,
  options: PackageFolderOptions = {},
): Promise<PackageFolderResult> {
  const root = path.resolve(dir);
  const exclude = options.outFile ? [path.resolve(options.outFile)] : [];
  const list = await listPackageFiles(root, { exclude });
  const check = await checkPluginFolder(root, {
    packagedFiles: new Set(list.files.map((f) => f.rel)),
    ignoreFile: list.ignoreFile,
  });
  const manifest = requireValidManifest(check);
  const outFile = options.outFile ?? path.join(path.dirname(root), packageFileName(manifest));
  const result = await buildPackage(list, { ...options, outFile });
  return { ...result, manifest, check, ignoreFile: list.ignoreFile, skipped: list.skipped };
}

/** The manifest of a folder that passed every check, or the AppError that explains why not. */
export function requireValidManifest(check: PluginFolderCheck): PluginManifest {
  if (check.problems.some((p) => p.code === 'MANIFEST_MISSING')) {
    throw new AppError('PLUGIN_MANIFEST_MISSING', { params: { dir: check.dir } });
  }
  if (check.problems.length > 0 || !check.manifest) {
    const lines = check.problems.map((p) => {
      const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
      return `${where}: ${translate('en', `plugins.problems.${p.code}`, p.params)}`;
    });
    throw new AppError('PLUGIN_MANIFEST_INVALID', {
      params: { dir: check.dir, count: check.problems.length },
      detail: lines.join('\n'),
    });
  }
  return check.manifest;
}

export function packageFileName(manifest: Pick<PluginManifest, 'name' | 'version'>): string {
  return `${manifest.name}-${manifest.version}.difypkg`;
}

function formatMb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
