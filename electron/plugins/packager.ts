import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs, readFile as readFileCb, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AppError } from '../core/errors';
import { translate } from '../core/i18n';
import { checkPluginFolder, type PluginFolderCheck, type PluginManifest } from './manifest';
import {
  type PreparedEntry,
  prepareEntry,
  prepareEntrySync,
  ZipLayout,
  zipLimitProblem,
} from './packager-zip';
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

const FILE_MODE = 0o100644;
const COMPRESSION_LEVEL = 6;
/** Files up to this size are read whole (and compressed a few at a time); bigger ones are streamed. */
const SMALL_FILE_BYTES = 1024 * 1024;
/**
 * Files up to this size are read and deflated on the main thread when the writer reaches them: for
 * such files each trip through libuv's pool (open, fstat, read, close, deflate) costs more CPU than the
 * work itself (measured on the bench's 2,000 files: ~0.19 s of the main thread in the fs calls alone).
 * A 64 KB file takes about a millisecond, short enough not to hold up the main process.
 */
const TINY_FILE_BYTES = 64 * 1024;
/** At most this many bytes of small files are held in memory ahead of the zip writer… */
const BUFFER_WINDOW = 4 * 1024 * 1024;
/** …in at most this many files being read and deflated. */
const READ_AHEAD = 8;
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
 * Small files are read whole and deflated a few at a time ahead of the writer (ReadAhead: at most
 * READ_AHEAD files and BUFFER_WINDOW bytes), so disk reads and compression overlap on libuv's pool
 * without hundreds of zlib streams at once; big files are streamed through one deflate stream when
 * the writer reaches them. The output depends only on the sorted list and the files' contents.
 */
export async function buildPackage(list: PackageFileList, options: BuildOptions): Promise<PackageResult> {
  assertWithinLimit(list, options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const outFile = path.resolve(options.outFile);
  const tooMany = zipLimitProblem(list.files.length, list.uncompressedSize);
  if (tooMany) throw new AppError('PLUGIN_PACKAGE_FAILED', { params: { path: outFile, reason: tooMany } });
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${randomBytes(6).toString('hex')}.tmp`;
  const signal = options.signal;
  const hash = createHash('sha256');
  let bytes = 0;
  // Hashes the output and gathers the many small pieces (header, name, data per entry) into big writes:
  // thousands of tiny file writes cost more than the compression of small files.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const out = await fs.open(tmp, 'w');
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await out.writeFile(chunk);
  };
  const write = async (chunk: Buffer): Promise<void> => {
    hash.update(chunk);
    bytes += chunk.length;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= WRITE_CHUNK) await flush();
  };
  const zip = new ZipLayout(write, FILE_MODE);
  const reads = new ReadAhead(list.files);
  const total = list.uncompressedSize;
  try {
    let done = 0;
    for (let i = 0; i < list.files.length; i++) {
      const file = list.files[i] as PackageFile;
      options.onProgress?.(done, total);
      if (signal?.aborted) throw new AppError('CANCELLED');
      done += file.size;
      if (file.size <= SMALL_FILE_BYTES) {
        const entry = await reads.get(i);
        if (entry.size !== file.size) throw new Error(CHANGED_WHILE_PACKAGING);
        await zip.add(file.rel, entry);
      } else {
        // The small files after it are read and deflated meanwhile.
        reads.fill(i + 1);
        await streamEntry(zip, file, signal);
      }
    }
    if (signal?.aborted) throw new AppError('CANCELLED');
    await zip.end();
    await flush();
    await out.close();
    options.onProgress?.(total, total);
    await fs.rename(tmp, outFile);
  } catch (e) {
    reads.drop();
    await out.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (signal?.aborted) throw new AppError('CANCELLED');
    if (e instanceof AppError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new AppError('PLUGIN_PACKAGE_FAILED', { params: { path: outFile, reason }, cause: e });
  }
  return {
    path: outFile,
    bytes,
    files: list.files.length,
    uncompressedSize: total,
    sha256: hash.digest('hex'),
  };
}

/** A big file deflated as it is read, its CRC and size counted on the way; a size change fails it. */
async function streamEntry(
  zip: ZipLayout,
  file: PackageFile,
  signal: AbortSignal | undefined,
): Promise<void> {
  const entry = await zip.begin(file.rel);
  let crc = 0;
  let size = 0;
  const count = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  };
  const take = async (compressed: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of compressed) await entry.data(chunk);
  };
  await pipeline(
    createReadStream(file.abs, { highWaterMark: STREAM_CHUNK }),
    count,
    zlib.createDeflateRaw({ level: COMPRESSION_LEVEL }),
    take,
    ...(signal ? [{ signal }] : []),
  );
  if (size !== file.size) throw new Error(CHANGED_WHILE_PACKAGING);
  await entry.finish(crc, size);
}

/**
 * Reads and deflates small files ahead of the writer: at most READ_AHEAD files and BUFFER_WINDOW bytes
 * of them at a time. Measured on 2,000 small files: deflating all at once (yazl's way) costs twice the
 * CPU of a few at a time — each zlib stream allocates and clears ~300 KB of state.
 */
class ReadAhead {
  private readonly started = new Map<number, Promise<PreparedEntry>>();
  private next = 0;
  private aheadBytes = 0;

  constructor(private readonly files: PackageFile[]) {}

  get(i: number): Promise<PreparedEntry> {
    const file = this.files[i] as PackageFile;
    if (file.size <= TINY_FILE_BYTES) {
      // Bigger files after it are read and deflated meanwhile.
      this.fill(i + 1);
      try {
        return Promise.resolve(prepareEntrySync(readFileSync(file.abs), COMPRESSION_LEVEL));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.fill(i);
    const p = this.started.get(i) as Promise<PreparedEntry>;
    this.started.delete(i);
    this.aheadBytes -= (this.files[i] as PackageFile).size;
    return p;
  }

  /** Starts the small files from `from` on, up to the limits (tiny ones are read when reached, big ones streamed). */
  fill(from: number): void {
    if (this.next < from) this.next = from;
    while (this.next < this.files.length) {
      const file = this.files[this.next] as PackageFile;
      if (file.size > SMALL_FILE_BYTES || file.size <= TINY_FILE_BYTES) {
        this.next++;
        continue;
      }
      const full = this.started.size >= READ_AHEAD || this.aheadBytes + file.size > BUFFER_WINDOW;
      if (this.started.size > 0 && full) break;
      const p = readWhole(file.abs).then((data) => prepareEntry(data, COMPRESSION_LEVEL));
      p.catch(() => undefined); // observed by get(); a dropped read must not become an unhandled rejection
      this.started.set(this.next++, p);
      this.aheadBytes += file.size;
    }
  }

  /** Packaging stopped: what is still being read is left to finish unobserved. */
  drop(): void {
    this.started.clear();
    this.next = this.files.length;
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
