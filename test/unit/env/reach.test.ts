/**
 * The pure parts of the Compose-resolved reach: the reader rule, deciding / shadowed / unused files,
 * where a change goes, the per-service diff, dependencies, and the YAML fallback. (Compose itself is
 * exercised in test/integration/timeouts.test.ts.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvDocument } from '../../../electron/env/env-file';
import {
  computeKeyReach,
  diffServices,
  isReaderArrival,
  listCandidates,
  transitiveDependencies,
  yamlArrivals,
  type Arrival,
  type CandidateFile,
} from '../../../electron/env/reach';

const cand = (rel: string, exists = true): CandidateFile => ({
  rel,
  abs: `/p/${rel}`,
  exists,
  referenced: rel !== '.env',
});

function snapOf(files: Record<string, string | null>, baseline: Record<string, unknown> | null) {
  const candidates = Object.keys(files).map((rel) => cand(rel, files[rel] !== null));
  const docs = new Map(
    Object.entries(files).map(([rel, text]) => [rel, text === null ? null : EnvDocument.parse(text)]),
  );
  return { candidates, docs, baseline };
}

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

describe('YAML fallback (no Compose v2)', () => {
  it('anchors and merge keys, ${KEY} references, env_file order and environment: winning', () => {
    const yaml = parseYaml(
      `
x-shared: &shared
  GUNICORN_TIMEOUT: \${GUNICORN_TIMEOUT:-360}
services:
  api:
    environment:
      <<: *shared
  sandbox:
    environment:
      WORKER_TIMEOUT: \${SANDBOX_WORKER_TIMEOUT:-15}
  worker:
    env_file: [./envs/a.env, ./envs/b.env]
  plugin_daemon:
    env_file: [./envs/a.env]
    environment:
      - FORCE_VERIFYING_SIGNATURE=\${FORCE_VERIFYING_SIGNATURE:-true}
`,
      { merge: true },
    ) as { services: Record<string, unknown> };
    const project = {
      dir: '/p',
      composeFile: '/p/docker-compose.yaml',
      envFile: '/p/.env',
      projectName: 'p',
    };
    const snap = snapOf({ '.env': '', 'envs/a.env': 'X=1\n', 'envs/b.env': 'X=2\n' }, null);
    expect(yamlArrivals(yaml, project, snap, 'GUNICORN_TIMEOUT').get('.env')).toEqual([
      { service: 'api', name: 'GUNICORN_TIMEOUT' },
    ]);
    expect(yamlArrivals(yaml, project, snap, 'SANDBOX_WORKER_TIMEOUT').get('.env')).toEqual([
      { service: 'sandbox', name: 'WORKER_TIMEOUT' },
    ]);
    const x = yamlArrivals(yaml, project, snap, 'X');
    // worker: b.env is listed later and sets X, so a.env does not reach it.
    expect(x.get('envs/a.env')).toEqual([{ service: 'plugin_daemon', name: 'X' }]);
    expect(x.get('envs/b.env')).toEqual([{ service: 'worker', name: 'X' }]);
    const f = yamlArrivals(yaml, project, snap, 'FORCE_VERIFYING_SIGNATURE');
    expect(f.get('.env')).toEqual([{ service: 'plugin_daemon', name: 'FORCE_VERIFYING_SIGNATURE' }]);
    // plugin_daemon's environment: names it, so its a.env value never arrives there; worker's does.
    expect(f.get('envs/a.env')).toEqual([{ service: 'worker', name: 'FORCE_VERIFYING_SIGNATURE' }]);
  });
});

describe('listCandidates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dst-reach-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('.env first, then existing envs/**/*.env and every env_file entry inside the folder', async () => {
    mkdirSync(join(dir, 'envs/core-services'), { recursive: true });
    mkdirSync(join(dir, 'envs/.dify-stack-backups'), { recursive: true });
    writeFileSync(join(dir, '.env'), '');
    writeFileSync(join(dir, 'envs/core-services/web.env'), '');
    writeFileSync(join(dir, 'envs/core-services/shared.env.example'), '');
    writeFileSync(join(dir, 'envs/.dify-stack-backups/web.env'), '');
    writeFileSync(
      join(dir, 'docker-compose.yaml'),
      `services:
  api:
    env_file:
      - path: ./envs/core-services/shared.env
        required: false
      - ./.env
  web:
    env_file: ../outside.env
`,
    );
    const list = await listCandidates({
      dir,
      composeFile: join(dir, 'docker-compose.yaml'),
      envFile: join(dir, '.env'),
      projectName: 'p',
    });
    expect(list.map((c) => [c.rel, c.exists])).toEqual([
      ['.env', true],
      ['envs/core-services/shared.env', false],
      ['envs/core-services/web.env', true],
    ]);
  });
});
