import { chmodSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATOMIC_WRITE_STEPS,
  writeFileAtomic,
  type AtomicWriteStep,
} from '../../../electron/env/atomic-write';
import { createTempDirSync, removeTempDirSync } from '../../helpers/temp-dir';
import { expectAppError } from './helpers';

let dir: string;
let file: string;
const OLD = Buffer.from('# old\r\nGUNICORN_TIMEOUT=360\r\n');
const NEW = Buffer.from('# old\r\nGUNICORN_TIMEOUT=3600\r\n');

beforeEach(() => {
  dir = createTempDirSync('atomic-');
  file = path.join(dir, '.env');
  writeFileSync(file, OLD);
});
afterEach(() => {
  chmodSync(dir, 0o755);
  removeTempDirSync(dir);
});

function leftovers(): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

describe('writeFileAtomic', () => {
  it('replaces the bytes and keeps the permissions', async () => {
    chmodSync(file, 0o640);
    await writeFileAtomic(file, NEW);
    expect(readFileSync(file)).toEqual(NEW);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(leftovers()).toEqual([]);
  });

  it('creates a file that does not exist yet', async () => {
    const fresh = path.join(dir, 'new.env');
    await writeFileAtomic(fresh, NEW);
    expect(readFileSync(fresh)).toEqual(NEW);
  });

  it('writes through a symlink to the real file', async () => {
    const real = path.join(dir, 'real.env');
    writeFileSync(real, OLD);
    const link = path.join(dir, 'link.env');
    symlinkSync(real, link);
    await writeFileAtomic(link, NEW);
    expect(readFileSync(real)).toEqual(NEW);
    expect((await fsp.lstat(link)).isSymbolicLink()).toBe(true);
  });

  it.each(ATOMIC_WRITE_STEPS.map((s) => [s]))(
    'a failure before step %s leaves the old or the new file, never a mix, and no temp file',
    async (failAt) => {
      const steps: AtomicWriteStep[] = [];
      const write = writeFileAtomic(file, NEW, {
        beforeStep: (step) => {
          steps.push(step);
          if (step === failAt) throw errno('EIO');
        },
      });
      await expectAppError(write, 'ENV_WRITE_FAILED');
      // Only the folder fsync comes after the rename.
      expect(readFileSync(file)).toEqual(failAt === 'fsync-dir' ? NEW : OLD);
      expect(steps[steps.length - 1]).toBe(failAt);
      expect(leftovers()).toEqual([]);
    },
  );

  it('a write that fails half-way (disk full) leaves the old file', async () => {
    const write = writeFileAtomic(file, Buffer.alloc(1 << 20, 0x41), {
      ops: {
        open: async (p, flags, mode) => {
          const handle = await fsp.open(p, flags, mode);
          return new Proxy(handle, {
            get(target, prop, receiver) {
              if (prop === 'writeFile') {
                return async (data: Uint8Array) => {
                  await target.write(data.subarray(0, data.length / 2));
                  throw errno('ENOSPC');
                };
              }
              const value = Reflect.get(target, prop, receiver) as unknown;
              return typeof value === 'function'
                ? (value as (...a: unknown[]) => unknown).bind(target)
                : value;
            },
          });
        },
      },
    });
    await expectAppError(write, 'ENV_WRITE_FAILED');
    expect(readFileSync(file)).toEqual(OLD);
    expect(leftovers()).toEqual([]);
  });

  it('retries a rename that Windows refuses while an editor or antivirus holds the file', async () => {
    let attempts = 0;
    const waits: number[] = [];
    await writeFileAtomic(file, NEW, {
      ops: {
        rename: async (from, to) => {
          attempts++;
          if (attempts <= 3) throw errno(['EPERM', 'EBUSY', 'EACCES'][attempts - 1] as string);
          await fsp.rename(from, to);
        },
      },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(attempts).toBe(4);
    expect(waits.length).toBe(3);
    expect(readFileSync(file)).toEqual(NEW);
    expect(leftovers()).toEqual([]);
  });

  it('a file that stays locked → ENV_FILE_LOCKED, nothing changed', async () => {
    let elapsed = 0;
    const write = writeFileAtomic(file, NEW, {
      renameRetryMs: 2000,
      ops: { rename: async () => Promise.reject(errno('EBUSY')) },
      sleep: async (ms) => {
        elapsed += ms;
      },
    });
    await expectAppError(write, 'ENV_FILE_LOCKED');
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(readFileSync(file)).toEqual(OLD);
    expect(leftovers()).toEqual([]);
  });

  it('other rename errors are not retried', async () => {
    let attempts = 0;
    const write = writeFileAtomic(file, NEW, {
      ops: {
        rename: async () => {
          attempts++;
          throw errno('EXDEV');
        },
      },
    });
    await expectAppError(write, 'ENV_WRITE_FAILED');
    expect(attempts).toBe(1);
  });

  it('a read-only file → ENV_FILE_READ_ONLY, nothing changed', async () => {
    chmodSync(file, 0o444);
    await expectAppError(writeFileAtomic(file, NEW), 'ENV_FILE_READ_ONLY');
    expect(readFileSync(file)).toEqual(OLD);
    expect(leftovers()).toEqual([]);
  });

  it('a folder where no file can be created → ENV_FILE_READ_ONLY', async () => {
    const write = writeFileAtomic(file, NEW, { ops: { open: async () => Promise.reject(errno('EACCES')) } });
    await expectAppError(write, 'ENV_FILE_READ_ONLY');
    expect(readFileSync(file)).toEqual(OLD);
  });

  it('removes temp files left by a writer that died, but not those of a live one', async () => {
    const dead = path.join(dir, `.env.999999.0123456789ab.tmp`);
    const live = path.join(dir, `.env.${process.ppid}.0123456789ab.tmp`);
    writeFileSync(dead, 'half');
    writeFileSync(live, 'busy');
    await writeFileAtomic(file, NEW);
    expect(leftovers()).toEqual([path.basename(live)]);
  });

  it('concurrent writes to one file are serialized; the last one wins', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => writeFileAtomic(file, Buffer.from(`V=${i}\n`)));
    await Promise.all(writes);
    expect(readFileSync(file, 'utf8')).toBe('V=9\n');
  });
});
