/**
 * For the secret scans (issue 15: no secret in the app-data folder, the diagnostics zip or the app's
 * log): the forms a secret takes on disk, and a Dify-shaped test stack holding one in `.env`.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/**
 * The forms a secret takes inside base64 (standard and URL-safe) whatever its offset in the encoded
 * data: for each of the three alignments, the characters that depend on the secret's bytes alone.
 */
export function base64Forms(secret: string): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret, 'utf8')]).toString('base64');
    const start = offset === 0 ? 0 : 4; // the first group mixes in the bytes before the secret
    const core = encoded.slice(start, encoded.length - 4); // the last group may mix in the bytes after
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/**
 * As in Dify's own files: SECRET_KEY in the stack's `.env`, handed to api, worker and plugin_daemon by
 * the `x-shared-env` anchor. Call before the stack is up.
 */
export async function putSecretKeyInStack(stackDir: string, secretKey: string): Promise<void> {
  const composeFile = join(stackDir, 'docker-compose.yaml');
  const compose = await fs.readFile(composeFile, 'utf8');
  await fs.writeFile(
    composeFile,
    compose.replace(
      'x-shared-env: &shared-api-worker-env\n',
      'x-shared-env: &shared-api-worker-env\n  SECRET_KEY: ${SECRET_KEY:-}\n',
    ),
  );
  await fs.appendFile(join(stackDir, '.env'), `SECRET_KEY=${secretKey}\n`);
}
