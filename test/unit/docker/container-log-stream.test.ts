/**
 * streamContainerLogs over a stand-in for the engine's response (a PassThrough given to docker-modem's
 * dial callback): what the real engine cannot be made to do on demand — an error frame, a socket
 * dropped after half a line, a callback that throws — and the request it sends.
 */
import type Docker from 'dockerode';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamContainerLogs, type ContainerLogLine } from '../../../electron/docker/container-log-stream';
import { logFrame } from '../../helpers/log-frame';

const TS = '2026-12-03T06:45:05.472780960Z';

const frame = logFrame;

interface Dialled {
  path: string;
  options: Record<string, unknown>;
}

/** An engine whose container answers inspect with `tty` and whose logs response is `response`. */
function fakeEngine(
  response: PassThrough,
  tty = false,
): { docker: Pick<Docker, 'getContainer'>; dialled: Dialled[] } {
  const dialled: Dialled[] = [];
  const container = {
    id: 'abc123',
    inspect: async () => ({ Config: { Tty: tty } }),
    modem: {
      dial(options: Dialled, callback: (error: unknown, response: IncomingMessage | null) => void) {
        dialled.push({ path: options.path, options: { ...options.options } });
        setImmediate(() => callback(null, response as unknown as IncomingMessage));
      },
    },
  };
  return { docker: { getContainer: () => container as unknown as Docker.Container }, dialled };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

const texts = (lines: ContainerLogLine[]) => lines.map((l) => `${l.stream} ${l.text}`);

describe('streamContainerLogs', () => {
  it('asks for both streams with timestamps, and for follow, tail and since as given', async () => {
    const response = new PassThrough();
    const { docker, dialled } = fakeEngine(response);
    const done = streamContainerLogs(
      docker,
      'abc123',
      { follow: true, tail: 50, since: '1796280305.5' },
      () => {},
    );
    await new Promise((r) => setImmediate(r));
    response.end();
    expect(await done).toEqual({ reason: 'eof' });
    expect(dialled).toEqual([
      {
        path: '/containers/abc123/logs?',
        options: {
          stdout: true,
          stderr: true,
          timestamps: true,
          follow: true,
          tail: 50,
          since: '1796280305.5',
        },
      },
    ]);
  });

  it('hands over the unfinished last line at the end of the stream', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response);
    const lines: ContainerLogLine[] = [];
    const done = streamContainerLogs(docker, 'abc123', { follow: false }, (b) => lines.push(...b));
    response.end(Buffer.concat([frame(1, `${TS} one\n`), frame(2, `${TS} half`)]));
    expect(await done).toEqual({ reason: 'eof' });
    expect(texts(lines)).toEqual(['out one', 'err half']);
  });

  it('ends with an error, without the unfinished line, when the socket goes mid-stream', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response);
    const lines: ContainerLogLine[] = [];
    const done = streamContainerLogs(docker, 'abc123', { follow: true }, (b) => lines.push(...b));
    response.write(Buffer.concat([frame(1, `${TS} whole\n`), frame(1, `${TS} half`)]));
    await until(() => lines.length > 0);
    response.destroy();
    expect((await done).reason).toBe('error');
    expect(texts(lines)).toEqual(['out whole']);
  });

  it('reports the engine’s error frame as an error', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response);
    const done = streamContainerLogs(docker, 'abc123', { follow: false }, () => {});
    response.end(Buffer.concat([frame(1, `${TS} before\n`), frame(3, 'failed to read log file')]));
    const end = await done;
    expect(end.reason).toBe('error');
    expect(String((end as { error: unknown }).error)).toContain('failed to read log file');
  });

  it('stops at an abort: resolves aborted, hands over nothing more, closes the response', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response);
    const controller = new AbortController();
    const lines: ContainerLogLine[] = [];
    const done = streamContainerLogs(docker, 'abc123', { follow: true, signal: controller.signal }, (b) => {
      lines.push(...b);
      controller.abort();
    });
    response.write(frame(1, `${TS} first\n`));
    await until(() => lines.length > 0);
    response.write(frame(1, `${TS} after the abort\n`));
    expect(await done).toEqual({ reason: 'aborted' });
    expect(texts(lines)).toEqual(['out first']);
    expect(response.destroyed).toBe(true);
  });

  it('ends with the error a callback throws, and stops reading', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response);
    const boom = new Error('ring full');
    const done = streamContainerLogs(docker, 'abc123', { follow: true }, () => {
      throw boom;
    });
    response.write(frame(1, `${TS} line\n`));
    expect(await done).toEqual({ reason: 'error', error: boom });
    expect(response.destroyed).toBe(true);
  });

  it('reads a TTY container’s response as raw text', async () => {
    const response = new PassThrough();
    const { docker } = fakeEngine(response, true);
    const lines: ContainerLogLine[] = [];
    const done = streamContainerLogs(docker, 'abc123', { follow: false }, (b) => lines.push(...b));
    response.end(`${TS} 日本語\r\n`);
    expect(await done).toEqual({ reason: 'eof' });
    expect(lines).toEqual([
      { stream: 'out', ts: TS, at: Date.UTC(2026, 11, 3, 6, 45, 5, 472), text: '日本語' },
    ]);
  });
});
