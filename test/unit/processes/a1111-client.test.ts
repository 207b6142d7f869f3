/**
 * The client's reading of what may answer on A1111's port, against small servers in this process.
 * The real conversation (the double started through webui.sh) is in test/integration/processes/doubles.test.ts.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { A1111Client } from '../../../electron/processes/a1111-client';
import { LocalServers, sendJson as json } from '../../helpers/local-http';

type Routes = Record<string, (res: http.ServerResponse) => void>;
const servers = new LocalServers();
/** Answers `METHOD /path?query` from `routes`, anything else as FastAPI's 404. */
const serve = (routes: Routes) =>
  servers.serve((req, _body, res) =>
    (routes[`${req.method} ${req.url}`] ?? ((r) => json(r, 404, { detail: 'Not Found' })))(res),
  );
const closedPort = () => servers.closedPort();
afterEach(() => servers.closeAll());

const PING = { 'GET /internal/ping': (res: http.ServerResponse) => json(res, 200, {}) };
const MODELS = [
  {
    title: 'v1-5-pruned-emaonly.safetensors [6ce0161689]',
    model_name: 'v1-5-pruned-emaonly',
    hash: '6ce0161689',
  },
];

describe('A1111Client.sdModels', () => {
  it("'ok' with the checkpoints' titles", async () => {
    const url = await serve({ ...PING, 'GET /sdapi/v1/sd-models': (res) => json(res, 200, MODELS) });
    expect(await new A1111Client(url).sdModels()).toEqual({ state: 'ok', models: [MODELS[0]?.title] });
  });

  it("'no-api': /sdapi is 404 while the UI's own /internal/ping answers (started without --api)", async () => {
    const url = await serve(PING);
    expect(await new A1111Client(url).sdModels()).toEqual({ state: 'no-api', models: [] });
  });

  it("'starting': 404 on both — Gradio serves before A1111 adds its routes", async () => {
    const url = await serve({});
    expect(await new A1111Client(url).sdModels()).toEqual({ state: 'starting', models: [] });
  });

  it("'unauthorized' with --api-auth", async () => {
    const url = await serve({
      'GET /sdapi/v1/sd-models': (res) =>
        json(res, 401, { error: 'HTTPException', detail: 'Not authenticated', body: '', errors: '' }),
    });
    expect((await new A1111Client(url).sdModels()).state).toBe('unauthorized');
  });

  it("'down': nothing answers, a redirect (not followed), or a 200 that is not the list", async () => {
    const target = await serve({ 'GET /sdapi/v1/sd-models': (res) => json(res, 200, MODELS) });
    const redirect = await serve({
      'GET /sdapi/v1/sd-models': (res) =>
        res.writeHead(307, { location: `${target}/sdapi/v1/sd-models` }).end(),
    });
    const html = await serve({ 'GET /sdapi/v1/sd-models': (res) => res.writeHead(200).end('<html></html>') });
    for (const url of [await closedPort(), redirect, html])
      expect((await new A1111Client(url).sdModels()).state).toBe('down');
  });
});

describe('A1111Client', () => {
  it('ping: /internal/ping answers {}', async () => {
    expect(await new A1111Client(await serve(PING)).ping()).toBe(true);
    expect(await new A1111Client(await serve({})).ping()).toBe(false);
    expect(await new A1111Client(await closedPort()).ping()).toBe(false);
  });

  it('checkpoint: options.sd_model_checkpoint, null when absent or unanswered', async () => {
    let options: unknown = { sd_model_checkpoint: MODELS[0]?.title, samples_format: 'png' };
    const url = await serve({ 'GET /sdapi/v1/options': (res) => json(res, 200, options) });
    expect(await new A1111Client(url).checkpoint()).toBe(MODELS[0]?.title);
    options = { samples_format: 'png' };
    expect(await new A1111Client(url).checkpoint()).toBeNull();
    expect(await new A1111Client(await closedPort()).checkpoint()).toBeNull();
  });

  it('progress: idle, then a job with its fraction and eta; null when unanswered', async () => {
    let body: unknown = {
      progress: 0,
      eta_relative: 0,
      state: { job_count: 0 },
      current_image: null,
      textinfo: null,
    };
    const url = await serve({
      'GET /sdapi/v1/progress?skip_current_image=true': (res) => json(res, 200, body),
    });
    const client = new A1111Client(url);
    expect(await client.progress()).toEqual({ fraction: 0, etaSeconds: null, active: false });
    body = {
      progress: 0.41,
      eta_relative: 12.5,
      state: { job_count: 1, sampling_step: 8 },
      current_image: null,
      textinfo: null,
    };
    expect(await client.progress()).toEqual({ fraction: 0.41, etaSeconds: 12.5, active: true });
    body = { progress: 1, eta_relative: -0.2, state: { job_count: 1 } };
    expect(await client.progress()).toEqual({ fraction: 1, etaSeconds: 0, active: true });
    expect(await new A1111Client(await closedPort()).progress()).toBeNull();
  });

  it('memory: the body as sent; PROCESS_API_FAILED without the API', async () => {
    const memory = { ram: { free: 1, used: 2, total: 3 }, cuda: { error: 'unavailable' } };
    const url = await serve({ 'GET /sdapi/v1/memory': (res) => json(res, 200, memory) });
    expect(await new A1111Client(url).memory()).toEqual(memory);
    let error: unknown;
    await new A1111Client(await serve({})).memory().catch((e: unknown) => (error = e));
    expect(isAppError(error) && error.code).toBe('PROCESS_API_FAILED');
  });

  it('serverStop / unloadCheckpoint / reloadCheckpoint: true only on 200', async () => {
    const url = await serve({
      'POST /sdapi/v1/server-stop': (res) => res.writeHead(200).end('Stopping.'),
      'POST /sdapi/v1/unload-checkpoint': (res) => json(res, 200, {}),
      'POST /sdapi/v1/reload-checkpoint': (res) => json(res, 200, {}),
    });
    const client = new A1111Client(url);
    expect([
      await client.serverStop(),
      await client.unloadCheckpoint(),
      await client.reloadCheckpoint(),
    ]).toEqual([true, true, true]);
    const without = new A1111Client(await serve(PING));
    expect([await without.serverStop(), await without.unloadCheckpoint()]).toEqual([false, false]);
    expect(await new A1111Client(await closedPort()).serverStop()).toBe(false);
  });
});
