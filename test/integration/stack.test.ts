import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../electron/contract';
import { JobManager } from '../../electron/core/jobs';
import { SettingsSchema } from '../../electron/settings/schema';
import { detectCompose, type ComposeAvailability } from '../../electron/docker/compose-cli';
import { StackService, type StackServiceOptions } from '../../electron/stack/stack-service';
import {
  composeV1Available,
  composeV2Available,
  dockerEngineAvailable,
  skipReason,
} from '../helpers/docker-available';
import { createTestStack, type TestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());
const FIXTURE_SERVICES = [
  'api',
  'db_postgres',
  'init_permissions',
  'nginx',
  'plugin_daemon',
  'redis',
  'sandbox',
  'ssrf_proxy',
  'weaviate',
  'web',
  'worker',
  'worker_beat',
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length)
    await cleanups
      .pop()?.()
      .catch(() => undefined);
});

function serviceFor(stack: TestStack, extra: Partial<StackServiceOptions> = {}): StackService {
  const svc = new StackService({
    jobs: new JobManager(),
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
    readyTimeoutMs: 60_000,
    ...extra,
  });
  cleanups.push(() => svc.dispose());
  return svc;
}

function newStack(options?: Parameters<typeof createTestStack>[0]): TestStack {
  const stack = createTestStack(options);
  cleanups.push(() => stack.dispose());
  return stack;
}

const dify = (s: StatusSnapshot) => s.components.find((c) => c.id === 'dify');

/** Resolves with the first snapshot (pushed by Docker events) that satisfies the predicate. */
function waitForSnapshot(
  svc: StackService,
  predicate: (s: StatusSnapshot) => boolean,
  timeoutMs: number,
): Promise<StatusSnapshot> {
  return new Promise((resolve, reject) => {
    if (predicate(svc.getSnapshot())) return resolve(svc.getSnapshot());
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `no matching snapshot within ${timeoutMs} ms; last: ${JSON.stringify(dify(svc.getSnapshot()))}`,
        ),
      );
    }, timeoutMs);
    const off = svc.onSnapshot((s) => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

let realCompose: ComposeAvailability;
beforeAll(async () => {
  if (!skip) realCompose = await detectCompose(process.platform);
});

describe.skipIf(skip)('Dify stack on the real engine (Compose v2)', () => {
  it('goes stopped → starting → running, sees a killed container within 2 s via events, and down stops all', async () => {
    const stack = newStack();
    const svc = serviceFor(stack);
    const before = await svc.refresh();
    expect(before.project).toMatchObject({ dir: stack.dir, name: stack.projectName });
    expect(before.project?.composeVersion).toMatch(/^v2 /);
    expect(dify(before)?.state).toBe('stopped');
    expect(
      dify(before)
        ?.services?.map((s) => s.name)
        .sort(),
    ).toEqual(FIXTURE_SERVICES);
    expect(dify(before)?.services?.every((s) => s.state === 'missing' && s.containerId === '')).toBe(true);

    await svc.watch();
    const states: string[] = [];
    svc.onSnapshot((s) => states.push(dify(s)?.state ?? ''));
    const apiHealth: string[] = [];
    svc.onSnapshot((s) => {
      const h = dify(s)?.services?.find((x) => x.name === 'api')?.health;
      if (h && apiHealth.at(-1) !== h) apiHealth.push(h);
    });
    await svc.startStack().done;
    const up = svc.getSnapshot();
    expect(dify(up)?.state).toBe('running');
    expect(states).toContain('starting');
    expect(apiHealth).toEqual(['starting', 'healthy']);
    const init = dify(up)?.services?.find((s) => s.name === 'init_permissions');
    expect(init).toMatchObject({ oneShot: true, state: 'exited', exitCode: 0 });
    expect(
      dify(up)
        ?.services?.filter((s) => !s.oneShot)
        .every((s) => s.state === 'running' && /^[0-9a-f]{64}$/.test(s.containerId)),
    ).toBe(true);

    const worker = dify(up)?.services?.find((s) => s.name === 'worker');
    const killedAt = Date.now();
    execFileSync('docker', ['kill', worker?.containerId ?? '']);
    const after = await waitForSnapshot(
      svc,
      (s) => dify(s)?.services?.find((x) => x.name === 'worker')?.state === 'exited',
      2000,
    );
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(dify(after)?.state).toBe('partial');
    expect(dify(after)?.reason).toMatchObject({
      key: 'stack.reason.partial',
      params: { services: 'worker' },
    });

    await svc.downStack().done;
    const down = await svc.refresh();
    expect(dify(down)?.state).toBe('stopped');
    expect(
      execFileSync('docker', [
        'ps',
        '-aq',
        '--filter',
        `label=com.docker.compose.project=${stack.projectName}`,
      ])
        .toString()
        .trim(),
    ).toBe('');
  });

  it('restarts one service and stop keeps the containers', async () => {
    const stack = newStack();
    const svc = serviceFor(stack);
    await svc.startStack().done;
    const before = dify(await svc.refresh())?.services ?? [];
    await svc.restartService('sandbox').done;
    const after = dify(await svc.refresh())?.services ?? [];
    expect(after.find((s) => s.name === 'sandbox')).toMatchObject({ state: 'running', health: 'healthy' });
    // `restart` keeps the container (same id) — unlike a recreate.
    expect(after.map((s) => s.containerId)).toEqual(before.map((s) => s.containerId));
    await expect(svc.restartService('nope').done).rejects.toMatchObject({ code: 'SERVICE_UNKNOWN' });

    await svc.stopStack().done;
    const stopped = await svc.refresh();
    expect(dify(stopped)?.state).toBe('stopped');
    expect(dify(stopped)?.services?.find((s) => s.name === 'api')?.state).toBe('exited');
  });

  it('runs other compose work as a serialized project job (recreate only sandbox after an .env change)', async () => {
    const stack = newStack();
    const svc = serviceFor(stack);
    await svc.startStack().done;
    const envFile = join(stack.dir, '.env');
    writeFileSync(
      envFile,
      readFileSync(envFile, 'utf8').replace('SANDBOX_WORKER_TIMEOUT=15', 'SANDBOX_WORKER_TIMEOUT=10800'),
    );
    const order: string[] = [];
    const restart = svc.restartService('web');
    void restart.done.then(() => order.push('restart'));
    const job = svc.runProjectJob('test.recreate', async (_ctx, tools) => {
      order.push('job');
      const before = await tools.containerIds();
      await tools.compose(['up', '-d', '--no-deps', 'sandbox']);
      await tools.waitForReady(['sandbox'], 30_000);
      return { before, after: await tools.containerIds() };
    });
    const { before, after } = await job.done;
    await restart.done;
    expect(order).toEqual(['restart', 'job']);
    const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
    expect(changed).toEqual(['sandbox']);
    const env = execFileSync('docker', ['exec', after.sandbox ?? '', 'sh', '-c', 'echo $WORKER_TIMEOUT'])
      .toString()
      .trim();
    expect(env).toBe('10800');
  });

  it('takes the service list from the project itself (Dify 1.16 services)', async () => {
    const stack = newStack({ extraServices: ['api_websocket', 'agent_backend', 'local_sandbox'] });
    const snap = await serviceFor(stack).refresh();
    expect(dify(snap)?.services?.map((s) => s.name)).toEqual(
      expect.arrayContaining(['api_websocket', 'agent_backend', 'local_sandbox']),
    );
    expect(dify(snap)?.services).toHaveLength(FIXTURE_SERVICES.length + 3);
  });

  it('finds the Dify folder from running containers when none is configured', async () => {
    const stack = newStack();
    await stack.up('v2');
    const svc = new StackService({
      jobs: new JobManager(),
      getSettings: () => ({ ...SettingsSchema.parse({}), language: 'en' }),
    });
    cleanups.push(() => svc.dispose());
    const found = await svc.detectDifyDirs();
    expect(found).toContainEqual({
      dir: stack.dir,
      project: stack.projectName,
      services: expect.arrayContaining(['api', 'plugin_daemon']),
    });
  });
});

describe.skipIf(skip)('bad input on the real engine', () => {
  it('a service that exits immediately fails the start with its exit code and last log lines', async () => {
    const stack = newStack({
      extraServiceYaml:
        "  agent_backend:\n    image: ${TEST_IMAGE:-dify-stack-test/busybox:1}\n    restart: always\n    command: ['sh', '-c', 'echo missing SECRET_KEY >&2; exit 3']\n",
    });
    const jobManager = new JobManager();
    const svc = serviceFor(stack, { jobs: jobManager });
    await expect(svc.startStack().done).rejects.toMatchObject({
      code: 'SERVICE_EXITED',
      params: { service: 'agent_backend', exitCode: 3 },
    });
    const jobs = jobManager.list();
    expect(jobs.at(-1)?.error?.detail).toContain('missing SECRET_KEY');
    expect(dify(await svc.refresh())?.state).toMatch(/error|partial/);
  });

  it('a compose file that does not parse is reported with compose’s own message', async () => {
    const stack = newStack();
    writeFileSync(join(stack.dir, 'docker-compose.yaml'), 'services:\n  api:\n    image: [unclosed\n');
    const svc = serviceFor(stack);
    const snap = await svc.refresh();
    expect(dify(snap)?.error?.code).toBe('COMPOSE_FILE_INVALID');
    expect(dify(snap)?.state).toBe('error');
    expect(dify(snap)?.error?.detail).toMatch(/yaml|line/i);
    await expect(svc.startStack().done).rejects.toMatchObject({ code: 'COMPOSE_FILE_INVALID' });
  });

  it('a folder without a compose file or .env says exactly that', async () => {
    const stack = newStack();
    rmSync(join(stack.dir, '.env'));
    const svc = serviceFor(stack);
    expect(dify(await svc.refresh())?.error?.code).toBe('DIFY_DIR_NO_ENV');
    rmSync(join(stack.dir, 'docker-compose.yaml'));
    expect(dify(await svc.refresh())?.error?.code).toBe('DIFY_DIR_NO_COMPOSE');
    await expect(svc.startStack().done).rejects.toMatchObject({ code: 'DIFY_DIR_NO_COMPOSE' });
  });

  it('no Compose at all: status still lists services (from the YAML), start says Compose is missing', async () => {
    const stack = newStack();
    const svc = serviceFor(stack, { composeAvailability: { v1: null, v2: null } });
    const snap = await svc.refresh();
    expect(dify(snap)?.error?.code).toBe('COMPOSE_MISSING');
    expect(
      dify(snap)
        ?.services?.map((s) => s.name)
        .sort(),
    ).toEqual(FIXTURE_SERVICES);
    await expect(svc.startStack().done).rejects.toMatchObject({ code: 'COMPOSE_MISSING' });
  });

  it('Docker not running: both components say so and start fails with the reason', async () => {
    const stack = newStack();
    const svc = serviceFor(stack, {
      env: { ...process.env, DOCKER_HOST: `unix://${join(stack.dir, 'no-such.sock')}` },
    });
    const snap = await svc.refresh();
    expect(snap.components.find((c) => c.id === 'docker')).toMatchObject({
      state: 'unavailable',
      error: { code: 'DOCKER_NOT_RUNNING' },
    });
    expect(dify(snap)?.state).toBe('unavailable');
    await expect(svc.startStack().done).rejects.toMatchObject({ code: 'DOCKER_NOT_RUNNING' });
    await expect(svc.detectDifyDirs()).rejects.toMatchObject({ code: 'DOCKER_NOT_RUNNING' });
  });

  it('Compose v1 refusing a Dify ≥ 1.13 file says "needs Compose v2"', async () => {
    if (!composeV1Available()) return expect(process.env.CI).not.toBe('true');
    const stack = newStack({
      extraServiceYaml:
        '  agent_backend:\n    <<: *idle\n    depends_on:\n      api:\n        condition: service_started\n        required: false\n',
    });
    const svc = serviceFor(stack, { composeAvailability: { v1: realCompose.v1, v2: null } });
    await expect(svc.startStack().done).rejects.toMatchObject({ code: 'COMPOSE_V2_REQUIRED' });
    expect(dify(await svc.refresh())?.error?.code).toBe('COMPOSE_V2_REQUIRED');
  });
});

const skipV1 = skip ?? skipReason('Compose v1 (docker-compose)', composeV1Available());
describe.skipIf(skipV1)('the main path with Compose v1', () => {
  it('status before/after up and down work with docker-compose', async () => {
    const stack = newStack();
    const svc = serviceFor(stack, { composeAvailability: { v1: realCompose.v1, v2: null } });
    const before = await svc.refresh();
    expect(before.project?.composeVersion).toMatch(/^v1 1\./);
    expect(dify(before)?.state).toBe('stopped');
    await svc.startStack().done;
    const up = await svc.refresh();
    expect(dify(up)?.state).toBe('running');
    // v1 names containers docker_api_1, v2 docker-api-1: labels find them either way.
    expect(
      dify(up)
        ?.services?.filter((s) => !s.oneShot)
        .every((s) => s.state === 'running'),
    ).toBe(true);
    await svc.downStack().done;
    expect(dify(await svc.refresh())?.state).toBe('stopped');
  });
});

afterAll(() => undefined);
