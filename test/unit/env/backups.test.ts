/** Backups kept before each replacement, their pruning and their byte-exact restore (backups.ts). */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupDirFor, listBackups, restoreBackup, writeWithBackup } from '../../../electron/env/backups';
import { createTempDirSync, removeTempDirSync } from '../../helpers/temp-dir';
import { expectAppError } from './helpers';

let dir: string;
let file: string;
const OLD = Buffer.from('# old\r\nGUNICORN_TIMEOUT=360\r\n');
const NEW = Buffer.from('# old\r\nGUNICORN_TIMEOUT=3600\r\n');

beforeEach(() => {
  dir = createTempDirSync('backups-');
  file = path.join(dir, '.env');
  writeFileSync(file, OLD);
});
afterEach(() => {
  chmodSync(dir, 0o755);
  removeTempDirSync(dir);
});

describe('writeWithBackup', () => {
  let clock = Date.UTC(2026, 6, 22, 10, 0, 0);
  const now = () => new Date((clock += 1500));

  it('backs up the previous bytes, then writes', async () => {
    const result = await writeWithBackup(file, NEW, { now });
    expect(result.changed).toBe(true);
    expect(readFileSync(file)).toEqual(NEW);
    expect(result.backup).not.toBeNull();
    expect(readFileSync(result.backup?.path as string)).toEqual(OLD);
    expect(path.dirname(result.backup?.path as string)).toBe(path.join(dir, '.dify-stack-backups'));
    expect(result.backup?.id).toMatch(/^\.env\.\d{8}T\d{9}Z-00\.bak$/);
  });

  it('concurrent calls keep their call order: the last one wins, each earlier state is backed up', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => writeWithBackup(file, Buffer.from(`V=${i}\n`), { now })),
    );
    expect(readFileSync(file, 'utf8')).toBe('V=5\n');
    const kept = await listBackups(file);
    expect(kept).toHaveLength(6);
  });

  it.skipIf(process.platform === 'win32')(
    'backups are private (0600 in a 0700 folder) even when the source and the umask are open',
    async () => {
      chmodSync(file, 0o644);
      const old = process.umask(0o022);
      try {
        const beside = await writeWithBackup(file, NEW, { now });
        const appData = path.join(dir, 'appdata');
        const inAppData = await writeWithBackup(file, OLD, { now, appDataRoot: appData });
        for (const backup of [beside.backup, inAppData.backup]) {
          const p = backup?.path as string;
          expect((await fsp.stat(p)).mode & 0o777).toBe(0o600);
          expect((await fsp.stat(path.dirname(p))).mode & 0o777).toBe(0o700);
        }
        const note = path.join(path.dirname(inAppData.backup?.path as string), 'target.txt');
        expect((await fsp.stat(note)).mode & 0o777).toBe(0o600);
        // The file itself keeps its own mode.
        expect((await fsp.stat(file)).mode & 0o777).toBe(0o644);
      } finally {
        process.umask(old);
      }
    },
  );

  it('same bytes: nothing written, no backup', async () => {
    const result = await writeWithBackup(file, OLD, { now });
    expect(result).toEqual({ changed: false, backup: null });
    expect(await listBackups(file)).toEqual([]);
  });

  it('the file changed since it was read → ENV_FILE_CHANGED, nothing written', async () => {
    const readEarlier = Buffer.from('GUNICORN_TIMEOUT=200\n');
    await expectAppError(writeWithBackup(file, NEW, { expected: readEarlier, now }), 'ENV_FILE_CHANGED');
    expect(readFileSync(file)).toEqual(OLD);
    expect(await listBackups(file)).toEqual([]);
    await writeWithBackup(file, NEW, { expected: OLD, now });
    expect(readFileSync(file)).toEqual(NEW);
  });

  it('a new file: no backup', async () => {
    const fresh = path.join(dir, 'shared.env');
    const result = await writeWithBackup(fresh, NEW, { expected: null, now });
    expect(result.backup).toBeNull();
    expect(readFileSync(fresh)).toEqual(NEW);
  });

  it('read-only: refused before any backup is made', async () => {
    chmodSync(file, 0o444);
    await expectAppError(writeWithBackup(file, NEW, { now }), 'ENV_FILE_READ_ONLY');
    expect(readFileSync(file)).toEqual(OLD);
    expect(await listBackups(file)).toEqual([]);
  });

  it('keeps the newest 20 backups', async () => {
    for (let i = 0; i < 25; i++) await writeWithBackup(file, Buffer.from(`V=${i}\n`), { now });
    const backups = await listBackups(file);
    expect(backups.length).toBe(20);
    // Newest first: the bytes before the last write were V=23; the oldest kept is V=4.
    expect(readFileSync(backups[0]?.path as string, 'utf8')).toBe('V=23\n');
    expect(readFileSync(backups[19]?.path as string, 'utf8')).toBe('V=4\n');
    expect(backups.map((b) => b.createdAt.getTime())).toEqual(
      [...backups.map((b) => b.createdAt.getTime())].sort((a, b) => b - a),
    );
    const kept = await listBackups(file, { keep: 3 });
    expect(kept.length).toBe(20); // listing never deletes
    await writeWithBackup(file, Buffer.from('V=last\n'), { now, keep: 3 });
    expect((await listBackups(file)).length).toBe(3);
  });

  it('two backups in the same millisecond get distinct names', async () => {
    const fixed = () => new Date(Date.UTC(2026, 0, 1));
    await writeWithBackup(file, Buffer.from('A\n'), { now: fixed });
    await writeWithBackup(file, Buffer.from('B\n'), { now: fixed });
    const ids = (await listBackups(file)).map((b) => b.id);
    expect(ids).toEqual(['.env.20260101T000000000Z-01.bak', '.env.20260101T000000000Z-00.bak']);
  });

  it('backups in an app-data folder, one sub-folder per file, with a note of the file', async () => {
    const appData = path.join(dir, 'appdata');
    const result = await writeWithBackup(file, NEW, { now, appDataRoot: appData });
    const backupDir = backupDirFor(file, appData);
    expect(path.dirname(result.backup?.path as string)).toBe(backupDir);
    expect(readFileSync(path.join(backupDir, 'target.txt'), 'utf8').trim()).toBe(await fsp.realpath(file));
    expect((await listBackups(file, { appDataRoot: appData })).length).toBe(1);
    expect(await listBackups(file)).toEqual([]);
  });

  it('backups of different files in one folder do not mix', async () => {
    const other = path.join(dir, 'shared.env');
    writeFileSync(other, 'X=1\n');
    await writeWithBackup(file, NEW, { now });
    await writeWithBackup(other, Buffer.from('X=2\n'), { now });
    expect((await listBackups(file)).length).toBe(1);
    expect((await listBackups(other)).length).toBe(1);
  });
});

describe('restoreBackup', () => {
  let clock = Date.UTC(2026, 6, 22, 12, 0, 0);
  const now = () => new Date((clock += 1000));

  it('puts the exact bytes back, after backing up the current file', async () => {
    const tricky = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('A=1\r\nB=2\n\x88\xea'),
      Buffer.from('C=3', 'latin1'),
    ]);
    writeFileSync(file, tricky);
    const first = await writeWithBackup(file, NEW, { now });
    const result = await restoreBackup(file, first.backup?.id as string, { now });
    expect(readFileSync(file)).toEqual(tricky);
    expect(result.restored.id).toBe(first.backup?.id);
    expect(readFileSync(result.backup?.path as string)).toEqual(NEW);
  });

  it('an unknown backup, or a name pointing elsewhere → ENV_BACKUP_NOT_FOUND', async () => {
    await writeWithBackup(file, NEW, { now });
    await expectAppError(restoreBackup(file, '.env.20990101T000000000Z-00.bak'), 'ENV_BACKUP_NOT_FOUND');
    mkdirSync(path.join(dir, 'x'));
    writeFileSync(path.join(dir, 'x', 'evil.bak'), 'EVIL=1\n');
    await expectAppError(restoreBackup(file, '../x/evil.bak'), 'ENV_BACKUP_NOT_FOUND');
    expect(readFileSync(file)).toEqual(NEW);
  });
});
