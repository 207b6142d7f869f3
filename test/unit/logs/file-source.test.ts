/**
 * A log file as a source (electron/logs/file-source.ts over core/file-follower.ts): the last N lines
 * read backwards, then following across truncation, Ollama's rotation by rename, absence; CRLF, UTF-8
 * split across reads, \r progress lines; `since`.
 */
import { appendFile, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogMark } from '../../../electron/logs/contract';
import { defaultRotatedNames, fileSource, lineTime } from '../../../electron/logs/file-source';
import type { OpenSourceOptions, RawLogLine } from '../../../electron/logs/source';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-file-source-');
const POLL_MS = 20;
const stops: (() => void)[] = [];

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Opens the source on `file` and records what it hands over. */
function open(file: string, options: Partial<OpenSourceOptions> = {}, now = () => 1_000) {
  const seen = {
    lines: [] as RawLogLine[],
    marks: [] as { mark: LogMark; detail: string }[],
    ended: null as null | { error?: unknown },
    texts: () => seen.lines.map((l) => l.text),
  };
  const stop = fileSource(file, { pollMs: POLL_MS, now })(
    { follow: true, ...options },
    {
      lines: (lines) => seen.lines.push(...lines),
      mark: (mark, detail) => seen.marks.push({ mark, detail }),
      end: (error) => (seen.ended = { error }),
    },
  );
  stops.push(stop);
  return { seen, stop };
}

const until = (check: () => void): Promise<void> => vi.waitFor(check, { timeout: 5_000, interval: 10 });

describe('fileSource: the backlog', () => {
  it('tail N: the last N lines, read backwards across several blocks; the line being written comes on top', async () => {
    const file = join(dir(), 'server.log');
    // ~200 KB: the backward read crosses three 64 KB blocks; CRLF and lone CR line ends mixed.
    const lines = Array.from({ length: 3_000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    await writeFile(
      file,
      lines.map((l, i) => `${l}${i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r'}`).join('') + 'partial',
    );
    const { seen } = open(file, { tail: 2_500, follow: false });
    await until(() => expect(seen.ended).not.toBeNull());
    expect(seen.texts()).toEqual([...lines.slice(-2_500), 'partial']);
    expect(seen.ended).toEqual({ error: undefined });
  });

  it('tail reads only the end: 512 MB before the last lines are never read', async () => {
    const file = join(dir(), 'huge.log');
    // A sparse file: 512 MB of NULs (no line end in them) and then three lines. Read whole, it would
    // be one 512 MB line; read backwards, three short lines at once.
    await writeFile(file, '');
    await truncate(file, 512 * 1024 * 1024);
    await appendFile(file, '\nx\ny\nz\n');
    const { seen } = open(file, { tail: 3, follow: false });
    await until(() => expect(seen.ended).not.toBeNull());
    expect(seen.texts()).toEqual(['x', 'y', 'z']);
  });

  it.each([
    [0, []],
    [1, ['c']],
    [3, ['a', 'b', 'c']],
    [10, ['a', 'b', 'c']],
  ])('tail %i of a file ending in a line end', async (tail, want) => {
    const file = join(dir(), `t${tail}.log`);
    await writeFile(file, 'a\r\nb\nc\n');
    const { seen } = open(file, { tail, follow: false });
    await until(() => expect(seen.ended).not.toBeNull());
    expect(seen.texts()).toEqual(want);
  });

  it('no tail: the whole file; every line stamped with the time it was read, on stdout', async () => {
    const file = join(dir(), 'all.log');
    await writeFile(file, 'one\ntwo\n');
    const { seen } = open(file, { follow: false }, () => 42);
    await until(() => expect(seen.ended).not.toBeNull());
    expect(seen.lines).toEqual([
      { stream: 'out', at: 42, text: 'one' },
      { stream: 'out', at: 42, text: 'two' },
    ]);
  });

  it('since: from the first line whose own timestamp is at or after it (slog, ISO, Go log)', async () => {
    const file = join(dir(), 'since.log');
    const base = Date.parse('2025-02-02T09:23:09.000Z');
    await writeFile(
      file,
      [
        'time=2025-02-02T09:23:08.000Z level=INFO source=images.go:432 msg="old"',
        'an undated line before',
        'time=2025-02-02T09:23:09.500Z level=INFO source=routes.go:1238 msg="Listening on 127.0.0.1:11434 (version 0.5.7)"',
        'an undated line after',
        '',
      ].join('\n'),
    );
    const { seen } = open(file, { since: base, follow: false });
    await until(() => expect(seen.ended).not.toBeNull());
    expect(seen.texts()).toEqual([
      'time=2025-02-02T09:23:09.500Z level=INFO source=routes.go:1238 msg="Listening on 127.0.0.1:11434 (version 0.5.7)"',
      'an undated line after',
    ]);
  });

  it('since, no line with a time: the whole backlog when the file changed since then, none when not', async () => {
    const file = join(dir(), 'undated.log');
    await writeFile(file, 'Loading weights\nModel loaded in 4.2s\n');
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(file, old, old);
    const before = open(file, { since: Date.parse('2019-12-31T00:00:00Z'), follow: false }).seen;
    const after = open(file, { since: Date.parse('2021-01-01T00:00:00Z'), follow: false }).seen;
    await until(() => expect(before.ended && after.ended).toBeTruthy());
    expect(before.texts()).toEqual(['Loading weights', 'Model loaded in 4.2s']);
    expect(after.texts()).toEqual([]);
  });

  it('lineTime reads the formats at the start of a line, nothing inside it', () => {
    expect(lineTime('time=2025-02-02T09:23:09.826+08:00 level=INFO msg=x')).toBe(
      Date.parse('2025-02-02T01:23:09.826Z'),
    );
    expect(lineTime('2025-01-08 10:43:17,784.784 ERROR [Dummy-3] x')).toBe(
      Date.parse('2025-01-08T10:43:17.784'),
    );
    expect(lineTime('[2025-01-08 10:43:17 +0000] [1] [INFO] x')).toBe(Date.parse('2025-01-08T10:43:17Z'));
    expect(lineTime('2025/02/02 09:23:09 routes.go:1187: INFO x')).toBe(
      new Date(2025, 1, 2, 9, 23, 9).getTime(),
    );
    expect(lineTime('Loading weights at 2025-01-08 10:43:17')).toBeNull();
    expect(lineTime('2025-13-45 99:99:99 nonsense')).toBeNull();
  });
});

describe('fileSource: following', () => {
  it('new lines as they are written: CRLF, a lone \\r of a progress bar, UTF-8 split across writes', async () => {
    const file = join(dir(), 'follow.log');
    await writeFile(file, '');
    const { seen } = open(file);
    const text = Buffer.from('モデル読み込み ✓ 🎉\r\n', 'utf8');
    await appendFile(file, text.subarray(0, 5));
    await new Promise((r) => setTimeout(r, POLL_MS * 3));
    await appendFile(file, Buffer.concat([text.subarray(5), Buffer.from(' 10%\r 50%\r100%\r\nnext\n')]));
    await until(() => expect(seen.texts()).toEqual(['モデル読み込み ✓ 🎉', ' 10%', ' 50%', '100%', 'next']));
    expect(seen.marks).toEqual([]);
  });

  it('truncation: read again from the start, marked rotated', async () => {
    const file = join(dir(), 'trunc.log');
    await writeFile(file, 'before one\nbefore two\n');
    const { seen } = open(file);
    await until(() => expect(seen.texts()).toHaveLength(2));
    await truncate(file, 0);
    await appendFile(file, 'after\n');
    await until(() => expect(seen.texts()).toEqual(['before one', 'before two', 'after']));
    expect(seen.marks).toEqual([{ mark: 'rotated', detail: file }]);
  });

  it("Ollama's rotation by rename: the old file's last lines from server-1.log, then the new server.log from 0", async () => {
    const file = join(dir(), 'server.log');
    await writeFile(file, 'first run\n');
    const { seen } = open(file, { tail: 10 });
    await until(() => expect(seen.texts()).toEqual(['first run']));
    seen.lines.length = 0;
    // Written after the source's last look, then the app restarts: server.log → server-1.log, a new server.log.
    await appendFile(file, 'last words of the first run\n');
    await rename(file, join(dir(), 'server-1.log'));
    await writeFile(file, 'second run starts\n');
    await until(() => expect(seen.texts()).toEqual(['last words of the first run', 'second run starts']));
    expect(seen.marks.map((m) => m.mark)).toContain('rotated');
    expect(defaultRotatedNames(file)).toEqual([join(dir(), 'server-1.log'), `${file}.1`]);
  });

  it('a missing file: waiting, then read whole when it appears (not only its tail)', async () => {
    const file = join(dir(), 'later', 'server.log');
    const { seen } = open(file, { tail: 1 });
    await until(() => expect(seen.marks).toEqual([{ mark: 'waiting', detail: file }]));
    await rm(join(dir(), 'later'), { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir(), 'later'));
    await writeFile(file, 'a\nb\nc\n');
    await until(() => expect(seen.texts()).toEqual(['a', 'b', 'c']));
  });

  it('gone for a while and back: waiting, then rotated, and nothing repeated', async () => {
    const file = join(dir(), 'flaky.log');
    await writeFile(file, 'one\n');
    const { seen } = open(file);
    await until(() => expect(seen.texts()).toEqual(['one']));
    await rm(file);
    await until(() => expect(seen.marks.map((m) => m.mark)).toEqual(['waiting']));
    await writeFile(file, 'two\n');
    await until(() => expect(seen.texts()).toEqual(['one', 'two']));
    expect(seen.marks.map((m) => m.mark)).toEqual(['waiting', 'rotated']);
  });

  it('stop: nothing more is handed over', async () => {
    const file = join(dir(), 'stop.log');
    await writeFile(file, 'a\n');
    const { seen, stop } = open(file);
    await until(() => expect(seen.texts()).toEqual(['a']));
    stop();
    await appendFile(file, 'b\n');
    await new Promise((r) => setTimeout(r, POLL_MS * 5));
    expect(seen.texts()).toEqual(['a']);
    expect(seen.ended).toBeNull();
  });

  it('not following a file that cannot be read: ends with the error', async () => {
    const { seen } = open(dir(), { follow: false }); // a folder: EISDIR on read
    await until(() => expect(seen.ended).not.toBeNull());
    expect((seen.ended?.error as NodeJS.ErrnoException | undefined)?.code).toBe('EISDIR');
  });
});
