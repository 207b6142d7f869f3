/**
 * The client's handling of what may answer on Ollama's port, against small servers in this process.
 * The real conversation (the double `ollama serve`) is in test/integration/processes/doubles.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { OllamaClient, looksLikeOllama } from '../../../electron/processes/ollama-client';
import { startSilentServer } from '../../doubles/silent-server';
import { LocalServers, sendJson as json, type LocalHandler } from '../../helpers/local-http';

const servers = new LocalServers();
const serve = (handler: LocalHandler) => servers.serve(handler);
const closedPort = () => servers.closedPort();
afterEach(() => servers.closeAll());

async function apiError(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return isAppError(e) ? { code: e.code, params: e.params } : { other: String(e) };
  }
  return null;
}

describe('looksLikeOllama', () => {
  it.each([
    [200, 'Ollama is running', true],
    [200, 'Ollama is running\n', true],
    [200, '<html>nginx</html>', false],
    [403, '', false],
    [404, '404 page not found', false],
  ])('%i %j → %s', (status, body, expected) => {
    expect(looksLikeOllama(status, body)).toBe(expected);
  });
});

describe('OllamaClient', () => {
  it('ping: true only for Ollama; false for another program, a refused connection or a silent server', async () => {
    const ollama = await serve((_q, _b, res) => res.end('Ollama is running'));
    const other = await serve((_q, _b, res) => res.end('It works!'));
    const silent = await startSilentServer();
    servers.add(() => silent.close());
    expect(await new OllamaClient(ollama).ping()).toBe(true);
    expect(await new OllamaClient(other).ping()).toBe(false);
    expect(await new OllamaClient(await closedPort()).ping()).toBe(false);
    expect(await new OllamaClient(silent.url, { timeoutMs: 200 }).ping()).toBe(false);
  });

  it('ping stops when the caller aborts', async () => {
    const silent = await startSilentServer();
    servers.add(() => silent.close());
    const abort = new AbortController();
    const pinging = new OllamaClient(silent.url, { timeoutMs: 60_000 }).ping(abort.signal);
    abort.abort();
    expect(await pinging).toBe(false);
  });

  it('never follows a redirect', async () => {
    const target = await serve((_q, _b, res) => json(res, 200, { models: [] }));
    const redirecting = await serve((req, _b, res) =>
      res.writeHead(302, { location: target + req.url }).end(),
    );
    expect(await new OllamaClient(redirecting).ping()).toBe(false);
    expect(await apiError(new OllamaClient(redirecting).tags())).toMatchObject({
      code: 'PROCESS_API_FAILED',
      params: { component: 'Ollama', url: `${redirecting}/api/tags` },
    });
  });

  it('version: the server version, null when nothing answers', async () => {
    const url = await serve((_q, _b, res) => json(res, 200, { version: '0.33.0' }));
    expect(await new OllamaClient(url).version()).toBe('0.33.0');
    expect(await new OllamaClient(await closedPort()).version()).toBeNull();
  });

  it('tags: names and sizes, cloud models marked remote; `models: null` is none', async () => {
    let body: unknown = {
      models: [
        { name: 'gemma3:12b', model: 'gemma3:12b', size: 8149190253, digest: 'x', details: {} },
        {
          name: 'gpt-oss:120b-cloud',
          size: 384,
          remote_host: 'https://ollama.com:443',
          remote_model: 'gpt-oss:120b',
        },
      ],
    };
    const url = await serve((_q, _b, res) => json(res, 200, body));
    expect(await new OllamaClient(url).tags()).toEqual([
      { name: 'gemma3:12b', size: 8149190253, remote: false },
      { name: 'gpt-oss:120b-cloud', size: 384, remote: true },
    ]);
    body = { models: null };
    expect(await new OllamaClient(url).tags()).toEqual([]);
  });

  it('ps: bytes in memory and in VRAM', async () => {
    const url = await serve((_q, _b, res) =>
      json(res, 200, {
        models: [
          {
            name: 'gpt-oss:20b',
            model: 'gpt-oss:20b',
            size: 14_900_000_000,
            size_vram: 11_200_000_000,
            expires_at: '2026-08-22T10:05:00+09:00',
            context_length: 8192,
          },
        ],
      }),
    );
    expect(await new OllamaClient(url).ps()).toEqual([
      {
        name: 'gpt-oss:20b',
        size: 14_900_000_000,
        sizeVram: 11_200_000_000,
        expiresAt: '2026-08-22T10:05:00+09:00',
      },
    ]);
  });

  it('tags/ps: an error status, a body that is not JSON or of another shape, no answer → PROCESS_API_FAILED', async () => {
    const cases: [number, string][] = [
      [500, '{"error":"model list cache unavailable"}'],
      [200, 'not json'],
      [200, '{"models":[{"name":1}]}'],
    ];
    for (const [status, text] of cases) {
      const url = await serve((_q, _b, res) => res.writeHead(status).end(text));
      expect(await apiError(new OllamaClient(url).ps())).toMatchObject({ code: 'PROCESS_API_FAILED' });
    }
    const down = await apiError(new OllamaClient(await closedPort()).tags());
    expect(down).toMatchObject({ code: 'PROCESS_API_FAILED', params: { reason: 'ECONNREFUSED' } });
  });

  it('unload: keep_alive 0, then waits until /api/ps no longer lists it (the name without tag is :latest)', async () => {
    const requests: unknown[] = [];
    let polls = 0;
    const url = await serve((req, body, res) => {
      if (req.url === '/api/generate') {
        requests.push(JSON.parse(body));
        return json(res, 200, {
          model: 'llama3.3',
          created_at: 'x',
          response: '',
          done: true,
          done_reason: 'unload',
        });
      }
      polls++;
      const models = polls < 3 ? [{ name: 'llama3.3:latest', size: 1, size_vram: 1 }] : [];
      json(res, 200, { models: [...models, { name: 'gemma3:12b', size: 1, size_vram: 1 }] });
    });
    expect(await new OllamaClient(url).unload('llama3.3')).toBe(true);
    expect(requests).toEqual([{ model: 'llama3.3', keep_alive: 0 }]);
    expect(polls).toBe(3);
  });

  it('unload: false when the model is still loaded at the deadline; an error status is thrown', async () => {
    const url = await serve((req, _b, res) =>
      req.url === '/api/generate'
        ? json(res, 200, { done: true, done_reason: 'unload' })
        : json(res, 200, { models: [{ name: 'gemma3:12b', size: 1, size_vram: 1 }] }),
    );
    expect(await new OllamaClient(url).unload('gemma3:12b', { timeoutMs: 300 })).toBe(false);
    const missing = await serve((_q, _b, res) => json(res, 404, { error: "model 'x' not found" }));
    expect(await apiError(new OllamaClient(missing).unload('x'))).toMatchObject({
      code: 'PROCESS_API_FAILED',
    });
  });
});
