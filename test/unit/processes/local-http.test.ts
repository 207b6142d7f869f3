/**
 * The local servers' HTTP client (processes/local-http.ts) over real HTTP on 127.0.0.1: what it
 * answers, and its failures in the shapes the callers read from fetch before.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRequest } from '../../../electron/processes/local-http';

let server: http.Server;
let base: string;
const received: { method?: string; type?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method, type: req.headers['content-type'], body });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/elsewhere' }).end();
        return;
      }
      if (req.url === '/missing') {
        res.writeHead(404).end('not here');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ollama is running — ✓');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('localRequest', () => {
  it('answers status, ok and the whole body as UTF-8', async () => {
    await expect(localRequest(`${base}/`, { timeoutMs: 2000 })).resolves.toEqual({
      status: 200,
      ok: true,
      text: 'Ollama is running — ✓',
    });
    await expect(localRequest(`${base}/missing`, { timeoutMs: 2000 })).resolves.toEqual({
      status: 404,
      ok: false,
      text: 'not here',
    });
  });

  it('sends JSON with its content type', async () => {
    received.length = 0;
    await localRequest(`${base}/api/generate`, {
      method: 'POST',
      json: { model: 'x', keep_alive: 0 },
      timeoutMs: 2000,
    });
    expect(received).toEqual([
      { method: 'POST', type: 'application/json', body: '{"model":"x","keep_alive":0}' },
    ]);
  });

  it('never follows a redirect', async () => {
    const res = await localRequest(`${base}/redirect`, { timeoutMs: 2000 });
    expect(res.status).toBe(302);
  });

  it('a refused connection carries the system code as cause.code (as fetch)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await localRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 }).catch((x: unknown) => x);
    expect((e as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });

  it('gives up at the time limit with a TimeoutError, and at the signal with an AbortError', async () => {
    const slow = await localRequest(`${base}/slow`, { timeoutMs: 100 }).catch((x: unknown) => x);
    expect((slow as Error).name).toBe('TimeoutError');
    const controller = new AbortController();
    const aborted = localRequest(`${base}/slow`, { timeoutMs: 5000, signal: controller.signal }).catch(
      (x: unknown) => x,
    );
    setTimeout(() => controller.abort(), 50);
    expect(((await aborted) as Error).name).toBe('AbortError');
    const already = await localRequest(`${base}/`, { timeoutMs: 5000, signal: AbortSignal.abort() }).catch(
      (x: unknown) => x,
    );
    expect((already as Error).name).toBe('AbortError');
  });
});
