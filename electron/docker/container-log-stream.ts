/**
 * One container's log stream (stdout and stderr, with the engine's timestamps), read as lines in the
 * order the container printed them and handed over a batch per read.
 *
 * A batch per read, not per 'data' event: the engine flushes every log message as its own HTTP chunk,
 * and Node's HTTP client emits each chunk as its own 'data' event — a batch per line (measured: ~17
 * lines per batch this way on a busy log, 1 per 'data' event). So the response is read in paused mode:
 * at each 'readable', everything buffered so far at once.
 *
 * Memory stays flat however much the container wrote: what was read is turned into lines and handed to
 * the caller synchronously, so the socket is read only as fast as lines are taken (the response's own
 * buffer stops reading at its high-water mark); nothing is queued here but one unfinished line per
 * stream.
 */
import type Docker from 'dockerode';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { engineSince } from './engine-timestamp';
import { LogDemuxer, type DemuxedLogLine } from './log-demux';
import { ChunkedBody, openLogRequest, UnexpectedAnswer, unixSocketPath } from './log-socket';

export { engineSince };

/**
 * A line of a container's log: a `RawLogLine` of the logs capability (electron/logs/source.ts; the
 * same shape, written out because the docker layer imports no capability) plus the engine's timestamp
 * to the nanosecond, '' when there is none, to continue a stream (`since`) without repeating lines.
 */
export type ContainerLogLine = DemuxedLogLine;

export interface ContainerLogOptions {
  /** Keep reading what the container prints until it stops, or end after what is there. */
  follow: boolean;
  /** Only the last N lines before following; undefined: all of them. */
  tail?: number;
  /** Only lines at or after this time, in the engine's form "<unix seconds>.<nanoseconds>" (engineSince). */
  since?: string;
  /** Aborting stops reading; the stream then resolves with 'aborted' and hands over nothing more. */
  signal?: AbortSignal;
}

export type ContainerLogEnd = { reason: 'eof' } | { reason: 'aborted' } | { reason: 'error'; error: unknown };

/** The part of docker-modem used here (dockerode types it `any`). */
interface ModemDial {
  dial(
    options: {
      path: string;
      method: 'GET';
      isStream: true;
      abortSignal?: AbortSignal;
      statusCodes: Record<number, true | string>;
      options: Record<string, string | number | boolean>;
    },
    callback: (error: unknown, response: IncomingMessage | null) => void,
  ): void;
}

const STATUS_REASONS: Record<number, string> = { 404: 'no such container', 500: 'server error' };

/** The response's body, and for a request sent by hand the chunked encoding still to undo. */
interface LogBody {
  stream: Readable;
  chunked: ChunkedBody | null;
}

/**
 * `GET /containers/{id}/logs` as a stream. Not `container.logs()`: without `follow` dockerode reads the
 * whole body into one Buffer before returning it — 100+ MB for a chatty container. Over a unix socket
 * the request is written by hand (log-socket.ts: a third less CPU for reading a busy log); otherwise,
 * or when the answer is not what that expects, it goes through docker-modem.
 */
async function openLogs(
  container: Docker.Container,
  options: ContainerLogOptions,
  signal: AbortSignal,
): Promise<LogBody> {
  const query: Record<string, string | number | boolean> = {
    stdout: true,
    stderr: true,
    timestamps: true,
    follow: options.follow,
  };
  if (options.tail !== undefined) query.tail = Math.max(0, Math.floor(options.tail));
  if (options.since) query.since = options.since;
  const path = `/containers/${encodeURIComponent(container.id)}/logs?`;
  const socketPath = unixSocketPath(container.modem);
  if (socketPath !== null) {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    );
    try {
      const stream = await openLogRequest(socketPath, `${path}${search.toString()}`, STATUS_REASONS, signal);
      return { stream, chunked: new ChunkedBody() };
    } catch (error) {
      if (!(error instanceof UnexpectedAnswer)) throw error;
    }
  }
  const modem = container.modem as ModemDial;
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path,
        method: 'GET',
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, ...STATUS_REASONS },
        options: query,
      },
      (error, response) =>
        error || !response ? reject(error) : resolve({ stream: response, chunked: null }),
    );
  });
}

/** Streams one container's logs (stdout+stderr, timestamps on) in order, in batches (one per read). */
export async function streamContainerLogs(
  docker: Pick<Docker, 'getContainer'>,
  containerId: string,
  options: ContainerLogOptions,
  onLines: (lines: ContainerLogLine[]) => void,
): Promise<ContainerLogEnd> {
  // Our own controller: it also ends the request when the caller's callback throws.
  const controller = new AbortController();
  const callerAborted = () => options.signal?.aborted === true;
  const onAbort = () => controller.abort();
  if (callerAborted()) return { reason: 'aborted' };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const container = docker.getContainer(containerId);
    let response: LogBody;
    let tty: boolean;
    try {
      const info = await container.inspect({ abortSignal: controller.signal });
      tty = info.Config?.Tty === true;
      response = await openLogs(container, options, controller.signal);
    } catch (error) {
      return callerAborted() ? { reason: 'aborted' } : { reason: 'error', error };
    }
    return await readLines(response, new LogDemuxer({ tty, timestamps: true }), onLines, controller.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function readLines(
  { stream: response, chunked }: LogBody,
  demux: LogDemuxer,
  onLines: (lines: ContainerLogLine[]) => void,
  signal: AbortSignal,
): Promise<ContainerLogEnd> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (end: ContainerLogEnd): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      response.removeAllListeners('readable');
      response.destroy();
      resolve(end);
    };
    const deliver = (lines: ContainerLogLine[]): boolean => {
      if (lines.length === 0) return true;
      try {
        onLines(lines);
        return true;
      } catch (error) {
        finish({ reason: 'error', error });
        return false;
      }
    };
    const onAbort = (): void => finish({ reason: 'aborted' });
    // A socket gone mid-stream (the engine restarted or died) errors, or at least closes without 'end'.
    // The unfinished line is not handed over: a stream continued `since` its last line sends it whole.
    const broken = (error: unknown = new Error('the log stream closed before its end')): void =>
      finish(signal.aborted ? { reason: 'aborted' } : { reason: 'error', error });
    if (signal.aborted) return finish({ reason: 'aborted' });
    if (response.destroyed) return broken();
    signal.addEventListener('abort', onAbort, { once: true });
    // A chunked body read here: each piece of a read goes to the demultiplexer as a range of it.
    let out: ContainerLogLine[] = [];
    const piece = (buf: Buffer, start: number, end: number): void => void demux.push(buf, start, end, out);
    const linesOf = (chunk: Buffer): ContainerLogLine[] => {
      if (!chunked) return demux.push(chunk);
      out = [];
      chunked.feed(chunk, piece);
      return out;
    };
    response.on('readable', () => {
      for (let chunk: Buffer | null; !done && (chunk = response.read() as Buffer | null) !== null;) {
        let lines: ContainerLogLine[];
        try {
          lines = linesOf(chunk);
        } catch (error) {
          return finish({ reason: 'error', error });
        }
        deliver(lines);
      }
    });
    response.on('end', () => {
      if (done) return;
      // A connection closed before the last chunk: the engine went away mid-stream.
      if (chunked && !chunked.done) return broken();
      if (!deliver(demux.end())) return;
      const engineError = demux.engineError;
      finish(
        engineError === null
          ? { reason: 'eof' }
          : { reason: 'error', error: new Error(`error from the engine in the log stream: ${engineError}`) },
      );
    });
    response.on('error', (error) => broken(error));
    response.on('close', () => broken());
  });
}
