/** A supervised program's log file: rotation at start, the child's descriptor, the follower (processes/process-log.ts). */
import { closeSync, writeSync } from 'node:fs';
import { appendFile, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LogFollower, openChildLog, rotateLog } from '../../../electron/processes/process-log';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-log-');
const logFile = () => join(dir(), 'logs', 'ollama.log');

async function follow(text: string | Buffer, opts: ConstructorParameters<typeof LogFollower>[1] = {}) {
  const file = join(dir(), 'f.log');
  await writeFile(file, text);
  const follower = new LogFollower(file, { fromStart: true, ...opts });
  await follower.poll();
  return { file, follower };
}

describe('rotateLog', () => {
  it('no file yet: nothing happens', async () => {
    await expect(rotateLog(join(dir(), 'none.log'))).resolves.toBeUndefined();
  });

  it('file → file.1 → … → file.<keep>, the oldest dropped', async () => {
    const file = join(dir(), 'a.log');
    for (const [name, text] of [
      ['a.log', 'now'],
      ['a.log.1', 'one'],
      ['a.log.2', 'two'],
      ['a.log.3', 'three'],
    ]) {
      await writeFile(join(dir(), name!), text!);
    }
    await rotateLog(file, 3);
    const read = (n: string) => readFile(join(dir(), n), 'utf8').catch(() => null);
    expect([
      await read('a.log'),
      await read('a.log.1'),
      await read('a.log.2'),
      await read('a.log.3'),
    ]).toEqual([null, 'now', 'one', 'two']);
    expect(await read('a.log.4')).toBeNull();
  });

  it('gaps in the numbering are fine', async () => {
    const file = join(dir(), 'b.log');
    await writeFile(file, 'now');
    await writeFile(`${file}.2`, 'two');
    await rotateLog(file);
    expect(await readFile(`${file}.1`, 'utf8')).toBe('now');
    expect(await readFile(`${file}.3`, 'utf8')).toBe('two');
  });
});

describe('openChildLog', () => {
  it('creates the folder (0700) and the file (0600), appends to what is there', async () => {
    const file = logFile();
    const fd1 = await openChildLog(file);
    writeSync(fd1, 'first\n');
    closeSync(fd1);
    const fd2 = await openChildLog(file);
    writeSync(fd2, 'second\n');
    closeSync(fd2);
    expect(await readFile(file, 'utf8')).toBe('first\nsecond\n');
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir(), 'logs'))).mode & 0o777).toBe(0o700);
    }
  });
});

describe('LogFollower: lines', () => {
  it('splits on \\n, \\r\\n and a lone \\r (progress bars); a line without an end waits for flush', async () => {
    const { follower } = await follow('a\nb\r\n 10%\r 50%\r100%\r\nlast');
    expect(follower.lines()).toEqual(['a', 'b', ' 10%', ' 50%', '100%']);
    follower.flush();
    expect(follower.lines()).toEqual(['a', 'b', ' 10%', ' 50%', '100%', 'last']);
  });

  it('a \\r\\n split across two reads is one line end', async () => {
    const { file, follower } = await follow('one\r');
    expect(follower.lines()).toEqual(['one']);
    await appendFile(file, '\ntwo\n');
    await follower.poll();
    expect(follower.lines()).toEqual(['one', 'two']);
  });

  it('a multi-byte UTF-8 text split at every byte offset reads whole', async () => {
    const text = 'モデル読み込み ✓ 🎉 done — 完了';
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const file = join(dir(), `split-${cut}.log`);
      await writeFile(file, bytes.subarray(0, cut));
      const follower = new LogFollower(file, { fromStart: true });
      await follower.poll();
      await appendFile(file, bytes.subarray(cut));
      await follower.poll();
      expect(follower.lines(), `cut at byte ${cut}`).toEqual([text]);
    }
  });

  it('keeps the last maxLines lines, and tells each new line to its listeners', async () => {
    const { file, follower } = await follow('', { maxLines: 3 });
    const heard: string[] = [];
    const off = follower.onLine((l) => heard.push(l));
    await appendFile(file, Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    await follower.poll();
    expect(follower.lines()).toEqual(['line 7', 'line 8', 'line 9']);
    expect(heard).toHaveLength(10);
    off();
    await appendFile(file, 'unheard\n');
    await follower.poll();
    expect(heard).toHaveLength(10);
    expect(follower.received()).toBe((await stat(file)).size);
  });

  it('fromStart false: the end of a long log only, without the cut first line', async () => {
    const file = join(dir(), 'long.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line number ${i} of a long log`);
    await writeFile(file, lines.join('\n') + '\n');
    const tail = new LogFollower(file);
    await tail.poll();
    const got = tail.lines();
    expect(got.at(-1)).toBe('line number 4999 of a long log');
    expect(got.length).toBeLessThan(5000);
    expect(got.length).toBeGreaterThan(100);
    const whole = new Set(lines);
    expect(got.filter((l) => !whole.has(l))).toEqual([]); // every line whole
    const all = new LogFollower(file, { fromStart: true, maxLines: 10_000 });
    await all.poll();
    expect(all.lines()).toEqual(lines);
  });

  it('fromStart false, the cut falling on a line start: that line is kept', async () => {
    const file = join(dir(), 'aligned.log');
    // 64-byte lines: the last 64 KB start exactly at a line.
    const lines = Array.from({ length: 2000 }, (_, i) =>
      `aligned ${String(i).padStart(4, '0')} `.padEnd(63, '-'),
    );
    await writeFile(file, lines.map((l) => `${l}\n`).join(''));
    const tail = new LogFollower(file, { maxLines: 5000 });
    await tail.poll();
    expect(tail.lines()).toEqual(lines.slice(-1024));
  });

  it('start() polls by itself until stop()', async () => {
    const { file, follower } = await follow('');
    follower.start();
    try {
      await appendFile(file, 'later\n');
      await vi.waitFor(() => expect(follower.lines()).toEqual(['later']), { timeout: 5_000, interval: 20 });
    } finally {
      follower.stop();
    }
  });
});

describe('LogFollower: the file changes under it', () => {
  it('truncation: reads the new content from its start', async () => {
    const { file, follower } = await follow('old one\nold two\n');
    await truncate(file, 0);
    await appendFile(file, 'new\n');
    await follower.poll();
    expect(follower.lines()).toEqual(['old one', 'old two', 'new']);
  });

  it('truncation followed by more bytes than were there before the next look', async () => {
    const { file, follower } = await follow('short\n');
    await truncate(file, 0);
    await appendFile(file, 'a much longer first line after the truncation\nsecond\n');
    await follower.poll();
    expect(follower.lines()).toEqual(['short', 'a much longer first line after the truncation', 'second']);
  });

  it('replacement (another file at the path): read from its start', async () => {
    const { file, follower } = await follow('first file\n');
    await rename(file, `${file}.1`);
    await writeFile(`${file}.new`, 'second file, longer than the first one\n');
    await rename(`${file}.new`, file);
    await follower.poll();
    expect(follower.lines()).toEqual(['first file', 'second file, longer than the first one']);
  });

  it('a file not there yet, or gone for a while, is read whole when it appears', async () => {
    const file = join(dir(), 'later.log');
    const follower = new LogFollower(file); // not fromStart: yet nothing may be skipped
    await follower.poll();
    await writeFile(file, 'x'.repeat(70_000) + '\nend\n');
    await follower.poll();
    expect(follower.lines()).toEqual(['x'.repeat(70_000), 'end']);
  });

  it('copy-truncates past maxBytes; a child writing O_APPEND keeps writing at the new end', async () => {
    const file = logFile();
    const fd = await openChildLog(file); // as the child holds it
    try {
      const follower = new LogFollower(file, { fromStart: true, maxBytes: 1_000, keep: 2 });
      const batch = (tag: string) =>
        Array.from({ length: 30 }, (_, i) => `${tag} ${i} ${'.'.repeat(40)}\n`).join('');
      writeSync(fd, batch('first'));
      await follower.poll();
      expect((await stat(file)).size).toBe(0);
      expect(await readFile(`${file}.1`, 'utf8')).toBe(batch('first'));
      expect(follower.lines()).toHaveLength(30);

      writeSync(fd, 'after the truncation\n');
      expect(await readFile(file, 'utf8')).toBe('after the truncation\n'); // no hole of NULs
      await follower.poll();
      expect(follower.lines().at(-1)).toBe('after the truncation');

      writeSync(fd, batch('second'));
      await follower.poll();
      writeSync(fd, batch('third'));
      await follower.poll();
      expect(await readFile(`${file}.1`, 'utf8')).toBe(batch('third'));
      expect(await readFile(`${file}.2`, 'utf8')).toBe('after the truncation\n' + batch('second'));
      await expect(stat(`${file}.3`)).rejects.toThrow(); // keep: 2
      expect(follower.lines().filter((l) => l.startsWith('third'))).toHaveLength(30);
    } finally {
      closeSync(fd);
    }
  });

  it('bytes written between two looks are read once, in order, across a copy-truncate', async () => {
    const file = logFile();
    const fd = await openChildLog(file);
    try {
      const follower = new LogFollower(file, { fromStart: true, maxBytes: 200 });
      const want: string[] = [];
      for (let i = 0; i < 60; i++) {
        const line = `entry ${i} ${'#'.repeat(i % 13)}`;
        want.push(line);
        writeSync(fd, `${line}\n`);
        if (i % 7 === 0) await follower.poll();
      }
      await follower.poll();
      expect(follower.lines()).toEqual(want);
    } finally {
      closeSync(fd);
    }
  });
});
