import { createRequire } from 'node:module';
import zlib from 'node:zlib';

/**
 * yazl computes CRC-32 with the `buffer-crc32` package, a byte-at-a-time JavaScript loop: about 0.4 s
 * of main-process CPU for a 30 MB plugin, which is a third of what `zip` needs for the whole job.
 * Node (≥ 20.15) has a native `zlib.crc32` with the same polynomial and the same "continue from a
 * previous value" argument. yazl looks `unsigned` up on the module object at every call, so putting the
 * native function there makes packaging faster with byte-identical output.
 *
 * Applied once, only when `zlib.crc32` exists and agrees with the original on test vectors (including
 * a continued CRC); otherwise yazl keeps its own implementation.
 */
type Crc32Module = { unsigned: (buf: Buffer, previous?: number | Buffer) => number };
type NativeCrc32 = (data: Buffer, value?: number) => number;

let applied: boolean | null = null;

export function useNativeCrc32ForYazl(): boolean {
  if (applied !== null) return applied;
  applied = false;
  const native = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;
  if (typeof native !== 'function') return false;
  let mod: Crc32Module;
  try {
    // The instance yazl itself loads (resolved from yazl's location, not ours).
    mod = createRequire(require.resolve('yazl'))('buffer-crc32') as Crc32Module;
  } catch {
    return false;
  }
  const original = mod.unsigned;
  if (typeof original !== 'function') return false;
  const replacement = (buf: Buffer, previous?: number | Buffer): number => {
    const prev = Buffer.isBuffer(previous) ? previous.readUInt32BE(0) : (previous ?? 0);
    return native(buf, prev >>> 0) >>> 0;
  };
  const a = Buffer.from('The quick brown fox jumps over the lazy dog');
  const b = Buffer.from([0, 255, 128, 7, 42]);
  const agrees =
    replacement(a) === original(a) &&
    replacement(b, original(a)) === original(b, original(a)) &&
    replacement(Buffer.alloc(0)) === original(Buffer.alloc(0));
  if (!agrees) return false;
  mod.unsigned = replacement;
  applied = true;
  return true;
}
