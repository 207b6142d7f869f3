/** Which env files are candidates for a key, found on disk. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentedKeys, listCandidates, readDocumentedKeys } from '../../../electron/env/reach-files';
import { useTempDir } from '../../helpers/use-temp-dir';

describe('listCandidates', () => {
  const tempDir = useTempDir('dst-reach-');

  it('.env first, then existing envs/**/*.env and every env_file entry inside the folder', async () => {
    const dir = tempDir();
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

describe('documented keys (*.env.example)', () => {
  const tempDir = useTempDir('dst-reach-doc-');

  it('counts KEY=… and commented # KEY=… lines, not prose', () => {
    expect(
      [
        ...documentedKeys(
          '# Copy to shared.env to use. Loaded by api, worker.\r\nWORKFLOW_MAX_EXECUTION_TIME=1200\r\n' +
            '# API_TOOL_DEFAULT_READ_TIMEOUT=60\n#HTTP_REQUEST_MAX_READ_TIMEOUT = 600\n# see: X\n',
        ),
      ].sort(),
    ).toEqual([
      'API_TOOL_DEFAULT_READ_TIMEOUT',
      'HTTP_REQUEST_MAX_READ_TIMEOUT',
      'WORKFLOW_MAX_EXECUTION_TIME',
    ]);
  });

  it('reads the example beside each candidate, existing or not', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shared.env.example'), '# WORKFLOW_MAX_EXECUTION_TIME=1200\n');
    const map = await readDocumentedKeys([
      { rel: 'shared.env', abs: join(dir, 'shared.env'), exists: false, referenced: true },
      { rel: '.env', abs: join(dir, '.env'), exists: true, referenced: false },
    ]);
    expect([...map.keys()]).toEqual(['shared.env']);
    expect(map.get('shared.env')?.has('WORKFLOW_MAX_EXECUTION_TIME')).toBe(true);
  });
});
