/**
 * Small HTTP servers on 127.0.0.1 for client tests: each answers with the handler given, and every
 * server made through one `LocalServers` is closed by `closeAll()` (call it in afterEach).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The request, its whole body as text, and the response to write. */
export type LocalHandler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

export class LocalServers {
  private readonly closers: (() => Promise<void>)[] = [];

  /** A server answering with `handler`; resolves to its base URL (`http://127.0.0.1:<port>`). */
  async serve(handler: LocalHandler): Promise<string> {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.closers.push(() => new Promise((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The URL of a port nothing listens on: one just had and given back. */
  async closedPort(): Promise<string> {
    const url = await this.serve(() => undefined);
    await this.closers.pop()?.();
    return url;
  }

  /** Also closes what the caller registers (another kind of server). */
  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((c) => c()));
  }
}

export const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
