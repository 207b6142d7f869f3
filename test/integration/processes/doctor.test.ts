/**
 * The connectivity doctor against the real engine: a Dify-like `api` container (the busybox test image,
 * its own network, `host.docker.internal:host-gateway` as Dify's Linux users add it) reaching a small
 * Ollama/A1111 double on the host. The double listens on the address `host-gateway` gives the container
 * (read from its /etc/hosts — the default bridge's gateway, not this network's) and on 127.0.0.1, never
 * on 0.0.0.0. Then each failure: 404 on /sdapi, a hang, a wrong port, no host entry, loopback only, stopped.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerConnectionOptions } from '../../../electron/docker/connection';
import { execInContainer } from '../../../electron/docker/container-exec';
import type { DoctorReport } from '../../../electron/processes/contract';
import { runDoctor, type DoctorInput } from '../../../electron/processes/doctor';
import { dockerEngineAvailable, skipReason } from '../../helpers/docker-available';
import { ensureTestImage, TEST_IMAGE } from '../../helpers/test-image';

const reason = skipReason('Docker engine', dockerEngineAvailable());
const docker = new Docker(dockerConnectionOptions(process.platform, process.env));
const RUN_LABEL = 'dify-stack-test.doctor';
const run = `r${Math.random().toString(36).slice(2, 8)}`;

/** The double's behaviour, changed by the tests (inMode). */
const NORMAL = { noApi: false, hang: false };
const mode = { ...NORMAL };

async function inMode<T>(change: Partial<typeof mode>, fn: () => Promise<T>): Promise<T> {
  Object.assign(mode, change);
  try {
    return await fn();
  } finally {
    Object.assign(mode, NORMAL);
  }
}

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (mode.hang) return; // never answers; the sockets are destroyed at close
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // facts.md: Ollama's `GET /` text, A1111's ping `{}` and 404 `{"detail":"Not Found"}` without --api.
  if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Ollama is running');
  } else if (req.url === '/api/tags') json(200, { models: [] });
  else if (req.url === '/internal/ping') json(200, {});
  else if (req.url === '/sdapi/v1/sd-models' && !mode.noApi) json(200, []);
  else json(404, { detail: 'Not Found' });
}

class Double {
  private readonly sockets = new Set<Socket>();
  readonly server = http.createServer(handler);

  constructor() {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
  }
}

async function createContainer(name: string, network: string, hostEntry: boolean): Promise<string> {
  const container = await docker.createContainer({
    name,
    Image: TEST_IMAGE,
    // Ends by itself if afterAll never runs; AutoRemove then deletes it.
    Cmd: ['sleep', '900'],
    Labels: { [RUN_LABEL]: run, 'com.docker.compose.service': 'api' },
    HostConfig: {
      NetworkMode: network,
      AutoRemove: true,
      ...(hostEntry ? { ExtraHosts: ['host.docker.internal:host-gateway'] } : {}),
    },
  });
  await container.start();
  return container.id;
}

async function removeEverything(): Promise<void> {
  const filters = { label: [`${RUN_LABEL}=${run}`] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  }
}

const verdicts = (report: DoctorReport) =>
  Object.fromEntries(report.checks.map((c) => [c.id, `${c.outcome}${c.cause ? `:${c.cause.key}` : ''}`]));

describe.skipIf(reason)('the connectivity doctor on the real engine', () => {
  let withHost = '';
  let withoutHost = '';
  let gateway = '';
  let port = 0;
  const onGateway = new Double();
  const onLoopback = new Double();

  const exec: DoctorInput['exec'] = (id, cmd, timeoutMs) => execInContainer(docker, id, cmd, { timeoutMs });
  const doctor = (over: Partial<DoctorInput> = {}) =>
    runDoctor({
      containers: [{ id: withHost, service: 'api', state: 'running' }],
      targets: {
        ollamaUrl: `http://host.docker.internal:${port}`,
        a1111Url: `http://host.docker.internal:${port}/`,
      },
      components: ['ollama', 'a1111'],
      local: { ollamaUrl: `http://127.0.0.1:${port}`, a1111Url: `http://127.0.0.1:${port}` },
      exec,
      platform: 'linux',
      ...over,
    });

  beforeAll(async () => {
    ensureTestImage();
    const network = `dst-doctor-${run}`;
    await docker.createNetwork({ Name: network, Labels: { [RUN_LABEL]: run } });
    try {
      withHost = await createContainer(`dst-doctor-${run}-api`, network, true);
      withoutHost = await createContainer(`dst-doctor-${run}-nohost`, network, false);
      const hosts = await execInContainer(docker, withHost, ['cat', '/etc/hosts'], { timeoutMs: 30_000 });
      gateway = /^(\S+)\s+host\.docker\.internal\b/m.exec(hosts.stdout)?.[1] ?? '';
      // host-gateway is an address of this machine (docker0's by default): listen there only. Binding
      // fails (EADDRNOTAVAIL) if it is not ours; os.networkInterfaces() omits docker0 while it has no carrier.
      if (!gateway)
        throw new Error(`no host.docker.internal in the container's /etc/hosts:\n${hosts.stdout}`);
      port = await onGateway.listen(gateway, 0);
      await onLoopback.listen('127.0.0.1', port);
    } catch (e) {
      await removeEverything();
      throw e;
    }
  });

  afterAll(async () => {
    await onGateway.close();
    await onLoopback.close();
    await removeEverything();
  });

  describe('execInContainer', () => {
    it('splits stdout from stderr and reports the exit code', async () => {
      const r = await execInContainer(docker, withHost, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(r).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    });

    it('decodes a character written in two frames', async () => {
      // 日 = e6 97 a5, written as two writes a moment apart: two frames of the multiplexed stream.
      const r = await execInContainer(docker, withHost, [
        'sh',
        '-c',
        "printf '\\346\\227'; sleep 0.3; printf '\\245\\n'",
      ]);
      expect(r.stdout).toBe('日\n');
    });

    it('keeps at most maxBytes of each stream', async () => {
      const r = await execInContainer(
        docker,
        withHost,
        ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do echo 0123456789; i=$((i+1)); done'],
        { maxBytes: 25 },
      );
      expect(r.stdout).toBe('0123456789\n0123456789\n012');
      expect(r.exitCode).toBe(0);
    });

    it('abandons an exec at its deadline', async () => {
      const r = await execInContainer(docker, withHost, ['sleep', '60'], { timeoutMs: 500 });
      expect(r).toMatchObject({ exitCode: null, timedOut: true });
    });

    it('reports a missing executable as the engine does', async () => {
      const r = await execInContainer(docker, withHost, ['curl', '--version']);
      expect([126, 127]).toContain(r.exitCode);
      expect(r.stdout + r.stderr).toMatch(/executable file not found/);
    });
  });

  it('passes when the double answers on the host-gateway address', async () => {
    const report = await doctor();
    expect(verdicts(report)).toEqual({
      'ollama.local': 'ok',
      'a1111.ping': 'ok',
      'a1111.localApi': 'ok',
      'ollama.tags': 'ok',
      'a1111.sdModels': 'ok',
    });
    expect(report).toMatchObject({ ok: true, container: withHost, error: null });
    expect(report.checks.find((c) => c.id === 'ollama.tags')).toMatchObject({
      from: 'api',
      tool: 'busybox-wget',
      status: 200,
      url: `http://host.docker.internal:${port}/api/tags`,
    });
  });

  it('404 on /sdapi while the ping answers → start A1111 with --api', async () => {
    const report = await inMode({ noApi: true }, () => doctor({ components: ['a1111'] }));
    expect(verdicts(report)).toEqual({
      'a1111.ping': 'ok',
      'a1111.localApi': 'failed:noApi',
      'a1111.sdModels': 'failed:noApi',
    });
    expect(report.ok).toBe(false);
  });

  it('a program that accepts but never answers → no response, from both sides', async () => {
    const report = await inMode({ hang: true }, () => doctor({ components: ['ollama'] }));
    expect(verdicts(report)).toEqual({
      'ollama.local': 'failed:noResponse',
      'ollama.tags': 'failed:noResponse',
    });
  });

  it('the URL Dify uses names another port → wrong port', async () => {
    const other = new Double();
    // A port nothing listens on at the gateway address (the OS picked it, then it was closed again).
    const free = await other.listen(gateway, 0);
    await other.close();
    const report = await doctor({
      components: ['ollama'],
      targets: { ollamaUrl: `http://host.docker.internal:${free}`, a1111Url: '' },
    });
    expect(verdicts(report)).toEqual({ 'ollama.local': 'ok', 'ollama.tags': 'failed:wrongPort' });
    expect(report.checks[1]!.cause?.params).toMatchObject({ port: free, localPort: port });
  });

  it('a container without the host entry → the name does not resolve (extra_hosts: host-gateway)', async () => {
    const report = await doctor({
      containers: [{ id: withoutHost, service: 'api', state: 'running' }],
      components: ['ollama'],
    });
    expect(verdicts(report)).toEqual({ 'ollama.local': 'ok', 'ollama.tags': 'failed:nameNotResolvedLinux' });
    expect(report.checks[1]!.output).toMatch(/bad address 'host\.docker\.internal/);
  });

  it('listening on 127.0.0.1 only → refused from the container while the host check passes', async () => {
    await onGateway.close();
    const report = await doctor();
    expect(verdicts(report)).toEqual({
      'ollama.local': 'ok',
      'a1111.ping': 'ok',
      'a1111.localApi': 'ok',
      'ollama.tags': 'failed:ollamaLoopbackOnly',
      'a1111.sdModels': 'failed:a1111LoopbackOnly',
    });
    expect(report.checks.find((c) => c.id === 'ollama.tags')?.output).toMatch(/Connection refused/);
  });

  it('stopped → not running, from both sides', async () => {
    await onGateway.close();
    await onLoopback.close();
    const report = await doctor();
    expect(verdicts(report)).toEqual({
      'ollama.local': 'failed:notRunning',
      'a1111.ping': 'failed:notRunning',
      'a1111.localApi': 'failed:notRunning',
      'ollama.tags': 'failed:notRunning',
      'a1111.sdModels': 'failed:notRunning',
    });
  });
});
