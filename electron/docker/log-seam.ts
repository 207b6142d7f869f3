import { compareEngineTimestamps, engineSince } from './engine-timestamp';

/** A line with the engine's timestamp ('' when none), as container-log-stream.ts hands them over. */
export interface TimedLine {
  ts: string;
}

/**
 * Continuing a stream where another ended, without repeating lines: the engine's `since` is inclusive
 * (a message at exactly that time is sent again), and several messages may share a timestamp. So the
 * seam remembers the last timestamp and how many lines carried it, and drops what the new stream
 * repeats: lines before that time, and as many lines at it as were already seen.
 */
export class LogSeam {
  private lastTs = '';
  private atLast = 0;
  private skipping: { ts: string; left: number } | null = null;

  /** Lines that were handed on (in order). */
  note(lines: readonly TimedLine[]): void {
    for (const line of lines) {
      if (!line.ts) continue;
      if (line.ts === this.lastTs) this.atLast++;
      else {
        this.lastTs = line.ts;
        this.atLast = 1;
      }
    }
  }

  /** The `since` for the next stream; undefined before any line with a timestamp. */
  since(): string | undefined {
    return this.lastTs ? engineSince(this.lastTs) : undefined;
  }

  /** Starts a new stream opened with `since()`: its first lines are checked against the seam. */
  resume(): void {
    this.skipping = this.lastTs ? { ts: this.lastTs, left: this.atLast } : null;
  }

  /** The lines of the resumed stream that are new (all of them once past the seam). */
  fresh<L extends TimedLine>(lines: L[]): L[] {
    const seam = this.skipping;
    if (!seam) return lines;
    let i = 0;
    for (; i < lines.length; i++) {
      const line = lines[i] as L;
      const order = line.ts ? compareEngineTimestamps(line.ts, seam.ts) : 1;
      if (order < 0 || (order === 0 && seam.left > 0)) {
        if (order === 0) seam.left--;
        continue;
      }
      this.skipping = null;
      break;
    }
    return i === 0 ? lines : lines.slice(i);
  }
}
