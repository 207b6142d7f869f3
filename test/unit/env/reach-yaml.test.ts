/** The YAML fallback used when Compose cannot resolve the project (no Compose v2). */
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  envFilesOf,
  environmentVarsOf,
  loadersOf,
  parseComposeYaml,
  refersTo,
  yamlArrivals,
  yamlServiceNames,
} from '../../../electron/env/reach-yaml';
import { snapOf } from './reach-helpers';

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

describe('refersTo', () => {
  it.each([
    ['$KEY', true],
    ['${KEY}', true],
    ['${KEY:-360}', true],
    ['${KEY-360}', true],
    ['${KEY:?required}', true],
    ['${KEY:+set}', true],
    ['--timeout=$KEY', true],
    ['$KEY.5', true],
    ['$$KEY', false],
    ['$$KEY and ${KEY}', true],
    ['${KEYS}', false],
    ['$KEY_2', false],
    ['$KEYS', false],
    ['KEY', false],
    ['${OTHER:-$KEY}', true],
  ])('%j → %s', (text, expected) => {
    expect(refersTo(text, 'KEY')).toBe(expected);
  });

  it('a key with regex characters is matched literally', () => {
    expect(refersTo('${A.B}', 'A.B')).toBe(true);
    expect(refersTo('${AxB}', 'A.B')).toBe(false);
  });
});

describe('envFilesOf', () => {
  it.each<[string, unknown, string[]]>([
    ['none', { image: 'x' }, []],
    ['a null service', null, []],
    ['one path', { env_file: './envs/a.env' }, ['./envs/a.env']],
    ['a list', { env_file: ['a.env', 'b.env'] }, ['a.env', 'b.env']],
    [
      'long syntax',
      { env_file: [{ path: './envs/s.env', required: false }, 'x.env'] },
      ['./envs/s.env', 'x.env'],
    ],
    [
      'interpolated paths and empty entries are left out',
      { env_file: ['${DIR}/a.env', '', { path: 3 }] },
      [],
    ],
  ])('%s', (_name, service, expected) => {
    expect(envFilesOf(service)).toEqual(expected);
  });
});

describe('parseComposeYaml', () => {
  it.each<[string, string, unknown]>([
    [
      'anchors and merge keys resolved',
      'x: &e {A: "1"}\nservices:\n  api:\n    environment:\n      <<: *e\n      B: "2"\n',
      { x: { A: '1' }, services: { api: { environment: { A: '1', B: '2' } } } },
    ],
    [
      'a duplicate key is not an error: the last wins',
      'services:\n  a: {image: x}\n  a: {image: y}\n',
      {
        services: { a: { image: 'y' } },
      },
    ],
    ['invalid YAML', 'services: [\n', null],
  ])('%s', (_name, text, expected) => {
    expect(parseComposeYaml(text)).toEqual(expected);
  });

  it('service names, also of nothing', () => {
    expect(yamlServiceNames(parseComposeYaml('services:\n  api: {}\n  web: {}\n'))).toEqual(['api', 'web']);
    expect(yamlServiceNames(null)).toEqual([]);
  });
});

describe('who loads a file, what environment: maps', () => {
  const yaml = parseComposeYaml(`
services:
  plugin_daemon:
    env_file:
      - path: ./envs/core-services/plugin-daemon.env
        required: false
      - ./.env
    environment:
      FORCE_VERIFYING_SIGNATURE: \${FORCE_VERIFYING_SIGNATURE:-true}
      DB: "\${DB_HOST}:$$NOT_A_VAR"
  web:
    env_file: ./.env
    environment:
      - TEXT_GENERATION_TIMEOUT_MS=\${TIMEOUT_MS}
`);
  const project = { dir: '/p', composeFile: '/p/docker-compose.yaml', envFile: '/p/.env', projectName: 'p' };

  it('lists the services loading each env file', () => {
    expect(Object.fromEntries(loadersOf(yaml, project))).toEqual({
      'envs/core-services/plugin-daemon.env': ['plugin_daemon'],
      '.env': ['plugin_daemon', 'web'],
    });
  });

  it('names and interpolated variables of environment:, not $$ literals', () => {
    const vars = environmentVarsOf(yaml);
    expect([...(vars.get('plugin_daemon') ?? [])].sort()).toEqual([
      'DB',
      'DB_HOST',
      'FORCE_VERIFYING_SIGNATURE',
    ]);
    expect([...(vars.get('web') ?? [])].sort()).toEqual(['TEXT_GENERATION_TIMEOUT_MS', 'TIMEOUT_MS']);
  });
});
