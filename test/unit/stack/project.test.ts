import type Docker from 'dockerode';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servicesFromConfig, readDotenvValue } from '../../../electron/docker/compose-model';
import {
  checkDifyDir,
  composeProjectName,
  discoverDifyProjects,
  normalizeProjectName,
} from '../../../electron/stack/project';
import { resolveProject } from '../../../electron/stack/project-resolver';

const root = mkdtempSync(join(tmpdir(), 'dst-project-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const labels = (project: string, service: string, dir: string, version = '2.26.1') => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.project.working_dir': dir,
  'com.docker.compose.version': version,
});

describe('discovery from compose labels', () => {
  it('finds Dify projects by their plugin_daemon/api services, running ones first', () => {
    const found = discoverDifyProjects([
      { labels: labels('other', 'db', '/srv/other'), state: 'running' },
      { labels: labels('old', 'api', 'C:\\dify-old\\docker'), state: 'exited' },
      { labels: labels('docker', 'plugin_daemon', 'D:\\dify\\dify_latest\\docker'), state: 'running' },
      { labels: labels('docker', 'redis', 'D:\\dify\\dify_latest\\docker'), state: 'running' },
      { labels: { 'com.docker.compose.project': 'x' }, state: 'running' },
    ]);
    expect(found).toEqual([
      { dir: 'D:\\dify\\dify_latest\\docker', project: 'docker', services: ['plugin_daemon', 'redis'] },
      { dir: 'C:\\dify-old\\docker', project: 'old', services: ['api'] },
    ]);
  });

  it('with no folder set, two Difys on the engine are refused by name, not the first one taken', async () => {
    const all = [
      { Labels: labels('docker', 'api', '/srv/dify-a/docker'), State: 'running' },
      { Labels: labels('difyb', 'plugin_daemon', '/srv/dify-b/docker'), State: 'exited' },
    ] as unknown as Docker.ContainerInfo[];
    await expect(resolveProject(all, '', 'linux', {})).rejects.toMatchObject({
      code: 'DIFY_DIR_AMBIGUOUS',
      params: { count: 2, dirs: '/srv/dify-a/docker, /srv/dify-b/docker' },
    });
  });

  it('finds nothing without compose containers', () => {
    expect(discoverDifyProjects([{ labels: {}, state: 'running' }])).toEqual([]);
  });
});

describe('folder validation', () => {
  it('names the exact problem', async () => {
    expect((await checkDifyDir('')).error?.code).toBe('DIFY_DIR_NOT_SET');
    expect((await checkDifyDir(join(root, 'nope'))).error?.code).toBe('DIFY_DIR_NOT_FOUND');
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect((await checkDifyDir(empty)).error?.code).toBe('DIFY_DIR_NO_COMPOSE');
    writeFileSync(join(empty, 'docker-compose.yaml'), 'services: {}\n');
    const noEnv = await checkDifyDir(empty);
    expect(noEnv.error).toMatchObject({ code: 'DIFY_DIR_NO_ENV', params: { dir: empty } });
    writeFileSync(join(empty, '.env'), '');
    expect(await checkDifyDir(empty)).toEqual({
      dir: empty,
      ok: true,
      error: null,
      composeFile: join(empty, 'docker-compose.yaml'),
    });
  });
});

describe('project name', () => {
  it('normalises like Compose', () => {
    expect(normalizeProjectName('Dify Latest.1')).toBe('difylatest1');
    expect(normalizeProjectName('_docker')).toBe('docker');
  });

  it('honours COMPOSE_PROJECT_NAME (env, then .env), then `name:`, then the folder name', async () => {
    const dir = join(root, 'My_Docker');
    mkdirSync(dir);
    const file = join(dir, 'docker-compose.yaml');
    writeFileSync(file, 'services: {}\n');
    writeFileSync(join(dir, '.env'), 'X=1\r\n');
    expect(await composeProjectName(dir, file, {})).toBe('my_docker');
    writeFileSync(file, 'name: dify\nservices: {}\n');
    expect(await composeProjectName(dir, file, {})).toBe('dify');
    writeFileSync(join(dir, '.env'), '\uFEFFCOMPOSE_PROJECT_NAME=fromdotenv\r\n');
    expect(await composeProjectName(dir, file, {})).toBe('fromdotenv');
    expect(await composeProjectName(dir, file, { COMPOSE_PROJECT_NAME: 'FromEnv' })).toBe('fromenv');
  });

  it('finds `name:` however the file spells it (the parser is skipped only when no line could start it)', async () => {
    const dir = join(root, 'Spelled');
    mkdirSync(dir);
    const file = join(dir, 'docker-compose.yaml');
    writeFileSync(join(dir, '.env'), 'X=1\n');
    const nameOf = async (yaml: string) => {
      writeFileSync(file, yaml);
      return composeProjectName(dir, file, {});
    };
    expect(await nameOf('services:\n  api:\n    image: x\n    container_name: nope\n')).toBe('spelled');
    expect(await nameOf('# name: nope\nservices: {}\n')).toBe('spelled');
    expect(await nameOf('"name": quoted\nservices: {}\n')).toBe('quoted');
    expect(await nameOf("'name' : single\nservices: {}\n")).toBe('single');
    expect(await nameOf('{name: flow, services: {}}\n')).toBe('flow');
    expect(await nameOf('? name\n: complex\nservices: {}\n')).toBe('complex');
    expect(await nameOf('x-anchor: &a\n  k: v\nname: later\nservices: {}\n')).toBe('later');
  });

  it('reads COMPOSE_PROFILES with Dify’s ${VAR:-default} form', async () => {
    const f = join(root, 'profiles.env');
    writeFileSync(
      f,
      'VECTOR_STORE=qdrant\nCOMPOSE_PROFILES=${VECTOR_STORE:-weaviate},${DB_TYPE:-postgresql}\n',
    );
    expect(await readDotenvValue(f, 'COMPOSE_PROFILES')).toBe('qdrant,postgresql');
  });
});

describe('services from a compose config', () => {
  it('marks one-shots, healthchecks and filters profiles', () => {
    const doc = {
      services: {
        init_permissions: {},
        api: {
          healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:5001/health'] },
          depends_on: { init_permissions: { condition: 'service_completed_successfully' } },
        },
        worker: { healthcheck: { disable: true } },
        web: { depends_on: ['api'] },
        db_postgres: { profiles: ['postgresql'], healthcheck: { test: 'pg_isready' } },
        qdrant: { profiles: ['qdrant'] },
      },
    };
    expect(servicesFromConfig(doc, ['postgresql'])).toEqual([
      { name: 'init_permissions', hasHealthcheck: false, oneShot: true },
      { name: 'api', hasHealthcheck: true, oneShot: false },
      { name: 'worker', hasHealthcheck: false, oneShot: false },
      { name: 'web', hasHealthcheck: false, oneShot: false },
      { name: 'db_postgres', hasHealthcheck: true, oneShot: false },
    ]);
    expect(servicesFromConfig(doc, null).map((s) => s.name)).toContain('qdrant');
    expect(servicesFromConfig(null, null)).toEqual([]);
  });
});
