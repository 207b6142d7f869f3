/**
 * A server on 127.0.0.1 that accepts connections and never answers: a Dify behind a hung proxy or an
 * overloaded API container, for testing request time limits.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SilentServer {
  url: string;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer(() => undefined);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      // close() waits for open connections, and these would otherwise hang until their own timeout.
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
