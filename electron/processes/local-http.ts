/**
 * One HTTP request to a local server (Ollama, AUTOMATIC1111) with Node's own http client. Not fetch:
 * Node loads fetch's implementation (undici) on its first use, ~30 ms of a one-shot `dify-stack
 * status` that mostly finds nothing listening (issue 8). Redirects are never followed (http does not
 * follow them): whatever answers on a local port and redirects is not the server we look for.
 *
 * Failures are shaped as fetch's, which callers already read: a connection failure carries the
 * system's code as `cause.code` (ECONNREFUSED…), the time limit is an error named TimeoutError, the
 * caller's signal an AbortError.
 */
import http from 'node:http';

export interface LocalResponse {
  status: number;
  ok: boolean;
  /** The whole body, as UTF-8. */
  text: string;
}

export interface LocalRequestOptions {
  method?: string;
  /** Sent as JSON. */
  json?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function localRequest(url: string, options: LocalRequestOptions): Promise<LocalResponse> {
  const target = new URL(url);
  // TLS is loaded only for an https endpoint (an OLLAMA_HOST may name one).
  const transport = target.protocol === 'https:' ? await import('node:https') : http;
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      req.destroy();
      reject(e);
    };
    const req = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        // No keep-alive: a one-shot process must not wait for an idle socket to close.
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (e) => fail(failure(e)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          cleanup();
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(
      () => fail(named('TimeoutError', `no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = (): void => fail(named('AbortError', 'aborted'));
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    // Listened to before anything can destroy the request (an aborted signal does at once).
    req.on('error', (e) => fail(failure(e)));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort);
    req.end(body);
  });
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** As fetch reports it: the system error (with its code) as the cause. */
function failure(cause: Error): Error {
  return new TypeError(`request failed: ${cause.message}`, { cause });
}
