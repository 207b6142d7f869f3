/**
 * A container's log stream asked for over the engine's unix socket by a request written by hand, its
 * chunked body undone here, instead of through docker-modem (Node's HTTP client).
 *
 * Why: the engine flushes every log message as its own write, which HTTP/1.1 sends as its own chunk of
 * a chunked body — for a million lines, a million chunks, each parsed by Node's HTTP parser and pushed
 * through the response stream as its own Buffer. Measured on 1,000,000 lines (133 MB): ~2.3 s of CPU to
 * only read the body through Node's client, ~1.1–1.6 s for the same bytes straight off the socket.
 * Here a socket read (many chunks) goes to the demultiplexer as ranges of the one Buffer read.
 *
 * Still HTTP/1.1 and chunked, not HTTP/1.0 (to which the engine answers with the bare stream up to the
 * connection's close): the last, empty chunk is what tells the stream's end from an engine that died
 * mid-stream, which a stream resumed later must know.
 *
 * Only for unix sockets (Linux, macOS, a unix:// DOCKER_HOST). A Windows named pipe reaches Docker
 * Desktop's own proxy, which is not verified here; TCP engines may sit behind other proxies. Those keep
 * docker-modem. An answer this code does not expect (not chunked, a header too long) makes the caller
 * fall back to docker-modem too: `UnexpectedAnswer`.
 */
import net from 'node:net';

/** The response was not the chunked HTTP/1.1 body expected: use docker-modem instead. */
export class UnexpectedAnswer extends Error {}

/** The engine answered with an error status: docker-modem's error shape (message, reason, statusCode, json). */
export interface EngineStatusError extends Error {
  reason?: string;
  statusCode: number;
  json: unknown;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** The engine's response header is a few hundred bytes; more than this is not the engine's answer. */
const MAX_HEAD_BYTES = 16 * 1024;
/** An error body is a short JSON message; more is not kept. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The unix socket docker-modem talks to, or null when this module should not be used (see above). */
export function unixSocketPath(modem: unknown): string | null {
  const socketPath = (modem as { socketPath?: unknown } | null)?.socketPath;
  if (typeof socketPath !== 'string' || socketPath === '') return null;
  // Named pipes: //./pipe/docker_engine, \\.\pipe\docker_engine.
  if (/^[\\/]{2}[.?][\\/]pipe[\\/]/i.test(socketPath)) return null;
  return socketPath;
}

/**
 * Sends `GET <path>` and resolves with the socket once the response's header has been read, positioned
 * at the chunked body's first byte (paused: read it with 'readable' and read(), through ChunkedBody).
 * An error status rejects with docker-modem's kind of error; aborting rejects and closes the socket.
 */
export function openLogRequest(
  socketPath: string,
  path: string,
  statusReasons: Record<number, string>,
  signal: AbortSignal,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let head: Buffer[] = [];
    let headBytes = 0;
    let settled = false;
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('readable', onHeadReadable);
      socket.removeListener('error', fail);
      socket.removeListener('end', onEarlyEnd);
      socket.removeListener('close', onEarlyEnd);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(signal.reason);
    const onEarlyEnd = (): void => fail(new Error('the engine closed the connection before answering'));
    const onHeadReadable = (): void => {
      // Reads only until the header's end: the body stays in the socket for the caller.
      for (let chunk: Buffer | null; !settled && (chunk = socket.read() as Buffer | null) !== null;) {
        const searchFrom = Math.max(0, headBytes - (HEAD_END.length - 1));
        head.push(chunk);
        headBytes += chunk.length;
        const all = head.length === 1 ? chunk : Buffer.concat(head, headBytes);
        head = [all];
        const end = all.indexOf(HEAD_END, searchFrom);
        if (end === -1) {
          if (headBytes > MAX_HEAD_BYTES) fail(new UnexpectedAnswer('response header too long'));
          continue;
        }
        const body = all.subarray(end + HEAD_END.length);
        answered(all.toString('latin1', 0, end), body);
        return;
      }
    };
    const answered = (header: string, body: Buffer): void => {
      const [statusLine = '', ...fields] = header.split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!status) return fail(new UnexpectedAnswer(`not an HTTP response: ${statusLine.slice(0, 80)}`));
      const code = Number(status[1]);
      if (code === 200) {
        if (!fields.some((f) => /^transfer-encoding\s*:\s*chunked\s*$/i.test(f)))
          return fail(new UnexpectedAnswer('the log stream is not a chunked body'));
        settled = true;
        cleanup();
        if (body.length > 0) socket.unshift(body);
        resolve(socket);
        return;
      }
      settled = true;
      cleanup();
      readErrorBody(socket, body, signal).then(
        (text) => reject(statusError(code, statusReasons[code], text)),
        (error: unknown) => reject(error),
      );
    };
    if (signal.aborted) return fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', fail);
    socket.on('end', onEarlyEnd);
    socket.on('close', onEarlyEnd);
    socket.on('readable', onHeadReadable);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: dify-stack\r\nConnection: close\r\n\r\n`,
    );
  });
}

/** The rest of an error response (the engine closes the connection after it), bounded. */
function readErrorBody(socket: net.Socket, first: Buffer, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks = [first];
    let bytes = first.length;
    const done = (error?: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === undefined) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    };
    const onAbort = (): void => done(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => {
      if (bytes < MAX_ERROR_BODY_BYTES) chunks.push(chunk);
      bytes += chunk.length;
    });
    socket.on('end', () => done());
    socket.on('error', (error) => done(error));
  });
}

function statusError(code: number, reason: string | undefined, body: string): EngineStatusError {
  let json: unknown = body;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    // Not JSON: the text itself is the cause.
  }
  const message = (json as { message?: unknown } | null)?.message;
  const cause = typeof message === 'string' ? message : body.trim();
  const error = new Error(`(HTTP code ${code}) ${reason ?? 'unexpected'} - ${cause} `) as EngineStatusError;
  error.reason = reason;
  error.statusCode = code;
  error.json = json;
  return error;
}

const CR = 0x0d;
const LF = 0x0a;
/** Chunk sizes are at most 8 hex digits here (4 GB): longer is not an engine's chunk. */
const MAX_SIZE_DIGITS = 8;

enum Part {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  Done,
}

/**
 * Undoes a chunked transfer encoding incrementally: bytes may be cut anywhere. Each piece of body is
 * handed over as a range of the buffer fed (no copy); `done` once the last, empty chunk and its
 * trailer have come. Throws on bytes that are not a chunked body.
 */
export class ChunkedBody {
  private part = Part.Size;
  private size = 0;
  private digits = 0;
  private trailerLineBytes = 0;

  get done(): boolean {
    return this.part === Part.Done;
  }

  feed(buf: Buffer, data: (buf: Buffer, start: number, end: number) => void): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.part) {
        case Part.Data: {
          const end = Math.min(n, i + this.size);
          data(buf, i, end);
          this.size -= end - i;
          i = end;
          if (this.size === 0) this.part = Part.DataCr;
          continue;
        }
        case Part.Size: {
          const c = buf[i++] as number;
          const digit = hexValue(c);
          if (digit >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new Error('a chunk size too long in the log stream');
            this.size = this.size * 16 + digit;
          } else if (this.digits === 0) {
            throw new Error('a chunk without its size in the log stream');
          } else if (c === CR) {
            this.part = Part.SizeLf;
          } else if (c === LF) {
            this.sizeLineEnded();
          } else this.part = Part.Extension;
          continue;
        }
        case Part.Extension:
          if (buf[i++] === LF) this.sizeLineEnded();
          continue;
        case Part.SizeLf:
          if (buf[i++] !== LF) throw new Error('a chunk size line not ended by CRLF in the log stream');
          this.sizeLineEnded();
          continue;
        case Part.DataCr: {
          const c = buf[i++];
          if (c === CR) this.part = Part.DataLf;
          else if (c === LF) this.part = Part.Size;
          else throw new Error('a chunk longer than its size in the log stream');
          continue;
        }
        case Part.DataLf:
          if (buf[i++] !== LF) throw new Error('a chunk longer than its size in the log stream');
          this.part = Part.Size;
          continue;
        case Part.Trailer: {
          const c = buf[i++];
          if (c === LF) {
            if (this.trailerLineBytes === 0) this.part = Part.Done;
            this.trailerLineBytes = 0;
          } else if (c !== CR) this.trailerLineBytes++;
          continue;
        }
        case Part.Done:
          // Nothing follows the last chunk on a connection asked to close.
          return;
      }
    }
  }

  private sizeLineEnded(): void {
    this.part = this.size === 0 ? Part.Trailer : Part.Data;
    this.digits = 0;
    this.trailerLineBytes = 0;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
