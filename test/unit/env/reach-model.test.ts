/**
 * The pure reach model: the reader rule, deciding / shadowed / unused files, where a change goes, the
 * per-service diff and dependencies. (Compose itself is exercised in test/integration/timeouts.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  computeKeyReach,
  diffServices,
  documentedConsumers,
  isReaderArrival,
  transitiveDependencies,
  type Arrival,
} from '../../../electron/env/reach-model';
import { snapOf } from './reach-helpers';

describe('reader rule', () => {
  it('a documented consumer reads under its documented name; others only through an explicit mapping', () => {
    expect(isReaderArrival('SANDBOX_WORKER_TIMEOUT', { service: 'sandbox', name: 'WORKER_TIMEOUT' })).toBe(
      true,
    );
    // Loaded wholesale by env_file under its own name: sandbox's program reads WORKER_TIMEOUT, not this.
    expect(
      isReaderArrival('SANDBOX_WORKER_TIMEOUT', { service: 'sandbox', name: 'SANDBOX_WORKER_TIMEOUT' }),
    ).toBe(false);
    expect(isReaderArrival('GUNICORN_TIMEOUT', { service: 'worker', name: 'GUNICORN_TIMEOUT' })).toBe(false);
    expect(isReaderArrival('GUNICORN_TIMEOUT', { service: 'api', name: 'GUNICORN_TIMEOUT' })).toBe(true);
    // Someone wrote `X: ${KEY}` or put it in a command on purpose.
    expect(isReaderArrival('GUNICORN_TIMEOUT', { service: 'custom', name: 'TIMEOUT' })).toBe(true);
    expect(isReaderArrival('GUNICORN_TIMEOUT', { service: 'custom', name: null, field: 'command.2' })).toBe(
      true,
    );
    // No documented consumers: every service reached reads it.
    expect(isReaderArrival('LOG_LEVEL', { service: 'web', name: 'LOG_LEVEL' })).toBe(true);
  });
});

describe('computeKeyReach', () => {
  it('Layout B shadowing: set in plugin-daemon.env, but environment: takes it from .env', () => {
    const snap = snapOf(
      {
        '.env': 'LOG_LEVEL=INFO\r\n',
        'envs/core-services/plugin-daemon.env': 'FORCE_VERIFYING_SIGNATURE=false\n',
        'envs/core-services/shared.env': null,
      },
      { plugin_daemon: { environment: { FORCE_VERIFYING_SIGNATURE: 'true' } } },
    );
    const arrivals = new Map<string, Arrival[]>([
      [
        '.env',
        [
          { service: 'plugin_daemon', name: 'FORCE_VERIFYING_SIGNATURE' },
          { service: 'api', name: 'FORCE_VERIFYING_SIGNATURE' },
        ],
      ],
      ['envs/core-services/plugin-daemon.env', []],
      ['envs/core-services/shared.env', [{ service: 'api', name: 'FORCE_VERIFYING_SIGNATURE' }]],
    ]);
    const r = computeKeyReach('FORCE_VERIFYING_SIGNATURE', snap, arrivals, false);
    expect(r.readers).toEqual(['plugin_daemon']);
    expect(r.decidingFile).toBeNull();
    expect(r.effective).toEqual({ value: 'true', source: 'composeDefault' });
    expect(r.noEffect).toEqual({
      reason: 'shadowed',
      files: ['envs/core-services/plugin-daemon.env'],
      by: '.env',
    });
    expect(r.suggestedFile).toBe('.env');
  });

  it('the deciding file is the one whose value reaches the readers; a key set nowhere goes where it changes the fewest services', () => {
    const snap = snapOf(
      {
        '.env': 'GUNICORN_TIMEOUT=360\n',
        'envs/core-services/shared.env': null,
        'envs/core-services/api.env': null,
      },
      {
        api: { environment: { GUNICORN_TIMEOUT: '360' } },
        worker: { environment: { GUNICORN_TIMEOUT: '360' } },
      },
    );
    const everywhere = ['api', 'worker', 'worker_beat', 'web', 'sandbox'];
    const gunicorn = computeKeyReach(
      'GUNICORN_TIMEOUT',
      snap,
      new Map([
        ['.env', everywhere.map((service) => ({ service, name: 'GUNICORN_TIMEOUT' }))],
        ['envs/core-services/shared.env', []],
        ['envs/core-services/api.env', []],
      ]),
      false,
    );
    expect(gunicorn).toMatchObject({
      readers: ['api'],
      decidingFile: '.env',
      effective: { value: '360', source: 'file' },
      noEffect: null,
      suggestedFile: '.env',
    });

    const workflow = computeKeyReach(
      'WORKFLOW_MAX_EXECUTION_TIME',
      snap,
      new Map([
        ['.env', everywhere.map((service) => ({ service, name: 'WORKFLOW_MAX_EXECUTION_TIME' }))],
        [
          'envs/core-services/shared.env',
          ['api', 'worker', 'worker_beat'].map((service) => ({
            service,
            name: 'WORKFLOW_MAX_EXECUTION_TIME',
          })),
        ],
        ['envs/core-services/api.env', [{ service: 'api', name: 'WORKFLOW_MAX_EXECUTION_TIME' }]],
      ]),
      false,
    );
    // api.env changes fewer services but misses the worker: shared.env reaches both readers.
    expect(workflow).toMatchObject({
      readers: ['api', 'worker'],
      decidingFile: null,
      effective: { value: null, source: 'notSet' },
      suggestedFile: 'envs/core-services/shared.env',
    });
  });

  it('no effect: referenced nowhere, or reaching only services that do not read it', () => {
    const snap = snapOf({ '.env': 'PLUGIN_INSTALL_TIMEOUT=30\n' }, {});
    expect(computeKeyReach('PLUGIN_INSTALL_TIMEOUT', snap, new Map([['.env', []]]), false).noEffect).toEqual({
      reason: 'notReferenced',
      files: ['.env'],
      by: null,
    });
    expect(
      computeKeyReach(
        'PLUGIN_INSTALL_TIMEOUT',
        snap,
        new Map([['.env', [{ service: 'web', name: 'PLUGIN_INSTALL_TIMEOUT' }]]]),
        false,
      ).noEffect,
    ).toEqual({ reason: 'noReader', files: ['.env'], by: null });
  });
});

describe('diffServices and transitiveDependencies', () => {
  it('compares services by content, not key order', () => {
    const before = { a: { environment: { X: '1', Y: '2' } }, b: { image: 'i' }, c: { image: 'c' } };
    const after = { a: { environment: { Y: '2', X: '1' } }, b: { image: 'j' }, d: { image: 'd' } };
    expect(diffServices(before, after)).toEqual(['b', 'c', 'd']);
  });

  it('follows depends_on in both syntaxes, without the services themselves', () => {
    const all = {
      nginx: { depends_on: ['api', 'web'] },
      api: { depends_on: { db: { condition: 'service_healthy' }, redis: {} } },
      db: {},
      web: {},
    };
    expect(transitiveDependencies(all, ['nginx'])).toEqual(['api', 'db', 'redis', 'web']);
    expect(transitiveDependencies(all, ['api', 'db'])).toEqual(['redis']);
  });
});

describe('documentedConsumers', () => {
  it.each([
    ['a catalog key', 'GUNICORN_TIMEOUT', [{ service: 'api' }]],
    [
      'a catalog key read under another name',
      'SANDBOX_WORKER_TIMEOUT',
      [{ service: 'sandbox', as: 'WORKER_TIMEOUT' }],
    ],
    ['a key the app changes itself', 'FORCE_VERIFYING_SIGNATURE', [{ service: 'plugin_daemon' }]],
    ['any other key: not documented', 'LOG_LEVEL', null],
  ])('%s', (_name, key, expected) => {
    expect(documentedConsumers(key)).toEqual(expected);
  });
});

describe('where a change goes (suggestedFile)', () => {
  // MY_SETTING is undocumented: every service its value reaches reads it. GUNICORN_TIMEOUT: only api.
  const reach = (key: string, files: Record<string, string | null>, arrivals: Record<string, string[]>) =>
    computeKeyReach(
      key,
      snapOf(files, {}),
      new Map(
        Object.entries(arrivals).map(([f, svcs]) => [f, svcs.map((service) => ({ service, name: key }))]),
      ),
      false,
    );

  it.each<[string, string, Record<string, string | null>, Record<string, string[]>, string | null]>([
    [
      'the file that decides now, even when another changes fewer services',
      'MY_SETTING',
      { '.env': '', 'envs/a.env': 'MY_SETTING=1\n', 'envs/b.env': '' },
      { '.env': ['api', 'web'], 'envs/a.env': ['api', 'web', 'worker'], 'envs/b.env': ['api'] },
      'envs/a.env',
    ],
    [
      'set nowhere: of the readers\u2019 own files, the one reaching the most readers',
      'MY_SETTING',
      { '.env': '', 'envs/core-services/api.env': '', 'envs/core-services/shared.env': '' },
      {
        '.env': ['api'],
        'envs/core-services/api.env': ['api'],
        'envs/core-services/shared.env': ['api', 'worker'],
      },
      'envs/core-services/shared.env',
    ],
    [
      'same readers: the one changing the fewest services',
      'GUNICORN_TIMEOUT',
      { '.env': '', 'envs/core-services/shared.env': '', 'envs/core-services/api.env': '' },
      {
        '.env': ['api', 'web', 'worker'],
        'envs/core-services/shared.env': ['api', 'worker'],
        'envs/core-services/api.env': ['api'],
      },
      'envs/core-services/api.env',
    ],
    [
      'a tie: an existing file before one to create',
      'MY_SETTING',
      { '.env': '', 'envs/core-services/api.env': null, 'envs/core-services/shared.env': '' },
      { '.env': [], 'envs/core-services/api.env': ['api'], 'envs/core-services/shared.env': ['api'] },
      'envs/core-services/shared.env',
    ],
    [
      'a tie: .env first (even before names that sort earlier)',
      'MY_SETTING',
      { '_early.env': '', '.env': '' },
      { '_early.env': ['api'], '.env': ['api'] },
      '.env',
    ],
    [
      'a tie: by name',
      'MY_SETTING',
      { '.env': '', 'envs/core-services/shared.env': '', 'envs/core-services/api.env': '' },
      { '.env': [], 'envs/core-services/shared.env': ['api'], 'envs/core-services/api.env': ['api'] },
      'envs/core-services/api.env',
    ],
    [
      // Dify 1.16: the api/worker anchor loads every infrastructure file; certbot.env reaches the two
      // readers with fewer services than shared.env, and must still never be chosen.
      'never another service\u2019s file, though it changes fewer services (Dify 1.16 certbot.env)',
      'WORKFLOW_MAX_EXECUTION_TIME',
      {
        '.env': '',
        'envs/core-services/shared.env': null,
        'envs/infrastructure/certbot.env': null,
        'envs/databases/postgres.env': null,
      },
      {
        '.env': ['api', 'worker', 'worker_beat', 'web', 'sandbox', 'plugin_daemon'],
        'envs/core-services/shared.env': ['api', 'worker', 'worker_beat', 'plugin_daemon'],
        'envs/infrastructure/certbot.env': ['api', 'worker'],
        'envs/databases/postgres.env': ['api', 'worker', 'worker_beat'],
      },
      'envs/core-services/shared.env',
    ],
    [
      'only other services\u2019 files and .env reach the reader: .env',
      'GUNICORN_TIMEOUT',
      { '.env': '', 'envs/infrastructure/nginx.env': null },
      { '.env': ['api', 'web'], 'envs/infrastructure/nginx.env': ['api'] },
      '.env',
    ],
    [
      'only another service\u2019s file reaches the reader: none',
      'GUNICORN_TIMEOUT',
      { '.env': '', 'envs/infrastructure/nginx.env': null },
      { '.env': [], 'envs/infrastructure/nginx.env': ['api'] },
      null,
    ],
    ['no file reaches anything', 'MY_SETTING', { '.env': '' }, { '.env': [] }, null],
    ['reaching only services that ignore it', 'GUNICORN_TIMEOUT', { '.env': '' }, { '.env': ['web'] }, null],
  ])('%s', (_name, key, files, arrivals, expected) => {
    expect(reach(key, files, arrivals).suggestedFile).toBe(expected);
  });

  it('says why: deciding, documented by an example, own file, .env', () => {
    const files = { '.env': '', 'envs/core-services/api.env': '', 'envs/core-services/shared.env': '' };
    const arrivals = {
      '.env': ['api', 'web'],
      'envs/core-services/api.env': ['api'],
      'envs/core-services/shared.env': ['api', 'worker'],
    };
    expect(reach('GUNICORN_TIMEOUT', files, arrivals).suggestedReason).toBe('ownFile');
    expect(reach('GUNICORN_TIMEOUT', { ...files, '.env': 'GUNICORN_TIMEOUT=1\n' }, arrivals)).toMatchObject({
      suggestedFile: '.env',
      suggestedReason: 'decides',
    });
    expect(reach('GUNICORN_TIMEOUT', { '.env': '' }, { '.env': ['api'] }).suggestedReason).toBe('envFile');
    // Dify's own placement wins over "fewest services": shared.env.example documents the key.
    const documented = computeKeyReach(
      'GUNICORN_TIMEOUT',
      {
        ...snapOf(files, {}),
        documented: new Map([['envs/core-services/shared.env', new Set(['GUNICORN_TIMEOUT'])]]),
      },
      new Map(
        Object.entries(arrivals).map(([f, svcs]) => [
          f,
          svcs.map((service) => ({ service, name: 'GUNICORN_TIMEOUT' })),
        ]),
      ),
      false,
    );
    expect(documented).toMatchObject({
      suggestedFile: 'envs/core-services/shared.env',
      suggestedReason: 'documented',
    });
  });

  it('marks a file a reader loads but whose own environment: maps the key', () => {
    const key = 'FORCE_VERIFYING_SIGNATURE';
    const r = computeKeyReach(
      key,
      {
        ...snapOf({ '.env': '', 'envs/core-services/plugin-daemon.env': '' }, {}),
        loadedBy: new Map([
          ['.env', ['api', 'plugin_daemon']],
          ['envs/core-services/plugin-daemon.env', ['plugin_daemon']],
        ]),
        environmentVars: new Map([['plugin_daemon', new Set([key])]]),
      },
      new Map([
        [
          '.env',
          [
            { service: 'plugin_daemon', name: key },
            { service: 'api', name: key },
          ],
        ],
        ['envs/core-services/plugin-daemon.env', []],
      ]),
      false,
    );
    expect(r.readers).toEqual(['plugin_daemon']);
    expect(r.files.find((f) => f.file === 'envs/core-services/plugin-daemon.env')?.environmentWins).toBe(
      'plugin_daemon',
    );
    expect(r.files.find((f) => f.file === '.env')?.environmentWins).toBeNull();
  });
});

describe('what the readers get now (effective)', () => {
  const KEY = 'GUNICORN_TIMEOUT';
  const toApi = new Map([['.env', [{ service: 'api', name: KEY }]]]);

  it.each<[string, string, Record<string, unknown> | null, unknown]>([
    [
      'set in the deciding file: the resolved value',
      `${KEY}=360\n`,
      { api: { environment: { [KEY]: '360' } } },
      { value: '360', source: 'file' },
    ],
    [
      'set, but resolved from an interpolation: what Compose made of it',
      `${KEY}=\${BASE}0\n`,
      { api: { environment: { [KEY]: '600' } } },
      { value: '600', source: 'file' },
    ],
    [
      'set, but not passed to the reader: the file value',
      `${KEY}=360\n`,
      { api: { environment: {} } },
      { value: '360', source: 'file' },
    ],
    [
      'set nowhere, a compose default',
      '',
      { api: { environment: { [KEY]: '360' } } },
      { value: '360', source: 'composeDefault' },
    ],
    ['set nowhere and not passed: the program default', '', { api: {} }, { value: null, source: 'notSet' }],
    [
      'no resolved project (approximate): the file value',
      `${KEY}=720\n`,
      null,
      { value: '720', source: 'file' },
    ],
  ])('%s', (_name, envText, baseline, expected) => {
    const r = computeKeyReach(KEY, snapOf({ '.env': envText }, baseline), toApi, baseline === null);
    expect(r.effective).toEqual(expected);
    expect(r.approximate).toBe(baseline === null);
  });
});
