import { describe, expect, it } from 'vitest';
import {
  INITIAL_ALERT,
  stepAlert,
  type AlertReading,
  type AlertState,
} from '../../../electron/gpu/vram-alert';

const RULE = { percent: 90, seconds: 30 };
const TOTAL = 12282;
const at = (s: number) => 1_000_000 + s * 1000;

/** Feeds readings `[second, used]` (null = unknown) in order; returns the alert after each. */
function run(readings: [number, number | null][], rule = RULE, total: number | null = TOTAL): boolean[] {
  let state: AlertState = INITIAL_ALERT;
  return readings.map(([s, used]) => {
    const reading: AlertReading = { at: at(s), used, total };
    state = stepAlert(state, reading, rule);
    return state.alert;
  });
}

/** Readings every 5 s from `from` to `to` seconds (the badge's cadence). */
const every5 = (from: number, to: number, used: number | null): [number, number | null][] =>
  Array.from({ length: (to - from) / 5 + 1 }, (_, i) => [from + i * 5, used]);

const FULL = Math.ceil(TOTAL * 0.9); // 90 %: at the threshold counts
const BELOW = FULL - 1;

describe('stepAlert', () => {
  it('raises after the threshold has held for the whole duration, not before', () => {
    const seconds = [0, 5, 10, 15, 20, 25, 30, 35];
    expect(run(seconds.map((s) => [s, FULL]))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('clears at the first reading below, and a new run starts from zero', () => {
    const readings = [...every5(0, 30, FULL), [35, BELOW], ...every5(40, 70, FULL)] as [number, number][];
    const alerts = run(readings);
    expect(alerts.slice(0, 8)).toEqual([false, false, false, false, false, false, true, false]);
    // 40 s … 70 s: raised again at 70 s, 30 s after the new run began.
    expect(alerts.slice(8)).toEqual([false, false, false, false, false, false, true]);
  });

  it('a dip below restarts the run', () => {
    const alerts = run([[0, 12000], [5, 12000], [10, 5000], ...every5(15, 45, 12000)]);
    expect(alerts.indexOf(true)).toBe(9); // at 45 s
  });

  it('unknown readings never raise it, and break the run', () => {
    const alerts = run([...every5(0, 20, FULL), [25, null], ...every5(30, 60, FULL)]);
    expect(alerts.indexOf(true)).toBe(alerts.length - 1); // at 60 s, 30 s after 30 s
    expect(run(every5(0, 60, null))).not.toContain(true);
    expect(run(every5(0, 60, FULL), RULE, null)).not.toContain(true);
  });

  it('an unknown reading does not clear an alert: it is not a reading below', () => {
    expect(run([...every5(0, 30, FULL), [35, null], [40, FULL], [45, BELOW]]).slice(-4)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('a gap in the readings (the sampler stopped) starts a new run', () => {
    const alerts = run([...every5(0, 25, FULL), ...every5(60, 90, FULL)]);
    expect(alerts.indexOf(true)).toBe(alerts.length - 1); // at 90 s, not at 60 s
  });

  it('follows the configured threshold and duration', () => {
    expect(
      run(
        [
          [0, 10000],
          [5, 10000],
        ],
        { percent: 80, seconds: 5 },
      ),
    ).toEqual([false, true]);
    expect(
      run(
        [
          [0, 10000],
          [5, 10000],
        ],
        { percent: 90, seconds: 5 },
      ),
    ).toEqual([false, false]);
  });
});
