/**
 * The newest `capacity` items of an endless stream (a source's log lines in main): memory stays
 * bounded whatever a container writes. Hand-written because it is a dozen lines over a plain array,
 * and what it must count (`dropped`, kept across `resize`) no ring package on npm tracks.
 *
 * The array grows up to the capacity, then each push overwrites the oldest slot: O(1) per item, no
 * shifting, no reallocation once full.
 */
export class RingBuffer<T> {
  private items: T[] = [];
  /** Index of the oldest item once the array is full (the next slot overwritten). */
  private head = 0;
  private cap: number;
  private overwritten = 0;

  constructor(capacity: number) {
    this.cap = RingBuffer.checked(capacity);
  }

  private static checked(capacity: number): number {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    return capacity;
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.items.length;
  }

  /** Items that were pushed and are gone (overwritten, or cut by a smaller `resize`). */
  get dropped(): number {
    return this.overwritten;
  }

  push(item: T): void {
    if (this.items.length < this.cap) {
      this.items.push(item);
      return;
    }
    this.items[this.head] = item;
    this.head = this.head + 1 === this.cap ? 0 : this.head + 1;
    this.overwritten++;
  }

  pushMany(items: readonly T[]): void {
    // A batch larger than the ring: only its tail can stay, the rest is dropped without being written.
    const skip = Math.max(0, items.length - this.cap);
    if (skip > 0) {
      this.overwritten += this.items.length + skip;
      this.items = items.slice(skip);
      this.head = 0;
      return;
    }
    for (const item of items) this.push(item);
  }

  /** Oldest first. */
  toArray(): T[] {
    if (this.head === 0) return this.items.slice();
    return this.items.slice(this.head).concat(this.items.slice(0, this.head));
  }

  /** The newest `n` items, oldest first. */
  last(n: number): T[] {
    const count = Math.max(0, Math.min(Math.floor(n), this.items.length));
    if (count === 0) return [];
    const full = this.items.length === this.cap;
    // Position just past the newest item in the array.
    const end = full ? this.head : this.items.length;
    const start = end - count;
    if (start >= 0) return this.items.slice(start, end);
    return this.items.slice(this.items.length + start).concat(this.items.slice(0, end));
  }

  /** A new capacity (the setting changed): the newest items that fit are kept, in order. */
  resize(capacity: number): void {
    const cap = RingBuffer.checked(capacity);
    if (cap === this.cap) return;
    const kept = this.last(cap);
    this.overwritten += this.items.length - kept.length;
    this.items = kept;
    this.head = 0;
    this.cap = cap;
  }

  /** Empties the buffer (the view's "clear"); what was there does not count as dropped. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
