/**
 * The last minutes of ticks, for the history chart (issue 11: 10 minutes). The window is measured on
 * the ticks' own clock (the newest tick's `at`), so a pause in sampling keeps what was there.
 */
import type { GpuTick } from './contract';

export class GpuHistory {
  private items: GpuTick[] = [];
  /** Index of the oldest tick still in the window (dropping by index, not shift(), on every push). */
  private head = 0;

  constructor(private readonly windowMs = 600_000) {}

  push(tick: GpuTick): void {
    // The clock went back (the user set it, or a sync): what looks newer than now would never age out.
    while (this.items.length > this.head && (this.items.at(-1) as GpuTick).at > tick.at) this.items.pop();
    this.items.push(tick);
    const from = tick.at - this.windowMs;
    while (this.head < this.items.length && (this.items[this.head] as GpuTick).at < from) this.head++;
    if (this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Oldest first; a copy. */
  ticks(): GpuTick[] {
    return this.items.slice(this.head);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
