/** `dify-stack logs` options as docker reads them (electron/cli/cli-logs.ts). */
import { describe, expect, it } from 'vitest';
import { logsRequest, parseDuration, parseSince, parseTail } from '../../../electron/cli/cli-logs';

const NOW = Date.parse('2026-12-03T12:00:00Z');

describe('parseDuration (Go durations, as docker --since takes them)', () => {
  it.each([
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['1m30s250ms', 90_250],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10x', '10m ', 'h1', '-5m', '1h 30m'])('%j is not one', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('parseSince', () => {
  it('a duration is before now', () => {
    expect(parseSince('10m', NOW)).toBe(NOW - 600_000);
  });

  it('RFC 3339 with a zone, with a fraction, a date alone (UTC, as JavaScript reads it)', () => {
    expect(parseSince('2026-12-03T06:45:05Z', NOW)).toBe(Date.parse('2026-12-03T06:45:05Z'));
    expect(parseSince('2026-12-03T15:45:05.250+09:00', NOW)).toBe(Date.parse('2026-12-03T06:45:05.250Z'));
    expect(parseSince('2026-12-03', NOW)).toBe(Date.parse('2026-12-03'));
  });

  it('a time without a zone is local time, as docker takes it', () => {
    expect(parseSince('2026-12-03 15:45:05', NOW)).toBe(new Date(2026, 11, 3, 15, 45, 5).getTime());
  });

  it('a Unix time in seconds, with a fraction', () => {
    expect(parseSince('1796280305', NOW)).toBe(1_796_280_305_000);
    expect(parseSince('1796280305.5', NOW)).toBe(1_796_280_305_500);
  });

  it.each(['yesterday', '2026-13-45T00:00:00Z', '03/12/2026', '', 'T10:00'])('%j → null', (text) => {
    expect(parseSince(text, NOW)).toBeNull();
  });
});

describe('parseTail', () => {
  it('a whole number, or all (no limit)', () => {
    expect(parseTail('0')).toBe(0);
    expect(parseTail('250')).toBe(250);
    expect(parseTail('all')).toBeUndefined();
    for (const bad of ['-1', '1.5', 'ten', '', 'ALL']) expect(parseTail(bad)).toBeNull();
  });
});

describe('logsRequest', () => {
  it('the defaults: every line, no level filter, not following; a SERVICE named twice is read once', () => {
    expect(logsRequest(['api', 'worker', 'api'], {}, NOW)).toEqual({
      names: ['api', 'worker'],
      follow: false,
      tail: undefined,
      since: undefined,
      timestamps: false,
      level: null,
    });
  });

  it('every option; --level warning is warn', () => {
    expect(
      logsRequest(
        ['plugin_daemon'],
        { follow: true, tail: '100', since: '2h', timestamps: true, level: 'WARNING' },
        NOW,
      ),
    ).toEqual({
      names: ['plugin_daemon'],
      follow: true,
      tail: 100,
      since: NOW - 7_200_000,
      timestamps: true,
      level: 'warn',
    });
  });

  it('a wrong value: the message key and the value to show', () => {
    expect(logsRequest(['api'], { tail: 'x' }, NOW)).toEqual({
      error: 'cli.logs.badTail',
      params: { value: 'x' },
    });
    expect(logsRequest(['api'], { since: 'x' }, NOW)).toEqual({
      error: 'cli.logs.badSince',
      params: { value: 'x' },
    });
    expect(logsRequest(['api'], { level: 'loud' }, NOW)).toEqual({
      error: 'cli.logs.badLevel',
      params: { value: 'loud' },
    });
  });
});
