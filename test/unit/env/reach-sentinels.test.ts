/**
 * Sentinel values without Compose: choosing a base that cannot be confused with a real value,
 * numbering the keys, and reading where each sentinel arrived in a resolved config.
 */
import { describe, expect, it } from 'vitest';
import type { Arrival } from '../../../electron/env/reach-model';
import {
  SENTINELS_PER_RUN,
  findSentinels,
  sentinelBase,
  sentinelBases,
  sentinelsOver,
} from '../../../electron/env/reach-sentinels';

/** Draws the given numbers in order. */
const draws = (...values: number[]) => {
  let i = 0;
  return () => values[i++] as number;
};

describe('sentinelBase', () => {
  it.each([
    ['no clash: the first draw', '', [1234], '11234'],
    ['a base that occurs in a source is drawn again', 'TIMEOUT=112345\n', [1234, 5678], '15678'],
    ['and again', 'A=11234 B=15678', [1234, 5678, 9999], '19999'],
  ])('%s', (_name, sources, drawn, expected) => {
    expect(sentinelBase(sources, draws(...drawn))).toBe(expected);
  });

  it('draws a 5-digit base starting with 1 by default', () => {
    expect(sentinelBase('')).toMatch(/^1\d{4}$/);
  });
});

describe('sentinelsOver', () => {
  it('numbers the keys with a 2-digit index after the base: 7 digits each', () => {
    expect([...sentinelsOver(['A', 'B'], ['11234'])]).toEqual([
      ['1123400', 'A'],
      ['1123401', 'B'],
    ]);
    const keys = Array.from({ length: SENTINELS_PER_RUN }, (_, i) => `K${i}`);
    const all = [...sentinelsOver(keys, ['11234']).keys()];
    expect(all.at(-1)).toBe('1123499');
    // Compose's float32 fields keep integers below 2^24 exact.
    expect(all.every((s) => /^\d{7}$/.test(s) && Number(s) < 2 ** 24)).toBe(true);
  });

  it('goes on to the next base after 100, and refuses to run out of bases', () => {
    const keys = Array.from({ length: 150 }, (_, i) => `K${i}`);
    const all = [...sentinelsOver(keys, ['11234', '15678']).keys()];
    expect(all[100]).toBe('1567800');
    expect(all.at(-1)).toBe('1567849');
    expect(() => sentinelsOver(keys, ['11234'])).toThrow(/more than 1 bases/);
  });
});

describe('sentinelBases', () => {
  it('draws one distinct base per 100 sentinels, none occurring in the sources', () => {
    expect(sentinelBases('X=15678', 250, draws(1234, 1234, 5678, 9999, 4321))).toEqual([
      '11234',
      '19999',
      '14321',
    ]);
  });
});

describe('findSentinels', () => {
  const base = '11234';
  const sentinels = sentinelsOver(['A', 'B'], [base]);

  it.each<[string, Record<string, unknown>, { A: Arrival[]; B: Arrival[] }]>([
    [
      'under its own name in environment',
      { api: { environment: { A: '1123400' } } },
      { A: [{ service: 'api', name: 'A' }], B: [] },
    ],
    [
      'mapped to another name',
      { sandbox: { environment: { WORKER_TIMEOUT: '1123400' } } },
      { A: [{ service: 'sandbox', name: 'WORKER_TIMEOUT' }], B: [] },
    ],
    [
      'inside a command: a field, not a variable',
      { api: { command: ['run', '--timeout=1123401'] } },
      { A: [], B: [{ service: 'api', name: null, field: 'command.1' }] },
    ],
    [
      'a typed number field',
      { api: { cpus: 1123401 } },
      { A: [], B: [{ service: 'api', name: null, field: 'cpus' }] },
    ],
    [
      'an environment map deeper in the config is a field',
      { api: { healthcheck: { environment: { A: '1123400' } } } },
      { A: [{ service: 'api', name: null, field: 'healthcheck.environment.A' }], B: [] },
    ],
    [
      'two sentinels in one value, and one arrival counted once',
      { api: { environment: { BOTH: '1123400-1123401-1123400' } } },
      { A: [{ service: 'api', name: 'BOTH' }], B: [{ service: 'api', name: 'BOTH' }] },
    ],
    [
      'several services',
      { api: { environment: { A: '1123400' } }, worker: { environment: { A: '1123400' } } },
      {
        A: [
          { service: 'api', name: 'A' },
          { service: 'worker', name: 'A' },
        ],
        B: [],
      },
    ],
    [
      'another base, or an index no key has, is not a sentinel',
      { api: { environment: { A: '1999900', B: '1123477' } } },
      { A: [], B: [] },
    ],
  ])('%s', (_name, services, expected) => {
    expect(Object.fromEntries(findSentinels(services, base, sentinels))).toEqual(expected);
  });
});
