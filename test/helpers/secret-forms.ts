/**
 * For the secret scans (issue 15: no secret in the app-data folder, the diagnostics zip or the app's
 * log): the forms a secret takes on disk, a Dify-shaped test stack holding one in `.env`, and the
 * app's services over an app-data folder of the test's own.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { EncryptedFileSecretStore } from '../../electron/plugins/secrets';
import { createServices, type AppServices } from '../../electron/services';
import { APP_DIR_NAME } from '../../electron/settings/paths';
import { testCipher } from '../doubles/test-cipher';

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

/**
 * The app's real services over a per-user app-data folder of the test's own (`<configHome>/dify-stack-tray`)
 * holding these settings, the password kept as the app keeps it (a real cipher standing in for
 * safeStorage). HOME stays the real one: `docker compose` finds its CLI plugin there.
 */
export async function servicesInAppData(
  configHome: string,
  settings: Record<string, unknown>,
): Promise<AppServices> {
  const appData = join(configHome, APP_DIR_NAME);
  await fs.mkdir(appData, { recursive: true });
  await fs.writeFile(join(appData, 'settings.json'), JSON.stringify(settings));
  return createServices({
    env: { ...process.env, XDG_CONFIG_HOME: configHome, DIFY_PASSWORD: undefined },
    platform: 'linux',
    secrets: new EncryptedFileSecretStore(join(appData, 'secrets.json'), testCipher()),
  });
}
