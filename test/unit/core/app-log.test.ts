/** The app's own log (core/app-log.ts): redacted lines, size rotation, a bounded total, shared appends. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppLog, MAX_LINE_CHARS, formatLine } from '../../../electron/core/app-log';
import { useTempDir } from '../../helpers/use-temp-dir';

const AT = new Date('2026-12-03T16:30:00.000Z');

async function readAll(log: AppLog): Promise<string> {
  const texts = await Promise.all((await log.files()).map((f) => fs.readFile(f, 'utf8')));
  return texts.join('');
}

describe('formatLine', () => {
  it('writes time, level, pid, event and fields on one line', () => {
    expect(
      formatLine(AT, 'info', 'job.started', { kind: 'stack:start', id: 'a1', n: 3, skip: undefined }, 42),
    ).toBe('2026-12-03T16:30:00.000Z INFO  [42] job.started kind=stack:start id=a1 n=3\n');
  });

  it('quotes values with spaces or quotes and keeps a multi-line message on one line', () => {
    const line = formatLine(AT, 'error', 'job.failed', { message: 'compose failed:\nexit 1 "x"' });
    expect(line).toBe(
      '2026-12-03T16:30:00.000Z ERROR job.failed message="compose failed:\\nexit 1 \\"x\\""\n',
    );
    expect(line.split('\n')).toHaveLength(2);
  });

  it('redacts secrets in values, in escaped JSON and under secret names', () => {
    const line = formatLine(AT, 'error', 'ipc.error', {
      detail: '{"email":"a@b.c","password":"UHc5LXNlY3JldA=="}',
      header: 'Cookie: access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlMTIz',
      password: 'hunter22',
      url: 'http://admin:pw123456@localhost/console/api',
    });
    for (const secret of ['UHc5LXNlY3JldA==', 'eyJhbGciOiJIUzI1NiJ9', 'hunter22', 'pw123456'])
      expect(line).not.toContain(secret);
    expect(line).toContain('a@b.c');
    expect(line).toContain('password=[REDACTED]');
  });

  it('cuts a very long line', () => {
    const line = formatLine(AT, 'info', 'x', { text: 'y'.repeat(MAX_LINE_CHARS * 2) });
    expect(line.length).toBeLessThanOrEqual(MAX_LINE_CHARS + 2);
  });
});

describe('AppLog', () => {
  const dir = useTempDir('dst-app-log-');

  it('creates its folder and appends redacted lines', async () => {
    const log = new AppLog({ file: join(dir(), 'logs', 'app.log'), now: () => AT });
    log.info('settings.changed', { keys: 'difyUrl,language' });
    log.warn('login', { body: 'password=Abcd1234&email=x@y.z' });
    await log.flush();
    const text = await fs.readFile(log.file, 'utf8');
    expect(text.trimEnd().split('\n')).toEqual([
      '2026-12-03T16:30:00.000Z INFO  settings.changed keys=difyUrl,language',
      '2026-12-03T16:30:00.000Z WARN  login body="password=[REDACTED]&email=x@y.z"',
    ]);
    if (process.platform !== 'win32') expect((await fs.stat(log.file)).mode & 0o077).toBe(0);
  });

  it('rotates by size and keeps at most maxFiles generations (the total stays bounded)', async () => {
    const maxBytes = 2000;
    const maxFiles = 3;
    const log = new AppLog({ file: join(dir(), 'app.log'), maxBytes, maxFiles, now: () => AT });
    for (let i = 0; i < 400; i++) {
      log.info('tick', { i: String(i).padStart(4, '0') });
      if (i % 7 === 0) await log.flush();
    }
    await log.flush();
    const files = await log.files();
    expect(files.map((f) => f.slice(dir().length + 1))).toEqual([
      'app.3.log',
      'app.2.log',
      'app.1.log',
      'app.log',
    ]);
    for (const f of files) expect((await fs.stat(f)).size).toBeLessThanOrEqual(maxBytes);
    expect((await fs.readdir(dir())).sort()).toEqual(['app.1.log', 'app.2.log', 'app.3.log', 'app.log']);
    // The newest lines survive, in order, ending with the last one.
    const lines = (await readAll(log)).trimEnd().split('\n');
    const numbers = lines.map((l) => Number(/i=(\d+)/.exec(l)?.[1]));
    expect(numbers.at(-1)).toBe(399);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.length).toBeLessThan(400);
  });

  it('two writers (two CLI runs) on one file lose and mix no line, rotating as they go', async () => {
    const file = join(dir(), 'cli.log');
    const a = new AppLog({ file, maxBytes: 4000, maxFiles: 50, pid: 1111 });
    const b = new AppLog({ file, maxBytes: 4000, maxFiles: 50, pid: 2222 });
    for (let i = 0; i < 300; i++) {
      a.info('run', { i });
      b.info('run', { i });
      if (i % 10 === 0) await Promise.all([a.flush(), b.flush()]);
    }
    await Promise.all([a.flush(), b.flush()]);
    const lines = (await readAll(a)).trimEnd().split('\n');
    expect(lines).toHaveLength(600);
    for (const pid of [1111, 2222]) {
      const mine = lines.filter((l) => l.includes(`[${pid}] run i=`));
      expect(mine).toHaveLength(300);
      expect(mine.every((l) => /^\S+ INFO {2}\[\d+\] run i=\d+$/.test(l))).toBe(true);
    }
    expect((await a.files()).length).toBeGreaterThan(3);
  });

  it('never throws when the folder cannot be written, and says why', async () => {
    const blocker = join(dir(), 'not-a-folder');
    await fs.writeFile(blocker, 'x');
    const log = new AppLog({ file: join(blocker, 'app.log') });
    log.error('x');
    await expect(log.flush()).resolves.toBeUndefined();
    expect(log.lastError).toMatch(/EEXIST|ENOTDIR/);
  });
});
