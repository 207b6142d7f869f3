/**
 * One supervised program (processes/supervisor.ts) against the generic server double, with short
 * timings: start and readiness, the ways a start fails, cancel, stop, crash detection and restarts.
 * The cross-process flows (a CLI-style run that ends, a second program stopping it) are in
 * test/integration/processes/supervisor.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { processStartTime } from '../../../electron/core/process-start-time';
import { processRunning, treeAlive } from '../../../electron/processes/process-tree';
import { ProcessRegistry, type RegistryEntry } from '../../../electron/processes/registry';
import { Supervisor, type SupervisorOptions } from '../../../electron/processes/supervisor';
import { genericServerSpec, pidFromFile, scriptRunning, serves } from '../../doubles/generic-server-spec';
import { useSupervisionSandbox } from '../../doubles/supervision-sandbox';
import { freePort } from '../../helpers/free-port';

const box = useSupervisionSandbox('dst-supervisor-');
const { dir, registryFile, logFile, pidFiles } = box;
let port: number;
const strangers: ChildProcess[] = [];

beforeEach(async () => {
  port = await freePort();
});

afterEach(() => {
  for (const child of strangers.splice(0)) child.kill('SIGKILL');
});

function supervisor(over: Partial<SupervisorOptions> = {}): Supervisor {
  const timings = { readyPollMs: 50, readyTimeoutMs: 1_000, alivePollMs: 200, logPollMs: 50 };
  return box.supervisor(port, { graceMs: 2_000, timings, ...over });
}

/** The double's launch spec, its pid written to a file this test cleans up. */
function spec(env: Record<string, string> = {}) {
  const pidFile = join(dir(), `double-${pidFiles.length}.pid`);
  pidFiles.push(pidFile);
  return genericServerSpec(port, dir(), { DOUBLE_PIDFILE: pidFile, ...env });
}

const never = () => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

describe('Supervisor.start', () => {
  it('starts detached, in its own process group, waits until it serves, and registers it', async () => {
    const lines: string[] = [];
    const s = supervisor({ onLine: (l) => lines.push(l) });
    const before = Date.now();
    await s.start(spec({ DOUBLE_START_DELAY_MS: '300' }), never());
    expect(await serves(port)).toBe(true);
    const st = s.state();
    expect(st).toMatchObject({ running: true, starting: false, owner: 'app', kind: 'child', crashed: false });
    expect(st.pid).toBe(await pidFromFile(pidFiles[0]!));
    expect(st.startedAt).toBeGreaterThanOrEqual(before);
    if (process.platform !== 'win32') {
      // The leader of its own group: the tree kill reaches everything it starts.
      const stat = readFileSync(`/proc/${st.pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(st.pid);
    }
    const entry = await new ProcessRegistry({ file: registryFile() }).get('ollama');
    expect(entry).toMatchObject({ pid: st.pid, startedBy: 'app', kind: 'child', port, logFile: logFile() });
    if (process.platform === 'linux') expect(entry?.processStart).toBe(processStartTime(st.pid!));
    await vi.waitFor(() => expect(lines).toContain('serving'), { timeout: 5_000, interval: 20 });
    expect(lines[0]).toMatch(/^Listening on 127\.0\.0\.1:\d+/);
    expect(readFileSync(logFile(), 'utf8')).toContain('serving\n');
    await s.stop();
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
  }, 20_000);

  it('rotates the previous log at each start', async () => {
    const s = supervisor();
    await s.start(spec(), never());
    await s.stop();
    await s.start(spec(), never());
    expect(readFileSync(`${logFile()}.1`, 'utf8')).toContain('serving');
    await s.stop();
  }, 20_000);

  it('a second start while it runs starts nothing new', async () => {
    const s = supervisor();
    await s.start(spec(), never());
    const pid = s.state().pid;
    await s.start(spec(), never());
    expect(s.state().pid).toBe(pid);
    expect(pidFiles.slice(1).every((f) => !safeRead(f))).toBe(true);
    await s.stop();
  }, 20_000);

  it('ends before ready → PROCESS_EXITED with its exit code, last line and output; nothing left registered', async () => {
    // Crashes 100 ms after serving began, while `ready` says no yet.
    const s = supervisor({ ready: async () => false });
    const e = await failure(s.start(spec({ DOUBLE_CRASH_AFTER_MS: '100', DOUBLE_CRASH_CODE: '3' }), never()));
    expect(e.code).toBe('PROCESS_EXITED');
    expect(e.params).toMatchObject({ component: 'ollama', code: 3, lastLine: 'double: crashing as asked' });
    expect(e.detail).toContain('serving\ndouble: crashing as asked');
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
    expect(s.state().pid).toBeNull();
  }, 20_000);

  it('a port already taken: the exit code 1 and the bind error as last line', async () => {
    const s = supervisor();
    await s.start(spec(), never());
    // Another registry (no "already running"), and a readiness that cannot be fooled by the first server.
    const other = supervisor({
      registry: new ProcessRegistry({ file: join(dir(), 'other.json') }),
      ready: async () => false,
    });
    const e = await failure(other.start(spec(), never()));
    expect(e.code).toBe('PROCESS_EXITED');
    expect(e.params).toMatchObject({ code: 1, lastLine: expect.stringContaining('EADDRINUSE') });
    expect(other.state().lastExitCode).toBe(1);
    await s.stop();
  }, 20_000);

  it('a command that does not exist → PROCESS_EXITED naming the spawn error', async () => {
    const e = await failure(
      supervisor().start(
        { command: join(dir(), 'no-such-ollama'), args: ['serve'], cwd: dir(), env: {} },
        never(),
      ),
    );
    expect(e.code).toBe('PROCESS_EXITED');
    expect(e.params).toMatchObject({ code: 'ENOENT' });
  });

  it('a slow start that keeps printing keeps waiting past the quiet time', async () => {
    const s = supervisor({ quietTimeoutMs: 1_000 });
    // Three seconds without serving, a progress line every 200 ms.
    await s.start(spec({ DOUBLE_START_DELAY_MS: '3000', DOUBLE_PROGRESS_EVERY_MS: '200' }), never());
    expect(s.state().running).toBe(true);
    expect(s.state().lastLines).toContain('installing… step 5');
    await s.stop();
  }, 20_000);

  it('a silent one times out (PROCESS_START_TIMEOUT) and is stopped', async () => {
    const s = supervisor({ quietTimeoutMs: 1_000 });
    const e = await failure(s.start(spec({ DOUBLE_START_DELAY_MS: '60000' }), never()));
    expect(e.code).toBe('PROCESS_START_TIMEOUT');
    expect(e.params).toMatchObject({ component: 'ollama', quietSeconds: 1 });
    expect(e.detail).toMatch(/^Listening on/);
    const pid = await pidFromFile(pidFiles[0]!);
    expect(treeAlive(pid)).toBe(false);
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
  }, 20_000);

  it('the abort signal stops what was started, then CANCELLED', async () => {
    const s = supervisor();
    const abort = new AbortController();
    const started = s.start(spec({ DOUBLE_START_DELAY_MS: '60000' }), abort.signal);
    const pid = await pidFromFile(pidFiles[0]!);
    abort.abort();
    expect((await failure(started)).code).toBe('CANCELLED');
    expect(treeAlive(pid)).toBe(false);
    expect(s.state()).toMatchObject({ pid: null, running: false, starting: false });
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
  }, 20_000);
});

describe('Supervisor: a start and a stop at once', () => {
  it('two starts at once start one process', async () => {
    const s = supervisor();
    await Promise.all([s.start(spec({ DOUBLE_START_DELAY_MS: '300' }), never()), s.start(spec(), never())]);
    expect(s.state().running).toBe(true);
    expect(safeRead(pidFiles[1]!)).toBeNull();
    await s.stop();
  }, 20_000);

  it('stop() during a start: the start says CANCELLED and the process is gone', async () => {
    const s = supervisor();
    const started = failure(s.start(spec({ DOUBLE_START_DELAY_MS: '60000' }), never()));
    const pid = await pidFromFile(pidFiles[0]!);
    await s.stop();
    expect((await started).code).toBe('CANCELLED');
    expect(treeAlive(pid)).toBe(false);
    expect(s.state()).toMatchObject({ pid: null, running: false, starting: false });
  }, 20_000);

  it('stop() while waiting on a start another program made: no wait for its readiness', async () => {
    const starter = supervisor({ program: 'cli' });
    const first = starter.start(spec({ DOUBLE_START_DELAY_MS: '60000' }), never());
    const pid = await pidFromFile(pidFiles[0]!);
    await vi.waitFor(async () =>
      expect(await new ProcessRegistry({ file: registryFile() }).get('ollama')).not.toBeNull(),
    );
    starter.dispose(); // the CLI run ends; its start was never ready
    await first.catch(() => undefined);
    const app = supervisor();
    const joined = failure(app.start(spec(), never()));
    await vi.waitFor(() => expect(app.state()).toMatchObject({ pid, starting: true, owner: 'cli' }));
    await app.stop();
    expect((await joined).code).toBe('CANCELLED');
    expect(treeAlive(pid)).toBe(false);
  }, 20_000);

  it('stop() while a restart is waiting: it never happens', async () => {
    const s = supervisor({ restart: { enabled: () => true, baseMs: 1_000 } });
    s.watch();
    await s.start(spec({ DOUBLE_CRASH_AFTER_MS: '600' }), never());
    await vi.waitFor(() => expect(s.state().nextRestartAt).not.toBeNull(), { timeout: 5_000, interval: 20 });
    await s.stop();
    expect(s.state()).toMatchObject({ nextRestartAt: null, crashed: false });
    await new Promise((r) => setTimeout(r, 1_300));
    expect(s.state()).toMatchObject({ restarts: 0, pid: null, starting: false });
  }, 20_000);
});

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

describe('Supervisor.stop', () => {
  it('ends the process and its grandchild even when both ignore SIGTERM', async () => {
    const grandchildFile = join(dir(), 'grandchild.pid');
    pidFiles.push(grandchildFile);
    const s = supervisor({ graceMs: 500 });
    await s.start(
      spec({ DOUBLE_IGNORE_SIGTERM: '1', DOUBLE_GRANDCHILD: '1', DOUBLE_GRANDCHILD_PIDFILE: grandchildFile }),
      never(),
    );
    const pid = s.state().pid!;
    const grandchild = await pidFromFile(grandchildFile);
    await scriptRunning(grandchild); // its SIGTERM handler is in place: only the group kill ends it
    expect(processRunning(grandchild)).toBe(true);
    await s.stop();
    expect(processRunning(pid)).toBe(false);
    expect(processRunning(grandchild)).toBe(false);
    expect(s.state()).toMatchObject({ pid: null, running: false, crashed: false });
  }, 20_000);

  it('tries gracefulStop first; accepted and gone, nothing is signalled', async () => {
    let asked = 0;
    const s = supervisor({
      graceMs: 5_000,
      gracefulStop: async () => {
        asked++;
        process.kill(s.state().pid!, 'SIGINT'); // what the server's own stop endpoint would do
        return true;
      },
    });
    await s.start(spec(), never());
    await s.stop();
    expect(asked).toBe(1);
    expect(s.state().pid).toBeNull();
  }, 20_000);

  it('gracefulStop refused: the tree is terminated instead', async () => {
    const s = supervisor({ gracefulStop: async () => false });
    await s.start(spec(), never());
    const pid = s.state().pid!;
    await s.stop();
    expect(treeAlive(pid)).toBe(false);
  }, 20_000);

  it('gracefulStop accepted but a launcher stays (cmd.exe at `pause`): killed once the server is silent', async () => {
    // "Accepted", but the double keeps running; the server then stops answering.
    let serving = true;
    const s = supervisor({
      graceMs: 60_000,
      gracefulStop: async () => true,
      ready: async (signal) => serving && serves(port, signal),
    });
    await s.start(spec({ DOUBLE_IGNORE_SIGTERM: '1' }), never());
    const pid = s.state().pid!;
    serving = false;
    await s.stop();
    expect(treeAlive(pid)).toBe(false);
  }, 20_000);

  it('nothing running: stop is a no-op', async () => {
    await supervisor().stop();
  });

  it('a pid reused by another process is never attached nor killed', async () => {
    const stranger = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e6)'], { stdio: 'ignore' });
    strangers.push(stranger);
    const registry = new ProcessRegistry({ file: registryFile(), startTimeOf: async () => 1_000_000 });
    // Our entry says the process started long before this one did (as the real start times would).
    await registry.add(strangerEntry(stranger.pid!, 500_000));
    const s = supervisor({ registry });
    expect(await s.attach()).toBe(false);
    await s.stop();
    expect(processRunning(stranger.pid!)).toBe(true);
  });

  it('reused after it was attached (the start time cached): stop looks afresh and kills nothing', async () => {
    const stranger = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e6)'], { stdio: 'ignore' });
    strangers.push(stranger);
    let start = 500_000;
    const registry = new ProcessRegistry({
      file: registryFile(),
      startTimeOf: async () => start,
      startTimeCacheMs: 60_000,
    });
    await registry.add(strangerEntry(stranger.pid!, 500_000));
    const s = supervisor({ registry });
    expect(await s.attach()).toBe(true); // still "ours" at this point
    start = 1_000_000; // ours ended, and its pid now names another process
    await s.stop();
    expect(processRunning(stranger.pid!)).toBe(true);
    expect(s.state().pid).toBeNull();
  });
});

function strangerEntry(pid: number, processStart: number): RegistryEntry {
  return {
    component: 'ollama',
    pid,
    processStart,
    command: 'ollama',
    args: ['serve'],
    cwd: dir(),
    port,
    startedBy: 'cli',
    kind: 'child',
    startedAt: 0,
    logFile: null,
  };
}

describe('Supervisor.watch: crashes and restarts', () => {
  it('a crash of our child is seen at once: lastExitCode, lastLines, registry cleaned', async () => {
    const changes: number[] = [];
    const s = supervisor({ onChange: () => changes.push(Date.now()) });
    s.watch();
    await s.start(spec({ DOUBLE_CRASH_AFTER_MS: '600', DOUBLE_CRASH_CODE: '7' }), never());
    await vi.waitFor(() => expect(s.state().crashed).toBe(true), { timeout: 5_000, interval: 20 });
    const st = s.state();
    expect(st).toMatchObject({
      running: false,
      pid: null,
      lastExitCode: 7,
      restarts: 0,
      nextRestartAt: null,
    });
    expect(st.lastLines.at(-1)).toBe('double: crashing as asked');
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
  }, 20_000);

  it('restarts with growing delays up to the cap, then gives up after maxAttempts', async () => {
    const delays: number[] = [];
    let seen: number | null = null;
    let enabled = true;
    const s: Supervisor = supervisor({
      restart: { enabled: () => enabled, baseMs: 100, maxMs: 400, maxAttempts: 4 },
      onChange: () => {
        const next = s.state().nextRestartAt;
        if (next !== null && next !== seen) delays.push(next - Date.now());
        seen = next;
      },
    });
    s.watch();
    await s.start(spec({ DOUBLE_CRASH_AFTER_MS: '600', DOUBLE_CRASH_CODE: '5' }), never());
    await vi.waitFor(
      () => {
        expect(s.state().restarts).toBe(4);
        expect(s.state()).toMatchObject({
          crashed: true,
          running: false,
          starting: false,
          nextRestartAt: null,
        });
      },
      { timeout: 15_000, interval: 50 },
    );
    // base·2^n capped: 100, 200, 400, 400 (each figure read right after it was set: within a few ms).
    expect(delays).toHaveLength(4);
    [100, 200, 400, 400].forEach((want, i) => expect(Math.abs(delays[i]! - want)).toBeLessThan(20));
    expect(s.state().lastExitCode).toBe(5);
    enabled = false;
  }, 30_000);

  it('no restart when restart.enabled() says no, nor after stop()', async () => {
    const s = supervisor({ restart: { enabled: () => false, baseMs: 50 } });
    s.watch();
    await s.start(spec({ DOUBLE_CRASH_AFTER_MS: '600' }), never());
    await vi.waitFor(() => expect(s.state().crashed).toBe(true), { timeout: 5_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.state()).toMatchObject({ restarts: 0, nextRestartAt: null });

    const t = supervisor({ restart: { enabled: () => true, baseMs: 50 } });
    t.watch();
    await t.start(spec(), never());
    await t.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(t.state()).toMatchObject({ restarts: 0, pid: null, crashed: false });
  }, 20_000);

  it('a restart that works clears crashed and keeps serving', async () => {
    // The first run crashes; the restart (same spec object, changed meanwhile) serves.
    const s = supervisor({ restart: { enabled: () => true, baseMs: 50, maxAttempts: 3 } });
    s.watch();
    const first = spec({ DOUBLE_CRASH_AFTER_MS: '600' });
    await s.start(first, never());
    const firstPid = s.state().pid;
    delete first.env.DOUBLE_CRASH_AFTER_MS; // the same spec object is used for the restart
    await vi.waitFor(
      () => {
        expect(s.state().restarts).toBe(1);
        expect(s.state()).toMatchObject({ running: true, crashed: false });
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(s.state().pid).not.toBe(firstPid);
    expect(await serves(port)).toBe(true);
    await s.stop();
  }, 20_000);
});
