/**
 * The pure parts of planning a change: validation, the target file of each key, one preview line,
 * the preview once the plain `up -d` set is known, and the keys a restore changes. (Planning against
 * Compose is exercised in test/integration/timeouts.test.ts.)
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { EnvDocument } from '../../../electron/env/env-file';
import { computeKeyReach, type Arrival, type KeyReach } from '../../../electron/env/reach-model';
import {
  changedKeys,
  placeChanges,
  previewEntry,
  projectFile,
  validateChange,
  withPrediction,
  type Predicted,
} from '../../../electron/env/timeout-plan';
import { snapOf } from './reach-helpers';

describe('validateChange', () => {
  it('catalog keys by the catalog (the reading program’s rules), others by the editor’s', () => {
    expect(validateChange('SANDBOX_WORKER_TIMEOUT', '10800')).toBeNull();
    expect(validateChange('PLUGIN_MAX_EXECUTION_TIMEOUT', '600.0')).toEqual({
      key: 'timeouts.validation.notIntegerDaemon',
      params: { key: 'PLUGIN_MAX_EXECUTION_TIMEOUT' },
    });
    expect(validateChange('NGINX_PROXY_READ_TIMEOUT', '1h')).toBeNull();
    expect(validateChange('GUNICORN_TIMEOUT', '0')?.key).toBe('timeouts.validation.belowMin');
    expect(validateChange('SANDBOX_CPUS', '64')).toBeNull();
    expect(validateChange('BAD KEY', '1')).toEqual({
      key: 'timeouts.validation.badKey',
      params: { key: 'BAD KEY' },
    });
    expect(validateChange('LOG_LEVEL', 'a\0b')?.key).toBe('timeouts.validation.badCharacter');
  });
});

const dir = path.resolve('/p');
const project = {
  dir,
  composeFile: path.join(dir, 'docker-compose.yaml'),
  envFile: path.join(dir, '.env'),
  projectName: 'p',
};

describe('projectFile', () => {
  it.each([
    ['relative', 'envs/a.env', path.join(dir, 'envs', 'a.env')],
    ['absolute inside', path.join(dir, '.env'), path.join(dir, '.env')],
    ['relative with a detour that stays inside', 'envs/../.env', path.join(dir, '.env')],
  ])('%s: accepted', (_name, file, expected) => {
    expect(projectFile(project, file)).toBe(expected);
  });

  it.each([
    ['a parent folder', '../other.env'],
    ['the project folder itself', '.'],
    ['an absolute path elsewhere', path.resolve('/elsewhere/.env')],
  ])('%s: ENV_FILE_OUTSIDE_PROJECT', (_name, file) => {
    try {
      projectFile(project, file);
      throw new Error('expected a throw');
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('ENV_FILE_OUTSIDE_PROJECT');
    }
  });
});

/** A key's reach over `.env` and `envs/a.env`, arrivals given per file. */
function reachOf(
  key: string,
  files: Record<string, string | null>,
  arrivals: Record<string, Arrival[]>,
): KeyReach {
  return computeKeyReach(key, snapOf(files, {}), new Map(Object.entries(arrivals)), false);
}

describe('placeChanges', () => {
  const decidedInA = reachOf(
    'GUNICORN_TIMEOUT',
    { '.env': '', 'envs/a.env': 'GUNICORN_TIMEOUT=360\n' },
    { '.env': [], 'envs/a.env': [{ service: 'api', name: 'GUNICORN_TIMEOUT' }] },
  );
  const reachingNothing = reachOf('MY_SETTING', { '.env': '' }, { '.env': [] });
  const both = [decidedInA, reachingNothing];

  it.each<[string, Record<string, string>, string | null, Record<string, string[]>]>([
    [
      'each key to its suggested file; no suggestion: .env',
      { GUNICORN_TIMEOUT: '600', MY_SETTING: 'x' },
      null,
      { 'envs/a.env': ['GUNICORN_TIMEOUT'], '.env': ['MY_SETTING'] },
    ],
    [
      'a forced file takes every key',
      { GUNICORN_TIMEOUT: '600', MY_SETTING: 'x' },
      path.join(dir, 'envs', 'b.env'),
      { 'envs/b.env': ['GUNICORN_TIMEOUT', 'MY_SETTING'] },
    ],
    ['keys without a valid value are left out', { MY_SETTING: 'x' }, null, { '.env': ['MY_SETTING'] }],
  ])('%s', (_name, values, forced, expected) => {
    const placed = placeChanges(project, both, values, forced);
    expect(Object.fromEntries([...placed.values()].map((p) => [p.rel, p.keys.map((k) => k.key)]))).toEqual(
      expected,
    );
    for (const [abs, p] of placed) expect(abs).toBe(path.join(dir, ...p.rel.split('/')));
  });
});

describe('previewEntry', () => {
  const shadowed = reachOf(
    'FORCE_VERIFYING_SIGNATURE',
    { '.env': '', 'envs/a.env': 'FORCE_VERIFYING_SIGNATURE=false\n' },
    { '.env': [{ service: 'plugin_daemon', name: 'FORCE_VERIFYING_SIGNATURE' }], 'envs/a.env': [] },
  );
  const nowhere = reachOf('MY_SETTING', { '.env': '' }, { '.env': [] });
  const decided = reachOf(
    'GUNICORN_TIMEOUT',
    { '.env': 'GUNICORN_TIMEOUT=360\n' },
    { '.env': [{ service: 'api', name: 'GUNICORN_TIMEOUT' }] },
  );

  it.each<[string, KeyReach, string, unknown]>([
    ['written where a reader gets it', shadowed, '.env', { readers: ['plugin_daemon'], noEffect: null }],
    [
      'written where no reader gets it: the key’s own reason',
      shadowed,
      'envs/a.env',
      { readers: [], noEffect: { reason: 'shadowed', files: ['envs/a.env'], by: '.env' } },
    ],
    [
      'a key with an effect, forced into a file no reader gets it from: not referenced there',
      decided,
      'envs/new.env',
      { readers: [], noEffect: { reason: 'notReferenced', files: ['envs/new.env'], by: null } },
    ],
    [
      'a key that reaches nothing',
      nowhere,
      '.env',
      { readers: [], noEffect: { reason: 'notReferenced', files: [], by: null } },
    ],
  ])('%s', (_name, r, rel, expected) => {
    const entry = previewEntry(r, rel, 'before', 'after', false);
    expect(entry).toMatchObject({
      key: r.key,
      old: r.effective.value,
      fileOld: 'before',
      new: 'after',
      file: rel,
    });
    expect(entry).toMatchObject(expected as object);
  });

  // Dify 1.16: plugin_daemon loads plugin-daemon.env, but `FORCE_VERIFYING_SIGNATURE:
  // ${FORCE_VERIFYING_SIGNATURE:-true}` in its environment: (from .env) wins over every env file.
  const key = 'FORCE_VERIFYING_SIGNATURE';
  const mapped = computeKeyReach(
    key,
    {
      ...snapOf({ '.env': '', 'envs/core-services/plugin-daemon.env': null }, {}),
      loadedBy: new Map([
        ['.env', ['api', 'plugin_daemon']],
        ['envs/core-services/plugin-daemon.env', ['plugin_daemon']],
      ]),
      environmentVars: new Map([['plugin_daemon', new Set([key])]]),
    },
    new Map<string, Arrival[]>([
      ['.env', [{ service: 'plugin_daemon', name: key }]],
      ['envs/core-services/plugin-daemon.env', []],
    ]),
    false,
  );

  it('forced into a file the reader loads but its environment: overrides: shadowed by that service, set .env', () => {
    const entry = previewEntry(mapped, 'envs/core-services/plugin-daemon.env', null, 'false', true, true);
    expect(entry).toMatchObject({
      reason: 'chosen',
      readers: [],
      noEffect: {
        reason: 'environment',
        files: ['envs/core-services/plugin-daemon.env'],
        by: 'plugin_daemon',
        instead: '.env',
      },
    });
  });

  it('never shows a secret-looking key’s values (old, in the file, new)', () => {
    const secret = computeKeyReach(
      'SECRET_KEY',
      snapOf({ '.env': 'SECRET_KEY=sk-old-1234\n' }, { api: { environment: { SECRET_KEY: 'sk-old-1234' } } }),
      new Map<string, Arrival[]>([['.env', [{ service: 'api', name: 'SECRET_KEY' }]]]),
      false,
    );
    const entry = previewEntry(secret, '.env', 'sk-old-1234', 'sk-new-5678', false);
    expect(JSON.stringify(entry)).not.toMatch(/sk-(old|new)/);
    expect(entry).toMatchObject({ old: '••••••', fileOld: '••••••', new: '••••••' });
  });

  it('says why the file was chosen', () => {
    expect(previewEntry(mapped, '.env', null, 'false', false).reason).toBe('envFile');
    expect(previewEntry(decided, '.env', '360', '600', false).reason).toBe('decides');
    expect(previewEntry(nowhere, '.env', null, 'x', false).reason).toBe('fallback');
  });
});

describe('withPrediction', () => {
  const base = { entries: [], errors: [], readers: ['api', 'worker'], running: true };

  it.each<[string, 'readers' | 'full', boolean, Predicted, unknown]>([
    [
      'readers mode: the others are pending',
      'readers',
      false,
      { services: ['api', 'web', 'worker'], approximate: false },
      { upSet: ['api', 'web', 'worker'], pending: ['web'], recreate: ['api', 'worker'], approximate: false },
    ],
    [
      'full mode recreates the whole plain up -d set',
      'full',
      false,
      { services: ['api', 'web', 'worker'], approximate: false },
      { upSet: ['api', 'web', 'worker'], pending: ['web'], recreate: ['api', 'web', 'worker'] },
    ],
    [
      'approximate when either side is',
      'readers',
      true,
      { services: ['api'], approximate: false },
      { pending: [], approximate: true },
    ],
    [
      'a guessed prediction',
      'readers',
      false,
      { services: [], approximate: true },
      { recreate: ['api', 'worker'], approximate: true },
    ],
  ])('%s', (_name, mode, approximate, predicted, expected) => {
    const preview = withPrediction({ ...base, mode, approximate }, predicted);
    expect(preview).toMatchObject({ ...base, mode, ...(expected as object) });
  });
});

describe('changedKeys', () => {
  it.each([
    ['a changed value', 'A=1\nB=2\n', 'A=1\nB=3\n', ['B']],
    ['added and removed keys', 'A=1\n', 'B=2\n', ['A', 'B']],
    ['only the bytes around differ', '# x\nA=1\r\n', "A='1' # same\n", []],
    ['a duplicate: the deciding definition counts', 'A=1\nA=2\n', 'A=2\n', []],
    ['a bare key never has a value of its own', 'A\n', '', []],
    ['nothing before (a created file)', '', 'A=1\n', ['A']],
  ])('%s', (_name, before, after, expected) => {
    expect(changedKeys(EnvDocument.parse(before), EnvDocument.parse(after))).toEqual(expected);
  });
});
