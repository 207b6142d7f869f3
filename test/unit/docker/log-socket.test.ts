/**
 * The log request written by hand (log-socket.ts): the chunked body undone across any cut, and the
 * request against a stand-in engine on a unix socket in a temp folder — what it sends, an error status,
 * an answer it does not expect (the caller falls back), abort, and streamContainerLogs over it telling
 * a finished stream from a connection dropped before the last chunk.
 */
import type Docker from 'dockerode';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { streamContainerLogs, type ContainerLogLine } from '../../../electron/docker/container-log-stream';
import {
  ChunkedBody,
  openLogRequest,
  UnexpectedAnswer,
  unixSocketPath,
} from '../../../electron/docker/log-socket';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';
import { logFrame } from '../../helpers/log-frame';

const TS = '2026-12-03T06:45:05.472780960Z';

const frame = logFrame;

function chunk(data: Buffer, extension = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`${data.length.toString(16)}${extension}\r\n`),
    data,
    Buffer.from('\r\n'),
  ]);
}

/** Undoes `bytes` fed in pieces cut at `cuts`; the body and whether it was complete. */
function undo(bytes: Buffer, cuts: number[]): { body: Buffer; done: boolean } {
  const decoder = new ChunkedBody();
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    decoder.feed(bytes.subarray(from, to), (buf, start, end) =>
      pieces.push(Buffer.from(buf.subarray(start, end))),
    );
    from = to;
  }
  return { body: Buffer.concat(pieces), done: decoder.done };
}

describe('ChunkedBody', () => {
  const body = Buffer.from('the first line\nsecond, ünïcödé\n' + 'x'.repeat(300));
  const encoded = Buffer.concat([
    chunk(body.subarray(0, 15)),
    chunk(body.subarray(15, 40), ';name=value'),
    chunk(body.subarray(40)),
    Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'),
  ]);

  it('gives the same body and its end however the bytes are cut', () => {
    expect(undo(encoded, [])).toEqual({ body, done: true });
    for (let cut = 1; cut < encoded.length; cut++) expect(undo(encoded, [cut])).toEqual({ body, done: true });
    const everyByte = Array.from({ length: encoded.length - 1 }, (_, i) => i + 1);
    expect(undo(encoded, everyByte)).toEqual({ body, done: true });
  });

  it('is not done before the last chunk and its empty line', () => {
    const last = encoded.length - 2;
    expect(undo(encoded.subarray(0, last), []).done).toBe(false);
    expect(undo(Buffer.concat([chunk(body), Buffer.from('0\r\n')]), []).done).toBe(false);
    expect(undo(Buffer.concat([chunk(body), Buffer.from('0\r\n\r\n')]), []).done).toBe(true);
  });

  it('throws on bytes that are not a chunked body', () => {
    expect(() => undo(Buffer.from('zz\r\n'), [])).toThrow(/without its size/);
    expect(() => undo(Buffer.from('3\r\nabcd\r\n'), [])).toThrow(/longer than its size/);
    expect(() => undo(Buffer.from('123456789\r\n'), [])).toThrow(/too long/);
  });
});

describe('unixSocketPath', () => {
  it.each([
    [{ socketPath: '/var/run/docker.sock' }, '/var/run/docker.sock'],
    [{ socketPath: '//./pipe/docker_engine' }, null],
    [{ socketPath: '\\\\.\\pipe\\docker_engine' }, null],
    [{ host: '127.0.0.1', port: 2375 }, null],
    [{}, null],
  ])('%j → %s', (modem, expected) => expect(unixSocketPath(modem)).toBe(expected));
});

describe('a log request over a unix socket', () => {
  let dir: string | undefined;
  let server: net.Server | undefined;
  const requests: string[] = [];

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    requests.length = 0;
    await removeTempDir(dir);
    dir = undefined;
  });

  /** A stand-in engine: answers each connection's request with what `answer` writes. */
  async function engine(answer: (socket: net.Socket) => void): Promise<string> {
    dir = await createTempDir('log-socket-');
    const socketPath = path.join(dir, 'docker.sock');
    server = net.createServer((socket) => {
      let head = '';
      socket.on('data', (data: Buffer) => {
        head += data.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        requests.push(head);
        answer(socket);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
    return socketPath;
  }

  const okHead =
    'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

  function fakeDocker(socketPath: string): Pick<Docker, 'getContainer'> {
    const container = {
      id: 'abc123',
      inspect: async () => ({ Config: { Tty: false } }),
      modem: {
        socketPath,
        dial: () => {
          throw new Error('docker-modem should not be used');
        },
      },
    };
    return { getContainer: () => container as unknown as Docker.Container };
  }

  it('sends an HTTP/1.1 GET that asks to close, and resolves at the body', async () => {
    const socketPath = await engine((s) =>
      s.end(`${okHead}${chunk(Buffer.from('hello')).toString()}0\r\n\r\n`),
    );
    const socket = await openLogRequest(
      socketPath,
      '/containers/abc/logs?stdout=true',
      {},
      new AbortController().signal,
    );
    const rest: Buffer[] = [];
    for await (const data of socket) rest.push(data as Buffer);
    expect(Buffer.concat(rest).toString()).toBe('5\r\nhello\r\n0\r\n\r\n');
    expect(requests[0]).toMatch(/^GET \/containers\/abc\/logs\?stdout=true HTTP\/1\.1\r\n/);
    expect(requests[0]).toMatch(/\r\nConnection: close\r\n/);
  });

  it('rejects an error status as docker-modem does, with the engine’s message', async () => {
    const body = JSON.stringify({ message: 'No such container: abc' });
    const socketPath = await engine((s) =>
      s.end(
        `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    const error = await openLogRequest(
      socketPath,
      '/x',
      { 404: 'no such container' },
      new AbortController().signal,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      message: '(HTTP code 404) no such container - No such container: abc ',
      statusCode: 404,
      reason: 'no such container',
      json: { message: 'No such container: abc' },
    });
  });

  it('says when the answer is not a chunked body (the caller then uses docker-modem)', async () => {
    const socketPath = await engine((s) => s.end('HTTP/1.0 200 OK\r\n\r\nraw bytes'));
    await expect(openLogRequest(socketPath, '/x', {}, new AbortController().signal)).rejects.toBeInstanceOf(
      UnexpectedAnswer,
    );
  });

  it('rejects with the abort reason and closes the connection when aborted before the answer', async () => {
    let closed = false;
    const socketPath = await engine((s) => s.on('close', () => (closed = true)));
    const controller = new AbortController();
    const opened = openLogRequest(socketPath, '/x', {}, controller.signal);
    while (requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('stop'));
    await expect(opened).rejects.toThrow('stop');
    while (!closed) await new Promise((r) => setTimeout(r, 5));
  });

  it('streams lines through streamContainerLogs to eof after the last chunk', async () => {
    const stream = Buffer.concat([frame(1, `${TS} one\n`), frame(2, `${TS} two\n`), frame(1, `${TS} three`)]);
    const socketPath = await engine((s) => {
      s.write(okHead);
      // Cut inside a frame header and inside a chunk's size line.
      const body = Buffer.concat([
        chunk(stream.subarray(0, 11)),
        chunk(stream.subarray(11)),
        Buffer.from('0\r\n\r\n'),
      ]);
      s.write(body.subarray(0, 20));
      setTimeout(() => s.end(body.subarray(20)), 10);
    });
    const lines: ContainerLogLine[] = [];
    const end = await streamContainerLogs(fakeDocker(socketPath), 'abc123', { follow: false }, (batch) =>
      lines.push(...batch),
    );
    expect(end).toEqual({ reason: 'eof' });
    expect(lines.map((l) => `${l.stream} ${l.text} ${l.ts}`)).toEqual([
      `out one ${TS}`,
      `err two ${TS}`,
      `out three ${TS}`,
    ]);
  });

  it('ends with an error when the connection closes before the last chunk (the engine died)', async () => {
    const socketPath = await engine((s) =>
      s.end(`${okHead}${chunk(frame(1, `${TS} one\n`)).toString('latin1')}`),
    );
    const lines: ContainerLogLine[] = [];
    const end = await streamContainerLogs(fakeDocker(socketPath), 'abc123', { follow: true }, (batch) =>
      lines.push(...batch),
    );
    expect(end.reason).toBe('error');
    expect(lines.map((l) => l.text)).toEqual(['one']);
  });

  it('ends with an error on bytes that are not a chunked body', async () => {
    const socketPath = await engine((s) => s.end(`${okHead}not-hex\r\n`));
    const end = await streamContainerLogs(
      fakeDocker(socketPath),
      'abc123',
      { follow: false },
      () => undefined,
    );
    expect(end).toMatchObject({
      reason: 'error',
      error: { message: expect.stringMatching(/without its size/) },
    });
  });
});
