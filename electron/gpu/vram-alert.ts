/**
 * The VRAM alert (pure): GPU 0's used/total at or above `percent` for at least `seconds` raises it (the
 * tray badge and the notification); a reading below clears it. An unknown reading (`[N/A]`, no total)
 * never raises it and breaks the streak — "full for 30 s" must be seen for 30 s — but does not clear
 * an alert already raised either: it is not a reading below.
 */

export interface AlertRule {
  percent: number;
  seconds: number;
}

export interface AlertState {
  alert: boolean;
  /** When the current run of readings at or above the threshold began; null when not in one. */
  since: number | null;
  /** The previous reading's time, to notice a gap (the sampler stopped, or restarted after dying). */
  lastAt: number | null;
}

export const INITIAL_ALERT: AlertState = { alert: false, since: null, lastAt: null };

/** Readings further apart than this do not make one run: nobody saw what happened between them. */
export const DEFAULT_MAX_GAP_MS = 15_000;

export interface AlertReading {
  at: number;
  /** MiB; null when unknown. */
  used: number | null;
  total: number | null;
}

export function stepAlert(
  state: AlertState,
  reading: AlertReading,
  rule: AlertRule,
  maxGapMs = DEFAULT_MAX_GAP_MS,
): AlertState {
  const { at, used, total } = reading;
  if (used === null || total === null || total <= 0) return { alert: state.alert, since: null, lastAt: at };
  if ((used / total) * 100 < rule.percent) return { alert: false, since: null, lastAt: at };
  const continued = state.since !== null && state.lastAt !== null && at - state.lastAt <= maxGapMs;
  const since = continued && state.since !== null ? state.since : at;
  return { alert: state.alert || at - since >= rule.seconds * 1000, since, lastAt: at };
}
