/**
 * The timestamps the engine puts before each log message when asked for `timestamps`: Go's
 * RFC3339Nano. Docker formats them fixed-width (`jsonmessage.RFC3339NanoFixed`: 9 digits, UTC, e.g.
 * `2026-12-03T06:45:05.472780960Z`), but other engines speaking the same API may trim the fraction's
 * trailing zeros or print an offset, so both are read.
 */

/** "YYYY-MM-DDTHH:MM:SS" — the part every form shares. */
const WHOLE_SECONDS = 19;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const Z = 90;
const T = 84;

/**
 * Date.parse of a 30-character string costs ~0.3 µs; at a million lines that is noticeable beside the
 * rest of the reading. Consecutive lines almost always share their second, so the parse of the last
 * second seen is kept (UTC only — the engine's form).
 */
let memoSecond = '';
let memoMs = 0;

/** Index just past the fraction's digits (or WHOLE_SECONDS when there is none); -1 for a dot without digits. */
function fractionEnd(ts: string): number {
  if (ts.charCodeAt(WHOLE_SECONDS) !== DOT) return WHOLE_SECONDS;
  let i = WHOLE_SECONDS + 1;
  while (i < ts.length) {
    const c = ts.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  return i === WHOLE_SECONDS + 1 ? -1 : i;
}

/** Milliseconds since the epoch of the timestamp's whole second, or NaN when it is not one. */
function wholeSecondMs(ts: string, zoneStart: number): number {
  if (ts.charCodeAt(10) !== T) return Number.NaN;
  const utc = zoneStart === ts.length - 1 && ts.charCodeAt(zoneStart) === Z;
  if (utc && memoSecond !== '' && ts.startsWith(memoSecond)) return memoMs;
  const ms = Date.parse(ts.slice(0, WHOLE_SECONDS) + ts.slice(zoneStart));
  if (utc && !Number.isNaN(ms)) {
    memoSecond = ts.slice(0, WHOLE_SECONDS);
    memoMs = ms;
  }
  return ms;
}

/** The engine's timestamp in ms since the epoch (sub-millisecond digits dropped); null when `ts` is not one. */
export function engineTimestampMs(ts: string): number | null {
  if (ts.length <= WHOLE_SECONDS) return null;
  const end = fractionEnd(ts);
  if (end < 0 || end === ts.length) return null;
  const second = wholeSecondMs(ts, end);
  if (Number.isNaN(second)) return null;
  let ms = 0;
  for (let i = WHOLE_SECONDS + 1; i < WHOLE_SECONDS + 4; i++) {
    // Digits past the fraction's end count as zeros: ".5" is 500 ms.
    ms = ms * 10 + (i < end ? ts.charCodeAt(i) - ZERO : 0);
  }
  return second + ms;
}

/** Whole seconds since the epoch and the fraction as exactly nine digits; null when `ts` is not a timestamp. */
function engineTimeParts(ts: string): { seconds: number; nanos: string } | null {
  if (ts.length <= WHOLE_SECONDS) return null;
  const end = fractionEnd(ts);
  if (end < 0 || end === ts.length) return null;
  const second = wholeSecondMs(ts, end);
  if (Number.isNaN(second)) return null;
  const digits = end > WHOLE_SECONDS ? ts.slice(WHOLE_SECONDS + 1, end) : '';
  return { seconds: second / 1000, nanos: digits.padEnd(9, '0').slice(0, 9) };
}

/**
 * "2026-12-03T06:45:05.472780960Z" → "1796280305.472780960": the form the engine's `since` (and
 * `until`) take, to the nanosecond — an ISO string there would be cut to the second. Throws a
 * RangeError when `ts` is not a timestamp (lines without one carry ts '': there is nothing to resume from).
 */
export function engineSince(ts: string): string {
  const parts = engineTimeParts(ts);
  if (!parts) throw new RangeError(`not an engine timestamp: ${JSON.stringify(ts.slice(0, 64))}`);
  return `${parts.seconds}.${parts.nanos}`;
}

/**
 * Orders two engine timestamps to the nanosecond (negative: `a` first). A string comparison is not
 * enough for fractions of different lengths or offsets. Not-timestamps sort first.
 */
export function compareEngineTimestamps(a: string, b: string): number {
  const pa = engineTimeParts(a);
  const pb = engineTimeParts(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  if (pa.seconds !== pb.seconds) return pa.seconds - pb.seconds;
  return pa.nanos < pb.nanos ? -1 : pa.nanos > pb.nanos ? 1 : 0;
}
