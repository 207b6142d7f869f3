/** Which env files are candidates for a key, found on disk. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCandidates } from '../../../electron/env/reach-files';
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
