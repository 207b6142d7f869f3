/**
 * The zip format as a `.difypkg` needs it, written by hand: every entry a file with a fixed time and
 * mode, names in UTF-8, deflated at level 6 (what `zip` uses) or stored when deflating does not make it
 * smaller (as `zip` does), no extra fields. The daemon reads packages with Go's archive/zip, which
 * reads all of this (and data descriptors, used for the streamed entries).
 *
 * Why not yazl any more (measured on the plugin bench's 2,000 files / 30 MB): yazl starts the deflate
 * of every buffer entry the moment it is added, each on its own new zlib stream, so hundreds ran at
 * once — ~0.8–0.9 s of CPU for what takes ~0.4 s when a few run at a time; and it offers no way to
 * hand it data already compressed. Here the packager decides how many files are read and deflated
 * ahead (packager.ts), and this module only lays out the bytes.
 *
 * No ZIP64: a package holds at most 65,534 entries and 4 GiB (Dify's own limit is 50 MB); more is
 * refused before anything is written (`zipLimitProblem`).
 */
import zlib from 'node:zlib';

/** 1980-01-01 00:00, the DOS timestamp minimum: the same bytes in every time zone. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** Unix, spec version 2.0 (deflate, data descriptors: nothing newer is used). */
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;
const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const MAX_ENTRIES = 0xfffe;
const MAX_OFFSET = 0xfffffffe;

/** An entry's data ready to write: compressed (or stored) bytes with the CRC and size of the original. */
export interface PreparedEntry {
  method: typeof METHOD_STORE | typeof METHOD_DEFLATE;
  data: Buffer;
  crc: number;
  size: number;
}

/** Deflated (level 6) on libuv's pool, or kept stored when deflate does not make it smaller. */
export function prepareEntry(data: Buffer, level: number): Promise<PreparedEntry> {
  if (data.length === 0) return Promise.resolve(prepared(data, data));
  return new Promise((resolve, reject) =>
    zlib.deflateRaw(data, { level }, (error, deflated) =>
      error ? reject(error) : resolve(prepared(data, deflated)),
    ),
  );
}

/**
 * The same on the calling thread, for small files: an asynchronous deflate costs ~85 µs of CPU beyond
 * the compression (a zlib stream, a trip through libuv's pool and back; measured: 2,000 one-byte
 * deflates take ~170–330 ms async, ~20 ms sync) — more than deflating a small file takes.
 */
export function prepareEntrySync(data: Buffer, level: number): PreparedEntry {
  return prepared(data, data.length === 0 ? data : zlib.deflateRawSync(data, { level }));
}

function prepared(data: Buffer, deflated: Buffer): PreparedEntry {
  const crc = zlib.crc32(data);
  return deflated.length < data.length
    ? { method: METHOD_DEFLATE, data: deflated, crc, size: data.length }
    : { method: METHOD_STORE, data, crc, size: data.length };
}

/** Why these files cannot go into one zip without ZIP64, or null. */
export function zipLimitProblem(files: number, bytes: number): string | null {
  if (files > MAX_ENTRIES) return `${files} files (a package holds at most ${MAX_ENTRIES})`;
  // Deflate may add a little to incompressible data; the headers come on top.
  if (bytes > MAX_OFFSET / 2) return `${bytes} bytes (a package holds at most 2 GiB)`;
  return null;
}

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/**
 * Lays out entries in the order given. `write` receives every byte of the zip in order; it is awaited,
 * so a slow disk holds the writer back.
 */
export class ZipLayout {
  private offset = 0;
  private readonly central: CentralRecord[] = [];

  constructor(
    private readonly write: (bytes: Buffer) => Promise<void>,
    private readonly mode: number,
  ) {}

  /** An entry whose data is known whole. */
  async add(name: string, entry: PreparedEntry): Promise<void> {
    const record: CentralRecord = {
      name: Buffer.from(name, 'utf8'),
      flags: FLAG_UTF8,
      method: entry.method,
      crc: entry.crc,
      compressedSize: entry.data.length,
      size: entry.size,
      offset: this.offset,
    };
    await this.put(localHeader(record));
    await this.put(record.name);
    await this.put(entry.data);
    this.central.push(record);
  }

  /**
   * An entry whose data comes in pieces (a big file, deflated as it is read): the header says a data
   * descriptor follows, with the CRC and sizes `finish` gives once the data is written.
   */
  async begin(name: string): Promise<{
    data: (compressed: Buffer) => Promise<void>;
    finish: (crc: number, size: number) => Promise<void>;
  }> {
    const record: CentralRecord = {
      name: Buffer.from(name, 'utf8'),
      flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      method: METHOD_DEFLATE,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: this.offset,
    };
    await this.put(localHeader(record));
    await this.put(record.name);
    const dataStart = this.offset;
    return {
      data: (compressed) => this.put(compressed),
      finish: async (crc, size) => {
        record.crc = crc;
        record.size = size;
        record.compressedSize = this.offset - dataStart;
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
        descriptor.writeUInt32LE(crc >>> 0, 4);
        descriptor.writeUInt32LE(record.compressedSize, 8);
        descriptor.writeUInt32LE(size, 12);
        await this.put(descriptor);
        this.central.push(record);
      },
    };
  }

  /** The central directory and its end record. */
  async end(): Promise<void> {
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const r of this.central) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(CENTRAL_HEADER, 0);
      header.writeUInt16LE(VERSION_MADE_BY, 4);
      // Version needed … name length: the local header's fields, in the same order.
      localHeader(r).copy(header, 6, 4, 28);
      // Extra field, comment, disk number, internal attributes: none, all zero.
      header.writeUInt32LE((this.mode << 16) >>> 0, 38);
      header.writeUInt32LE(r.offset, 42);
      parts.push(header, r.name);
    }
    const directory = Buffer.concat(parts);
    const endRecord = Buffer.alloc(22);
    endRecord.writeUInt32LE(END_OF_CENTRAL, 0);
    endRecord.writeUInt16LE(this.central.length, 8);
    endRecord.writeUInt16LE(this.central.length, 10);
    endRecord.writeUInt32LE(directory.length, 12);
    endRecord.writeUInt32LE(start, 16);
    await this.put(directory);
    await this.put(endRecord);
  }

  private async put(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    if (this.offset > MAX_OFFSET) throw new Error('the package grew past 4 GiB');
    await this.write(bytes);
  }
}

function localHeader(r: CentralRecord): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(r.flags, 6);
  header.writeUInt16LE(r.method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  // With a data descriptor, CRC and sizes are zero here and follow the data.
  header.writeUInt32LE(r.crc >>> 0, 14);
  header.writeUInt32LE(r.compressedSize, 18);
  header.writeUInt32LE(r.size, 22);
  header.writeUInt16LE(r.name.length, 26);
  return header;
}
