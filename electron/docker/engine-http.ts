import http from 'node:http';
import net from 'node:net';
import type { DockerOptions } from 'dockerode';

/**
 * One GET to the Docker engine API over Node's own http, for callers that need an answer or two and
 * nothing else (`dify-stack status`): loading dockerode costs ~0.25 s (it pulls in ssh2 and grpc),
 * more than the engine takes to answer. The endpoint is the one dockerode would use — the options of
 * dockerConnectionOptions (unix socket, Windows named pipe, tcp with optional TLS).
 */
export async function engineGetJson(
  options: DockerOptions,
  path: string,
  timeoutMs: number,
): Promise<unknown> {
  return (await engineGet(options, path, timeoutMs)).body;
}

/** The parsed body and the response's headers (the engine names itself in every answer's headers). */
export async function engineGet(
  options: DockerOptions,
  path: string,
  timeoutMs: number,
): Promise<{ body: unknown; headers: http.IncomingHttpHeaders }> {
  const tls = options.protocol === 'https';
  // TLS is loaded only for the rare tcp+TLS engine.
  const transport = tls ? await import('node:https') : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        method: 'GET',
        path,
        ...(options.socketPath
          ? // Connected by hand rather than through an agent: an agent works out a TLS server name
            // for every request, which costs a first call ~10 ms of regular-expression set-up.
            { createConnection: () => net.connect(String(options.socketPath)) }
          : // No keep-alive: a one-shot process must not wait for an idle socket to close.
            { host: options.host, port: options.port, agent: false }),
        ...(tls ? { ca: options.ca, cert: options.cert, key: options.key } : {}),
        headers: { Accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`${path}: HTTP ${res.statusCode ?? '?'} ${body.trim()}`));
            return;
          }
          try {
            resolve({ body: JSON.parse(body) as unknown, headers: res.headers });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}
