/**
 * streamContainerLogs against the real engine: following stdout and stderr in the engine's order,
 * tail and since, a TTY container, a line longer than the log driver's 16 KB messages, Japanese, a
 * container stopping (eof), an abort, a missing container and engine (error) —
 * and, on a private dockerd of its own, the engine restarting mid-stream and a stream resumed `since`
 * the last line continuing without a repeated or a missing line.
 */
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerConnectionOptions } from '../../../electron/docker/connection';
import {
  engineSince,
  streamContainerLogs,
  type ContainerLogEnd,
  type ContainerLogLine,
  type ContainerLogOptions,
} from '../../../electron/docker/container-log-stream';
import { readLogTail } from '../../../electron/docker/container-logs';
import { engineTimestampMs } from '../../../electron/docker/engine-timestamp';
import { LogSeam } from '../../../electron/docker/log-seam';
import { dockerEngineAvailable, privateDockerdAvailable, skipReason } from '../../helpers/docker-available';
import { PrivateDockerd } from '../../helpers/private-dockerd';
import { TEST_IMAGE } from '../../helpers/test-image';

const skip = skipReason('Docker engine', dockerEngineAvailable());
const skipPrivate =
  skip ?? skipReason('a private dockerd (dockerd on PATH, run as root)', privateDockerdAvailable());

const engine = new Docker(dockerConnectionOptions(process.platform, process.env));
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Prints "out N" and "err N" forever, N counting on across restarts (kept in /tmp/n); a TERM ends it between two pairs. */
const COUNTER = [
  'sh',
  '-c',
  'stop=; trap "stop=1" TERM; i=$(cat /tmp/n 2>/dev/null || echo 0); ' +
    'while [ -z "$stop" ]; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; echo $i > /tmp/n; sleep 0.05; done',
];

async function runContainer(
  cmd: string[],
  options: { tty?: boolean; restartAlways?: boolean; docker?: Docker } = {},
): Promise<Docker.Container> {
  const docker = options.docker ?? engine;
  const container = await docker.createContainer({
    Image: TEST_IMAGE,
    Cmd: cmd,
    Tty: options.tty ?? false,
    Labels: { 'dify-stack-test': 'container-stream' },
    HostConfig: {
      NetworkMode: 'none',
      ...(options.restartAlways ? { RestartPolicy: { Name: 'always' } } : {}),
    },
  });
  cleanups.push(() => container.remove({ force: true }));
  await container.start();
  return container;
}

/** A stream running in the background: its lines as they come, and how it ended. */
function follow(
  docker: Pick<Docker, 'getContainer'>,
  id: string,
  options: Omit<ContainerLogOptions, 'signal'>,
  filter: (lines: ContainerLogLine[]) => ContainerLogLine[] = (l) => l,
): { lines: ContainerLogLine[]; batches: number; end: Promise<ContainerLogEnd>; abort: () => void } {
  const controller = new AbortController();
  const state = {
    lines: [] as ContainerLogLine[],
    batches: 0,
    end: Promise.resolve<ContainerLogEnd>({ reason: 'eof' }),
    abort: () => controller.abort(),
  };
  state.end = streamContainerLogs(docker, id, { ...options, signal: controller.signal }, (batch) => {
    state.batches++;
    for (const line of filter(batch)) state.lines.push(line);
  });
  cleanups.push(async () => {
    controller.abort();
    await state.end;
  });
  return state;
}

/** Everything the container printed so far (no follow). */
async function readAll(docker: Pick<Docker, 'getContainer'>, id: string): Promise<ContainerLogLine[]> {
  const lines: ContainerLogLine[] = [];
  const end = await streamContainerLogs(docker, id, { follow: false }, (batch) => lines.push(...batch));
  expect(end).toEqual({ reason: 'eof' });
  return lines;
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const numbers = (lines: ContainerLogLine[], stream: 'out' | 'err'): number[] =>
  lines.filter((l) => l.stream === stream).map((l) => Number(l.text.split(' ')[1]));
const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const text = (l: ContainerLogLine) => `${l.stream} ${l.text}`;

describe.skipIf(skip)('container log streams on the real engine', () => {
  it('follows stdout and stderr in the engine’s order, with their timestamps, until aborted', async () => {
    const container = await runContainer(COUNTER);
    const stream = follow(engine, container.id, { follow: true });
    await until(() => numbers(stream.lines, 'out').length >= 20, '20 stdout lines');
    const outs = numbers(stream.lines, 'out');
    expect(outs).toEqual(oneTo(outs.length));
    expect(numbers(stream.lines, 'err')).toEqual(oneTo(numbers(stream.lines, 'err').length));
    for (const line of stream.lines) {
      expect(line.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(line.at).toBe(engineTimestampMs(line.ts));
    }
    // Live: the lines came in many batches, not at the end.
    expect(stream.batches).toBeGreaterThan(5);

    const t0 = Date.now();
    stream.abort();
    expect(await stream.end).toEqual({ reason: 'aborted' });
    expect(Date.now() - t0).toBeLessThan(1000);
    const seen = stream.lines.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.lines.length).toBe(seen);

    // What was followed is what the engine has, in the same order.
    const all = await readAll(engine, container.id);
    expect(stream.lines.map(text)).toEqual(all.slice(0, seen).map(text));
  });

  it('ends with eof when the container stops', async () => {
    const container = await runContainer(COUNTER);
    const stream = follow(engine, container.id, { follow: true });
    await until(() => stream.lines.length >= 4, 'the first lines');
    await container.kill();
    expect(await stream.end).toEqual({ reason: 'eof' });
  });

  it('reads the last N lines, and the lines since a timestamp (inclusive), then ends', async () => {
    const container = await runContainer([
      'sh',
      '-c',
      // The pause: stdout and stderr are logged by two goroutines; without it "last err" may be stored first.
      'i=0; while [ $i -lt 10 ]; do i=$((i+1)); echo "line $i"; done; sleep 0.3; echo "last err" >&2',
    ]);
    await container.wait();
    const tail = follow(engine, container.id, { follow: false, tail: 3 });
    expect(await tail.end).toEqual({ reason: 'eof' });
    expect(tail.lines.map(text)).toEqual(['out line 9', 'out line 10', 'err last err']);

    const all = await readAll(engine, container.id);
    expect(all).toHaveLength(11);
    const fifth = all[4] as ContainerLogLine;
    expect(fifth.text).toBe('line 5');
    const since = follow(engine, container.id, { follow: false, since: engineSince(fifth.ts) });
    expect(await since.end).toEqual({ reason: 'eof' });
    expect(since.lines).toEqual(all.slice(4));

    // A follow of a container that has exited ends after its backlog.
    const followed = follow(engine, container.id, { follow: true, tail: 1 });
    expect(await followed.end).toEqual({ reason: 'eof' });
    expect(followed.lines.map(text)).toEqual(['err last err']);
  });

  it('gives a failure its last lines as text (readLogTail), or nothing for a container that is gone', async () => {
    // A pause between the streams: the engine stores stdout and stderr through separate pipes, so two
    // lines printed at once on the two may be stored in either order.
    const container = await runContainer([
      'sh',
      '-c',
      'echo 一行目; sleep 0.3; echo two >&2; sleep 0.3; echo three',
    ]);
    await container.wait();
    expect(await readLogTail(engine, container.id, 2)).toBe('two\nthree');
    expect(await readLogTail(engine, 'dify-stack-no-such-container', 2)).toBe('');
  });

  it('reads a TTY container’s raw output as stdout lines', async () => {
    const container = await runContainer(
      ['sh', '-c', 'printf "日本語 \\033[31mred\\033[0m\\n"; echo "to stderr" >&2; printf "no end"'],
      { tty: true },
    );
    await container.wait();
    const lines = await readAll(engine, container.id);
    expect(lines.map(text)).toEqual(['out 日本語 \x1b[31mred\x1b[0m', 'out to stderr', 'out no end']);
    expect(lines.every((l) => l.at !== null && l.ts !== '')).toBe(true);
  });

  it('joins a 52 KB line of emoji that the log driver stored as 16 KB messages, and keeps Japanese whole', async () => {
    // The json-file driver cuts a long line every 16,384 bytes and stores each piece as a JSON string;
    // a character cut in two is already U+FFFD in its file (Go's JSON encoder; seen here on 20.10).
    // Four-byte emoji are cut between characters, so the whole line must come back as printed.
    const container = await runContainer([
      'busybox',
      'awk',
      'BEGIN { s = ""; for (i = 0; i < 13000; i++) s = s "🎉"; print s; print "日本語のエラー" > "/dev/stderr" }',
    ]);
    await container.wait();
    const lines = await readAll(engine, container.id);
    // Which stream's line is stored first is up to awk's buffering and the engine's goroutines.
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.stream === 'out')?.text).toBe('🎉'.repeat(13000));
    expect(lines.find((l) => l.stream === 'err')?.text).toBe('日本語のエラー');
  });

  it('ends with an error for a container that is not there, or an engine that does not answer', async () => {
    const missing = await streamContainerLogs(
      engine,
      'dify-stack-no-such-container',
      { follow: true },
      () => {
        throw new Error('no lines expected');
      },
    );
    expect(missing.reason).toBe('error');
    const nowhere = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const down = await streamContainerLogs(nowhere, 'x', { follow: true }, () => undefined);
    expect(down).toMatchObject({ reason: 'error', error: { code: 'ENOENT' } });
  });

  it('resolves aborted at once when aborted before it starts', async () => {
    const signal = AbortSignal.abort();
    expect(await streamContainerLogs(engine, 'x', { follow: true, signal }, () => undefined)).toEqual({
      reason: 'aborted',
    });
  });
});

describe.skipIf(skipPrivate)('a log stream across a dockerd restart (a private dockerd)', () => {
  it.each([
    ['stopped (SIGTERM)', 'SIGTERM', ['eof']],
    ['killed (SIGKILL)', 'SIGKILL', ['error']],
  ] as const)(
    'ends when the engine is %s, and a stream resumed since its last line continues without repeats or gaps',
    async (_, signal, reasons) => {
      const daemon = await PrivateDockerd.start();
      cleanups.push(() => daemon.dispose());
      const docker = daemon.docker();
      const container = await runContainer(COUNTER, { docker, restartAlways: true });

      const seam = new LogSeam();
      const before = follow(docker, container.id, { follow: true }, (lines) => {
        seam.note(lines);
        return lines;
      });
      await until(() => numbers(before.lines, 'out').length >= 10, 'lines before the restart');

      await daemon.restart(signal);
      // A stopping engine stops the container first, which ends the stream; a crash drops the socket.
      expect(reasons).toContain((await before.end).reason);
      const lastBefore = Math.max(...numbers(before.lines, 'out'));

      // The container comes back by its restart policy once the engine is up again; a follow of a
      // stopped container would end after the backlog.
      let running = false;
      await until(
        () => {
          void container.inspect().then(
            (info) => (running = info.State.Running),
            () => undefined,
          );
          return running;
        },
        'the container running again',
        30_000,
      );
      seam.resume();
      const after = follow(docker, container.id, { follow: true, since: seam.since() }, (lines) =>
        seam.fresh(lines),
      );
      // The container came back (restart: always) and counts on.
      await until(
        () => numbers(after.lines, 'out').some((n) => n >= lastBefore + 10),
        'lines after the restart',
        30_000,
      );
      after.abort();
      expect(await after.end).toEqual({ reason: 'aborted' });

      const joined = [...before.lines, ...after.lines];
      // Exactly what the engine has, in its order: nothing repeated at the seam, nothing missing.
      const all = await readAll(docker, container.id);
      expect(joined.map((l) => `${l.ts} ${text(l)}`)).toEqual(
        all.slice(0, joined.length).map((l) => `${l.ts} ${text(l)}`),
      );
      if (signal === 'SIGTERM') {
        // The container stopped between two pairs of lines, so its own count has no hole or repeat
        // either. (Killed, it may die between printing a number and saving it, and print it again.)
        const outs = numbers(joined, 'out');
        expect(outs).toEqual(oneTo(outs.length));
        expect(numbers(joined, 'err')).toEqual(oneTo(numbers(joined, 'err').length));
      }
    },
    90_000,
  );
});
