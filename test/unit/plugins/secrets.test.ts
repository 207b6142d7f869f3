import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DIFY_PASSWORD_SECRET,
  EncryptedFileSecretStore,
  EnvSecretStore,
} from '../../../electron/plugins/secrets';
import { testCipher } from '../../doubles/test-cipher';
import { removeTempDirs, tempDir } from './helpers';

const PASSWORD = 'Pässwörd-ÄÖÜ-very-secret-42';

afterAll(removeTempDirs);

describe('EncryptedFileSecretStore', () => {
  it('round-trips a secret and never writes it (or its base64/hex/UTF-16 forms) to disk', async () => {
    const file = path.join(await tempDir(), 'sub', 'secrets.json');
    const store = new EncryptedFileSecretStore(file, testCipher());
    await store.set(DIFY_PASSWORD_SECRET, PASSWORD);
    expect(await store.get(DIFY_PASSWORD_SECRET)).toBe(PASSWORD);

    const bytes = await fs.readFile(file);
    for (const form of [
      Buffer.from(PASSWORD, 'utf8'),
      Buffer.from(PASSWORD, 'utf16le'),
      Buffer.from(Buffer.from(PASSWORD).toString('base64')),
      Buffer.from(Buffer.from(PASSWORD).toString('hex')),
      Buffer.from('very-secret'),
    ]) {
      expect(bytes.includes(form)).toBe(false);
    }
    // Only the user may read it (where the OS has POSIX modes).
    if (process.platform !== 'win32') expect((await fs.stat(file)).mode & 0o077).toBe(0);
    // No temp files left next to it.
    expect(await fs.readdir(path.dirname(file))).toEqual(['secrets.json']);
  });

  it('refuses to store when encryption is unavailable and writes nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secrets.json');
    const store = new EncryptedFileSecretStore(file, testCipher(false));
    expect(store.canStore()).toBe(false);
    await expect(store.set(DIFY_PASSWORD_SECRET, PASSWORD)).rejects.toMatchObject({
      code: 'SECRET_ENCRYPTION_UNAVAILABLE',
    });
    await expect(fs.access(file)).rejects.toThrow();
  });

  it('the error never carries the secret', async () => {
    const dir = await tempDir();
    // A folder where the file should be: the write fails.
    const file = path.join(dir, 'secrets.json');
    await fs.mkdir(file);
    const store = new EncryptedFileSecretStore(file, testCipher());
    const error = await store.set(DIFY_PASSWORD_SECRET, PASSWORD).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SECRET_STORE_FAILED' });
    expect(JSON.stringify(error) + String(error)).not.toContain(PASSWORD);
  });

  it('deletes, keeps other entries, and treats a broken or foreign file as empty', async () => {
    const file = path.join(await tempDir(), 'secrets.json');
    const cipher = testCipher();
    const store = new EncryptedFileSecretStore(file, cipher);
    await Promise.all([store.set('a', 'one'), store.set('b', 'two')]);
    await store.delete('a');
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBe('two');
    // Encrypted under another key (copied profile): unreadable, so absent.
    const other = new EncryptedFileSecretStore(file, testCipher());
    expect(await other.get('b')).toBeNull();
    await fs.writeFile(file, '{not json');
    expect(await store.get('b')).toBeNull();
    await store.set('c', 'three');
    expect(await store.get('c')).toBe('three');
  });
});

describe('EnvSecretStore (CLI)', () => {
  it('reads DIFY_PASSWORD only and refuses to store', async () => {
    const store = new EnvSecretStore({ DIFY_PASSWORD: PASSWORD });
    expect(await store.get(DIFY_PASSWORD_SECRET)).toBe(PASSWORD);
    expect(await store.get('other')).toBeNull();
    expect(await new EnvSecretStore({}).get(DIFY_PASSWORD_SECRET)).toBeNull();
    expect(store.canStore()).toBe(false);
    await expect(store.set(DIFY_PASSWORD_SECRET, 'x')).rejects.toMatchObject({ code: 'SECRET_READ_ONLY' });
  });
});
