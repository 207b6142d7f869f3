/**
 * The pure decisions of carrying out a plan: which `up` arguments recreate the readers, which
 * services a run recreated, and the error a rolled-back apply ends with. (Writing, recreating and
 * rolling back on a real engine are exercised in test/integration/timeouts.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { readersUpArgs, recreatedServices, rollbackError } from '../../../electron/env/timeout-deploy';

describe('readersUpArgs', () => {
  it.each([
    ['no dependency changed: plain up of the readers', ['api', 'worker'], [], ['up', '-d', 'api', 'worker']],
    [
      'a dependency changed too: --no-deps, so it is left for later',
      ['nginx'],
      ['api'],
      ['up', '-d', '--no-deps', 'nginx'],
    ],
  ])('%s', (_name, targets, changedDeps, expected) => {
    expect(readersUpArgs(targets, changedDeps)).toEqual(expected);
  });
});

describe('recreatedServices', () => {
  it.each<[string, Record<string, string>, Record<string, string>, string[]]>([
    ['nothing changed', { api: 'a1', web: 'w1' }, { api: 'a1', web: 'w1' }, []],
    [
      'new container ids, sorted',
      { web: 'w1', api: 'a1', db: 'd1' },
      { web: 'w2', api: 'a2', db: 'd1' },
      ['api', 'web'],
    ],
    ['a service that had no container', { api: '' }, { api: 'a1' }, ['api']],
    ['a service that appeared', { api: 'a1' }, { api: 'a1', sandbox: 's1' }, ['sandbox']],
    ['a service that is gone is not “recreated”', { api: 'a1', old: 'o1' }, { api: 'a1' }, []],
  ])('%s', (_name, before, after, expected) => {
    expect(recreatedServices(before, after)).toEqual(expected);
  });
});

describe('rollbackError', () => {
  const cause = new AppError('COMPOSE_FAILED', {
    params: { command: 'up', exitCode: 1 },
    detail: 'port is taken',
  });
  const ok = { code: 0, stderr: '' };
  const base = {
    cancelled: false,
    files: ['.env', 'envs/a.env'],
    targets: ['api', 'worker'],
    fileFailures: [] as string[],
    compose: ok,
    readyProblem: null as string | null,
  };

  it.each<[string, Partial<typeof base>, string, string[]]>([
    ['failed, everything put back', {}, 'ENV_APPLY_FAILED_ROLLED_BACK', ['port is taken']],
    [
      'failed, put back, but the old values did not come back healthy in time',
      { readyProblem: 'api did not become healthy' },
      'ENV_APPLY_FAILED_ROLLED_BACK',
      ['port is taken', 'api did not become healthy'],
    ],
    [
      'cancelled, everything put back',
      { cancelled: true },
      'ENV_APPLY_CANCELLED_ROLLED_BACK',
      ['port is taken'],
    ],
    [
      'a file could not be put back',
      { fileFailures: ['.env: EBUSY'] },
      'ENV_APPLY_ROLLBACK_FAILED',
      ['port is taken', '.env: EBUSY'],
    ],
    [
      'compose failed again with the old values (even when cancelled)',
      { cancelled: true, compose: { code: 1, stderr: 'no such image\n' } },
      'ENV_APPLY_ROLLBACK_FAILED',
      ['port is taken', 'no such image'],
    ],
  ])('%s', (_name, outcome, code, detailParts) => {
    const error = rollbackError(cause, { ...base, ...outcome });
    expect(error.code).toBe(code);
    expect(error.params).toEqual({ files: '.env, envs/a.env', services: 'api, worker' });
    expect(error.cause).toBe(cause);
    for (const part of detailParts) expect(error.detail).toContain(part);
    // The cause's own message leads the detail, so the user sees what failed first.
    expect(error.detail?.startsWith(cause.message)).toBe(true);
  });

  it('any thrown value is a cause', () => {
    const error = rollbackError(new Error('boom'), base);
    expect(error.code).toBe('ENV_APPLY_FAILED_ROLLED_BACK');
    expect(error.detail).toContain('boom');
  });
});
