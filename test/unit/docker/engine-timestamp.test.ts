import { describe, expect, it } from 'vitest';
import {
  compareEngineTimestamps,
  engineSince,
  engineTimestampMs,
} from '../../../electron/docker/engine-timestamp';

describe('engine timestamps', () => {
  it.each([
    ['2026-12-03T06:45:05.472780960Z', Date.UTC(2026, 11, 3, 6, 45, 5, 472)],
    ['2026-12-03T06:45:05.5Z', Date.UTC(2026, 11, 3, 6, 45, 5, 500)],
    ['2026-12-03T06:45:05.47Z', Date.UTC(2026, 11, 3, 6, 45, 5, 470)],
    ['2026-12-03T06:45:05.000000001Z', Date.UTC(2026, 11, 3, 6, 45, 5, 0)],
    ['2026-12-03T06:45:05.999999999Z', Date.UTC(2026, 11, 3, 6, 45, 5, 999)],
    ['2026-12-03T06:45:05Z', Date.UTC(2026, 11, 3, 6, 45, 5, 0)],
    ['2026-12-03T15:45:05.25+09:00', Date.UTC(2026, 11, 3, 6, 45, 5, 250)],
    ['1970-01-01T00:00:00.001Z', 1],
  ])('reads %s', (ts, ms) => {
    expect(engineTimestampMs(ts)).toBe(ms);
  });

  it.each([
    '',
    'hello world',
    '2026-12-03T06:45:05',
    '2026-12-03T06:45:05.Z',
    '2026-12-03T06:45:05.123',
    '2026-12-03 06:45:05.123Z',
    '2026-13-03T06:45:05.123Z',
    '2026-12-03T06:45:05.123Zjunk',
    '2026-12-03T06:45:05.123+9',
  ])('refuses %j', (ts) => {
    expect(engineTimestampMs(ts)).toBeNull();
  });

  it('reads the next second right after a run of lines in the same second', () => {
    expect(engineTimestampMs('2026-12-03T06:45:05.1Z')).toBe(Date.UTC(2026, 11, 3, 6, 45, 5, 100));
    expect(engineTimestampMs('2026-12-03T06:45:05.2Z')).toBe(Date.UTC(2026, 11, 3, 6, 45, 5, 200));
    expect(engineTimestampMs('2026-12-03T06:45:06.1Z')).toBe(Date.UTC(2026, 11, 3, 6, 45, 6, 100));
    // The same second in another zone is another instant.
    expect(engineTimestampMs('2026-12-03T06:45:06.1+01:00')).toBe(Date.UTC(2026, 11, 3, 5, 45, 6, 100));
  });

  it('gives `since` to the nanosecond', () => {
    const seconds = Date.UTC(2026, 11, 3, 6, 45, 5) / 1000;
    expect(engineSince('2026-12-03T06:45:05.472780960Z')).toBe(`${seconds}.472780960`);
    expect(engineSince('2026-12-03T06:45:05.5Z')).toBe(`${seconds}.500000000`);
    expect(engineSince('2026-12-03T06:45:05Z')).toBe(`${seconds}.000000000`);
    expect(engineSince('2026-12-03T06:45:05.1234567891Z')).toBe(`${seconds}.123456789`);
    expect(engineSince('2026-12-03T15:45:05.000000007+09:00')).toBe(`${seconds}.000000007`);
    expect(() => engineSince('')).toThrow(RangeError);
  });

  it('orders timestamps to the nanosecond, whatever their form', () => {
    const sorted = [
      'garbage',
      '2026-12-03T06:45:05Z',
      '2026-12-03T06:45:05.000000001Z',
      '2026-12-03T06:45:05.47Z',
      '2026-12-03T15:45:05.470000001+09:00',
      '2026-12-03T06:45:06Z',
    ];
    const shuffled = [sorted[3], sorted[5], sorted[0], sorted[2], sorted[4], sorted[1]] as string[];
    expect(shuffled.sort(compareEngineTimestamps)).toEqual(sorted);
    expect(compareEngineTimestamps('2026-12-03T06:45:05.5Z', '2026-12-03T06:45:05.500000000Z')).toBe(0);
  });
});
