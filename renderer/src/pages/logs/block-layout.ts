/**
 * The virtual list's layout in blocks of BLOCK consecutive entries. The virtualizer
 * (@tanstack/virtual-core) walks every item to lay them out again whenever their count changes —
 * 6–14 ms for 200,000 items here (a typed-array height per item; the walk itself is the cost), which
 * at 20 batches a second leaves no frame for anything else. Given blocks instead, it walks 1/16 of
 * that; each block draws its entries in normal flow. Heights are kept per entry and per block in
 * typed arrays, brought up to date from the first entry the model reports changed, so an append costs
 * what it added. Pure (no DOM): unit tested.
 */
import type { LogEntry, LogModel } from './log-model';

/** Entries per block: few enough that a block is not much taller than the view, many enough to cut the walk 16-fold. */
export const BLOCK = 16;
/** A line's height (px) when lines do not wrap; LogList.css sets the same. */
export const LINE_PX = 18;
/** A mark's separator row (px); LogList.css sets the same. */
export const MARK_PX = 26;

/** Height of an entry's row without wrapping: known exactly, so nothing has to be measured. */
export function rowHeight(entry: LogEntry | undefined): number {
  if (!entry) return LINE_PX;
  return entry.mark ? MARK_PX : entry.lines.length * LINE_PX;
}

export class BlockLayout {
  private rows = new Float64Array(1024);
  private blocks = new Float64Array(64);
  private entries = 0;

  /** Brings the heights up to the model's shown entries (once per render, before the virtualizer). */
  update(model: LogModel): void {
    const from = model.takeChangedFrom();
    const count = model.count;
    this.rows = grown(this.rows, count, from);
    for (let i = from; i < count; i++) this.rows[i] = rowHeight(model.entry(i));
    const blocks = Math.ceil(count / BLOCK);
    const firstBlock = Math.floor(from / BLOCK);
    this.blocks = grown(this.blocks, blocks, firstBlock);
    for (let b = firstBlock; b < blocks; b++) {
      let sum = 0;
      const end = Math.min(count, (b + 1) * BLOCK);
      for (let i = b * BLOCK; i < end; i++) sum += this.rows[i] as number;
      this.blocks[b] = sum;
    }
    this.entries = count;
  }

  get blockCount(): number {
    return Math.ceil(this.entries / BLOCK);
  }

  /** A block's height without wrapping (with wrapping, the virtualizer measures the block). */
  blockHeight(block: number): number {
    return this.blocks[block] ?? LINE_PX;
  }

  /** The entries of a block: [first, end). */
  range(block: number): [number, number] {
    return [block * BLOCK, Math.min(this.entries, (block + 1) * BLOCK)];
  }

  /** How far below its block's top an entry starts (unwrapped heights). */
  offsetInBlock(index: number): number {
    let offset = 0;
    for (let i = Math.floor(index / BLOCK) * BLOCK; i < index; i++) offset += this.rows[i] as number;
    return offset;
  }

  /** The entry `offset` px below the top of `block` (unwrapped heights; the block's last past its end). */
  entryAt(block: number, offset: number): number {
    const [first, end] = this.range(block);
    let top = 0;
    for (let i = first; i < end; i++) {
      top += this.rows[i] as number;
      if (top > offset) return i;
    }
    return Math.max(first, end - 1);
  }
}

/** `array` with room for `size`, keeping its first `keep` values. */
function grown(array: Float64Array<ArrayBuffer>, size: number, keep: number): Float64Array<ArrayBuffer> {
  if (size <= array.length) return array;
  const next = new Float64Array(Math.max(size, array.length * 2));
  next.set(array.subarray(0, Math.min(keep, array.length)));
  return next;
}
