/**
 * The key a repeated `dify-stack timeouts` is answered by (cli/cli-timeouts-memory.ts): every
 * ingredient of the printed text changes it, and an entry is found only for its own scope.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  rememberedTimeoutsOutput,
  rememberTimeoutsOutput,
  timeoutsOutputKey,
  viewFiles,
  type TimeoutsOutputScope,
} from '../../../electron/cli/cli-timeouts-memory';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-timeouts-memory-');

function project(): TimeoutsOutputScope['project'] {
  const root = join(dir(), 'docker');
  mkdirSync(join(root, 'envs', 'api'), { recursive: true });
  writeFileSync(join(root, 'docker-compose.yaml'), 'services:\n  api:\n    env_file: [envs/api/api.env]\n');
  writeFileSync(join(root, '.env'), 'SANDBOX_WORKER_TIMEOUT=15\n');
  writeFileSync(join(root, 'envs', 'api', 'api.env'), 'API_TOOL_DEFAULT_READ_TIMEOUT=60\n');
  return {
    dir: root,
    composeFile: join(root, 'docker-compose.yaml'),
    envFile: join(root, '.env'),
    projectName: 'docker',
  };
}

const container = (service: string, state = 'running', image = `langgenius/dify-${service}:1.16.0`) => ({
  id: service,
  service,
  state,
  health: null,
  exitCode: null,
  created: 0,
  composeVersion: '2.37.1',
  image,
});

describe('timeouts output memory', () => {
  it('a new key for every ingredient of the text', async () => {
    const p = project();
    const scope: TimeoutsOutputScope = {
      project: p,
      containers: [container('api'), container('plugin_daemon')],
      env: { PATH: '/usr/bin' },
      lang: 'en',
      json: false,
    };
    const files = viewFiles(p, [{ file: '.env' }, { file: 'envs/api/api.env' }]);
    expect(files).toEqual([
      p.composeFile,
      p.envFile,
      `${p.envFile}.example`,
      join(p.dir, 'envs/api/api.env'),
      join(p.dir, 'envs/api/api.env.example'),
    ]);
    const base = await timeoutsOutputKey(scope, files);
    expect(await timeoutsOutputKey({ ...scope }, [...files])).toBe(base);
    const changed = async (next: Partial<TimeoutsOutputScope>) =>
      timeoutsOutputKey({ ...scope, ...next }, files);
    const keys = [
      await changed({ lang: 'ja' }),
      await changed({ json: true }),
      await changed({ project: { ...p, projectName: 'other' } }),
      await changed({ containers: [container('api', 'exited'), container('plugin_daemon')] }),
      await changed({
        containers: [container('api', 'running', 'langgenius/dify-api:1.15.0'), container('plugin_daemon')],
      }),
      // A variable an env file defines, and one of Compose's own settings.
      await changed({ env: { ...scope.env, SANDBOX_WORKER_TIMEOUT: '30' } }),
      await changed({ env: { ...scope.env, COMPOSE_PROFILES: 'x' } }),
    ];
    // A variable nothing names does not matter.
    expect(await changed({ env: { ...scope.env, UNRELATED: '1' } })).toBe(base);
    writeFileSync(`${p.envFile}.example`, '# SANDBOX_WORKER_TIMEOUT=15\n');
    keys.push(await timeoutsOutputKey(scope, files));
    writeFileSync(join(p.dir, 'envs', 'api', 'api.env'), 'API_TOOL_DEFAULT_READ_TIMEOUT=61\n');
    keys.push(await timeoutsOutputKey(scope, files));
    writeFileSync(join(p.dir, 'envs', 'new.env'), '');
    keys.push(await timeoutsOutputKey(scope, files));
    expect(new Set([base, ...keys]).size).toBe(keys.length + 1);
  });

  it('answers only for the scope and the files as they were, keeping other scopes beside it', async () => {
    const p = project();
    const scope: TimeoutsOutputScope = { project: p, containers: [], env: {}, lang: 'en', json: false };
    const file = join(dir(), 'cache', 'timeouts-output.json');
    const files = viewFiles(p, [{ file: '.env' }]);
    expect(await rememberedTimeoutsOutput(file, async () => scope)).toBeNull();
    await rememberTimeoutsOutput(file, scope, await timeoutsOutputKey(scope, files), files, 'table\n');
    const json = { ...scope, json: true };
    await rememberTimeoutsOutput(file, json, await timeoutsOutputKey(json, files), files, '{}\n');
    expect(await rememberedTimeoutsOutput(file, async () => scope)).toBe('table\n');
    // The folder known before the engine answers: its entries' files read meanwhile, the same answer.
    expect(await rememberedTimeoutsOutput(file, async () => scope, { dir: p.dir, env: scope.env })).toBe(
      'table\n',
    );
    expect(await rememberedTimeoutsOutput(file, async () => null, { dir: p.dir, env: scope.env })).toBeNull();
    expect(await rememberedTimeoutsOutput(file, async () => json)).toBe('{}\n');
    expect(await rememberedTimeoutsOutput(file, async () => ({ ...scope, lang: 'ja' }))).toBeNull();
    writeFileSync(p.envFile, 'SANDBOX_WORKER_TIMEOUT=16\n');
    expect(await rememberedTimeoutsOutput(file, async () => scope)).toBeNull();
    // A file that is not ours to trust is no memory at all.
    writeFileSync(file, '{"format":1,"entries":[{"key":1}]}');
    expect(await rememberedTimeoutsOutput(file, async () => json)).toBeNull();
  });
});
