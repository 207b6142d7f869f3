import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups } from '../../../electron/env/backups';
import { setEnvFileValues } from '../../../electron/env/env-file-edit';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-env-edit-');

describe('setEnvFileValues', () => {
  it('changes only the values it sets, keeps BOM, CRLF, comments and quotes, and backs up', async () => {
    const file = path.join(dir(), '.env');
    const before = '\uFEFF# mine\r\nexport REMOTE_INSTALL_KEY="old" # kept\r\nOTHER=\'x y\'\r\n';
    await writeFile(file, before);
    const result = await setEnvFileValues(
      file,
      { REMOTE_INSTALL_KEY: 'new-key', INSTALL_METHOD: 'remote' },
      { appDataRoot: path.join(dir(), 'app') },
    );
    const after = await readFile(file, 'utf8');
    expect(after).toBe(
      '\uFEFF# mine\r\nexport REMOTE_INSTALL_KEY="new-key" # kept\r\nOTHER=\'x y\'\r\nINSTALL_METHOD=remote\r\n',
    );
    expect(result.changed).toBe(true);
    expect(result.bytes.equals(await readFile(file))).toBe(true);
    // The backup is under the app-data root, not beside the file, and holds the old bytes.
    const backups = await listBackups(file, { appDataRoot: path.join(dir(), 'app') });
    expect(backups).toHaveLength(1);
    expect(await readFile(backups[0]!.path, 'utf8')).toBe(before);
  });

  it('creates a missing file and writes nothing when every value is already there', async () => {
    const file = path.join(dir(), 'new.env');
    const first = await setEnvFileValues(file, { A: '1' }, { appDataRoot: dir() });
    expect(first.changed).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('A=1\n');
    const again = await setEnvFileValues(file, { A: '1' }, { appDataRoot: dir() });
    expect(again).toMatchObject({ changed: false, backupId: null });
  });

  it('refuses a key Compose would not read', async () => {
    await expect(setEnvFileValues(path.join(dir(), '.env'), { 'BAD KEY': '1' })).rejects.toMatchObject({
      code: 'ENV_KEY_INVALID',
    });
  });
});
