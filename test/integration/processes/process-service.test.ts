/**
 * Ollama and A1111 as parts of the stack, with the doubles really spawned: the whole stack in order,
 * a server already answering used as it is (never a second `serve`), a port held by another program,
 * A1111 running without --api, and one CLI process starting what a second one stops (the registry).
 * Dify and the engine are the fake stack here; test/e2e/processes.test.ts runs them for real.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { pidAlive } from '../../../electron/core/pid-alive';
import { JobManager } from '../../../electron/core/jobs';
import { ProcessService } from '../../../electron/processes/process-service';
import { ProcessRegistry } from '../../../electron/processes/registry';
import { killTree, processRunning } from '../../../electron/processes/process-tree';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliProcess } from '../../helpers/cli-runner';
import { freePort } from '../../helpers/free-port';
import { useTempDir } from '../../helpers/use-temp-dir';

const DOUBLES = path.resolve(__dirname, '../../doubles');
const OLLAMA = path.join(DOUBLES, 'ollama', 'ollama');
const A1111_DIR = path.join(DOUBLES, 'a1111');
const tempDir = useTempDir('processes-');

interface Setup {
  service: ProcessService;
  stack: FakeStack;
  jobs: JobManager;
  snapshot: AppSnapshotStore;
  settings: Settings;
  dataDir: string;
}

let setups: Setup[] = [];
let strays: ChildProcess[] = [];

async function setUp(patch: Partial<Settings> = {}): Promise<Setup> {
  const settings: Settings = {
    ...SettingsSchema.parse({}),
    ollamaPath: OLLAMA,
    ollamaHost: `127.0.0.1:${await freePort()}`,
    a1111Dir: A1111_DIR,
    a1111Port: await freePort(),
    autoRestart: false,
    ...patch,
  };
  const jobs = new JobManager();
  const stack = new FakeStack(jobs);
  const snapshot = new AppSnapshotStore();
  const dataDir = path.join(tempDir(), 'data');
  const service = new ProcessService({
    jobs,
    stack,
    settings: () => settings,
    snapshot: snapshot.part('processes'),
    dataDir,
    program: 'app',
    // The doubles' own knobs: a quick checkpoint load, no slow start.
    env: { ...process.env, A1111_DOUBLE_MODEL_MS: '200', A1111_DOUBLE_MOUNT_MS: '100' },
    docker: () => {
      throw new Error('no engine in this test');
    },
  });
  const setup = { service, stack, jobs, snapshot, settings, dataDir };
  setups.push(setup);
  return setup;
}

/** Whatever a test left running is ended: every process in the registry and every stray double. */
afterEach(async () => {
  for (const { service, dataDir } of setups) {
    await service.dispose();
    const entries = await new ProcessRegistry({ file: path.join(dataDir, 'processes.json') }).list();
    await Promise.all(entries.map((e) => killTree(e.pid, {})));
  }
  for (const child of strays) if (child.pid) await killTree(child.pid, {});
  setups = [];
  strays = [];
});

const component = (s: Setup, id: 'ollama' | 'a1111') => s.snapshot.get().components.find((c) => c.id === id);

describe('the whole stack with Ollama and A1111', () => {
  beforeEach(() => undefined);

  it('starts engine → Ollama → A1111 → Dify, each ready before the next, and stops in reverse', async () => {
    const s = await setUp();
    const order: string[] = [];
    s.stack.scripts.start = async () => {
      // When Dify starts, Ollama and A1111 must already be usable.
      await s.service.refresh();
      order.push(`dify(ollama=${component(s, 'ollama')?.state},a1111=${component(s, 'a1111')?.state})`);
    };
    const start = s.service.startComponents();
    await start.done;
    // Then the doctor looks at Dify's containers (none in the fake stack).
    expect(s.stack.calls.filter((c) => c !== 'refresh')).toEqual([
      'ensureEngineIn',
      'startDifyIn',
      'openProject',
    ]);
    expect(order).toEqual(['dify(ollama=running,a1111=running)']);
    const steps = s.jobs.get(start.id);
    expect(steps?.state).toBe('succeeded');

    await s.service.refresh();
    const ollama = component(s, 'ollama');
    expect(ollama).toMatchObject({ state: 'running', ollama: { version: '0.33.0' } });
    expect(ollama?.process).toMatchObject({ owner: 'app', startable: true });
    const a1111 = component(s, 'a1111');
    expect(a1111).toMatchObject({ state: 'running', a1111: { api: true, phase: 'ready' } });
    expect(a1111?.a1111?.checkpoint).toBeTruthy();
    const pids = [ollama?.process?.pid, a1111?.process?.pid] as number[];
    expect(pids.every((p) => pidAlive(p))).toBe(true);

    s.stack.calls.length = 0;
    await s.service.stopComponents().done;
    expect(s.stack.calls.filter((c) => c !== 'refresh')).toEqual(['stopDifyIn']);
    await s.service.refresh();
    expect(component(s, 'ollama')?.state).toBe('stopped');
    expect(component(s, 'a1111')?.state).toBe('stopped');
    expect(pids.some((p) => processRunning(p))).toBe(false);
  });

  it('uses an Ollama that already answers as it is: no second serve, and not ours to stop', async () => {
    const s = await setUp({ a1111Dir: '' });
    const outside = spawn(OLLAMA, ['serve'], {
      env: { ...process.env, OLLAMA_HOST: s.settings.ollamaHost },
      stdio: 'ignore',
    });
    strays.push(outside);
    await until(async () => (await fetch(`http://${s.settings.ollamaHost}/`).catch(() => null))?.ok === true);

    const job = s.service.startComponents(['ollama']);
    await job.done;
    expect((s.jobs.output(job.id) ?? []).join('\n')).toMatch(/already answers .*using it as it is/);
    expect(await new ProcessRegistry({ file: path.join(s.dataDir, 'processes.json') }).list()).toEqual([]);
    await s.service.refresh();
    expect(component(s, 'ollama')?.process?.owner).toBe('external');

    // Named: an error that says whose it is; as part of the whole stack: a note, and it keeps running.
    await expect(s.service.stopComponents(['ollama']).done).rejects.toMatchObject({
      code: 'OLLAMA_NOT_OURS',
    });
    await s.service.stopComponents().done;
    expect(pidAlive(outside.pid as number)).toBe(true);
  });

  it('refuses a port another program holds, saying which port', async () => {
    const port = await freePort();
    const other = http.createServer((_req, res) => res.end('<html>not ollama</html>'));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const s = await setUp({ ollamaHost: `127.0.0.1:${port}`, a1111Port: port });
      await expect(s.service.startComponents(['ollama']).done).rejects.toMatchObject({
        code: 'PORT_TAKEN',
        params: { port, component: 'Ollama' },
      });
      await expect(s.service.startComponents(['a1111']).done).rejects.toMatchObject({ code: 'PORT_TAKEN' });
      expect(
        (await s.service.checkSettings({ ollamaPath: OLLAMA, a1111Dir: A1111_DIR, a1111Port: port }))
          .a1111Port,
      ).toMatchObject({ ok: false, error: { code: 'PORT_TAKEN' } });
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('says "start it with --api" for an A1111 that runs without its API', async () => {
    const s = await setUp();
    const outside = spawn(
      'bash',
      [path.join(A1111_DIR, 'webui.sh'), '-f', '--port', String(s.settings.a1111Port)],
      {
        cwd: A1111_DIR,
        env: { ...process.env, A1111_DOUBLE_MODEL_MS: '100', A1111_DOUBLE_MOUNT_MS: '50' },
        stdio: 'ignore',
        detached: true,
      },
    );
    strays.push(outside);
    await until(async () => (await s.service.a1111.client().ping()) === true);
    await expect(s.service.startComponents(['a1111']).done).rejects.toMatchObject({ code: 'A1111_NO_API' });
    await s.service.refresh();
    expect(component(s, 'a1111')).toMatchObject({
      state: 'error',
      error: { code: 'A1111_NO_API' },
      a1111: { api: false },
    });
  });

  it("a CLI run starts Ollama and exits; a second CLI run sees it as the CLI's and stops it", async () => {
    const home = tempDir();
    const settingsDir = path.join(home, '.config', 'dify-stack-tray');
    const host = `127.0.0.1:${await freePort()}`;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(settingsDir, { recursive: true });
    writeFileSync(
      path.join(settingsDir, 'settings.json'),
      JSON.stringify({ ollamaPath: OLLAMA, ollamaHost: host, difyDir: path.join(home, 'no-dify') }),
    );
    const common = { home, baseEnv: process.env, timeoutMs: 60_000 };
    const up = await runCliProcess(['up', 'ollama'], common);
    expect(up.code, up.stderr).toBe(0);
    // The CLI is gone; the server it started is not.
    expect((await fetch(`http://${host}/`)).status).toBe(200);
    const registry = new ProcessRegistry({ file: path.join(settingsDir, 'processes.json') });
    const [entry] = await registry.list();
    expect(entry).toMatchObject({ component: 'ollama', startedBy: 'cli' });
    setups.push({ dataDir: settingsDir, service: { dispose: async () => undefined } } as unknown as Setup);

    const status = await runCliProcess(['status', '--json'], common);
    const ollama = (JSON.parse(status.stdout) as { components: { id: string }[] }).components.find(
      (c) => c.id === 'ollama',
    );
    expect(ollama).toMatchObject({ state: 'running', owner: 'cli', pid: entry?.pid, url: `http://${host}` });

    const stop = await runCliProcess(['stop', 'ollama'], common);
    expect(stop.code, stop.stderr).toBe(0);
    // Reparented to init once the first CLI exited: a zombie until reaped, which counts as gone.
    expect(processRunning(entry?.pid as number)).toBe(false);
    expect(await registry.list()).toEqual([]);
    expect(await fetch(`http://${host}/`).catch(() => 'refused')).toBe('refused');
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
