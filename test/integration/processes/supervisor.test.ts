/**
 * The supervision core across programs, as the app and `dify-stack` use it: a CLI-style run (its own
 * Node process) starts the generic server double and ends while the server goes on; the app's
 * supervisor finds it in the registry, follows it, notices when it crashes (no child of its own to hear
 * the exit from: by looking) and stops it — the whole process group, even what ignores SIGTERM.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { processRunning, treeAlive } from '../../../electron/processes/process-tree';
import { ProcessRegistry } from '../../../electron/processes/registry';
import type {
  LaunchSpec,
  Supervisor,
  SupervisorOptions,
  SupervisorState,
} from '../../../electron/processes/supervisor';
import { genericServerSpec, pidFromFile, scriptRunning, serves } from '../../doubles/generic-server-spec';
import { useSupervisionSandbox } from '../../doubles/supervision-sandbox';
import { freePort } from '../../helpers/free-port';

const ROOT = resolve(__dirname, '../../..');
const box = useSupervisionSandbox('dst-supervision-');
const { dir, registryFile, logFile, pidFiles } = box;
let port: number;

beforeEach(async () => {
  port = await freePort();
});

function doubleSpec(env: Record<string, string>): LaunchSpec {
  const pidFile = join(dir(), `double-${pidFiles.length}.pid`);
  const grandchildFile = join(dir(), `grandchild-${pidFiles.length}.pid`);
  pidFiles.push(pidFile, grandchildFile);
  return genericServerSpec(port, dir(), {
    DOUBLE_PIDFILE: pidFile,
    DOUBLE_GRANDCHILD: '1',
    DOUBLE_GRANDCHILD_PIDFILE: grandchildFile,
    ...env,
  });
}

/**
 * A one-shot program like `dify-stack ollama start`: its own Node process, a Supervisor of program
 * 'cli' that starts the server, waits until it serves, and is disposed; the process must then end by
 * itself (nothing of the server may keep it alive). Resolves with the state it printed.
 */
async function cliStart(spec: LaunchSpec): Promise<SupervisorState> {
  const script = join(dir(), 'cli-start.ts');
  const from = (file: string) => JSON.stringify(join(ROOT, file));
  await writeFile(
    script,
    `import { ProcessRegistry } from ${from('electron/processes/registry.ts')};
     import { Supervisor } from ${from('electron/processes/supervisor.ts')};
     import { serves } from ${from('test/doubles/generic-server-spec.ts')};
     const [registryFile, logFile, port, spec] = process.argv.slice(2);
     void (async () => {
       const s = new Supervisor({ component: 'ollama', registry: new ProcessRegistry({ file: registryFile }),
         program: 'cli', logFile, port: Number(port), ready: (signal) => serves(Number(port), signal) });
       await s.start(JSON.parse(spec), new AbortController().signal);
       s.dispose();
       console.log(JSON.stringify(s.state()));
     })();`,
  );
  return new Promise((resolveRun, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, registryFile(), logFile(), String(port), JSON.stringify(spec)],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolveRun(JSON.parse(stdout) as SupervisorState),
    );
  });
}

const appSupervisor = (over: Partial<SupervisorOptions> = {}): Supervisor =>
  box.supervisor(port, { graceMs: 1_000, ...over });

describe('supervision across the app and CLI runs', () => {
  it('a CLI run starts it and ends; the app attaches from the registry and stops the whole group', async () => {
    const spec = doubleSpec({ DOUBLE_IGNORE_SIGTERM: '1', DOUBLE_START_DELAY_MS: '500' });
    const cli = await cliStart(spec); // resolves only once that process has ended
    expect(cli).toMatchObject({ running: true, owner: 'cli', kind: 'child' });
    const pid = await pidFromFile(pidFiles[0]!);
    const grandchild = await pidFromFile(pidFiles[1]!);
    await scriptRunning(grandchild); // its SIGTERM handler is in place: only the group kill ends it
    expect(cli.pid).toBe(pid);
    expect(await serves(port)).toBe(true); // outlived the program that started it

    const app = appSupervisor();
    expect(await app.attach()).toBe(true);
    expect(app.state()).toMatchObject({
      pid,
      owner: 'cli',
      kind: 'child',
      running: true,
      logFile: logFile(),
    });
    expect(app.state().lastLines).toContain('serving');

    await app.stop();
    expect(processRunning(pid)).toBe(false);
    expect(processRunning(grandchild)).toBe(false);
    expect(treeAlive(pid)).toBe(false);
    expect(await new ProcessRegistry({ file: registryFile() }).list()).toEqual([]);
    // A second CLI-style look finds nothing to attach to.
    expect(await appSupervisor().attach()).toBe(false);
  }, 90_000);

  it('the app starting it finds the CLI-started one running and starts no second', async () => {
    await cliStart(doubleSpec({}));
    const pid = await pidFromFile(pidFiles[0]!);
    const app = appSupervisor();
    await app.start(doubleSpec({}), new AbortController().signal);
    expect(app.state()).toMatchObject({ pid, owner: 'cli', running: true });
    await app.stop();
    expect(treeAlive(pid)).toBe(false);
  }, 90_000);

  it('an attached process that crashes is noticed within 5 s (exit code unknown) and started again', async () => {
    await cliStart(doubleSpec({ DOUBLE_CRASH_AFTER_MS: '3000', DOUBLE_CRASH_CODE: '9' }));
    const pid = await pidFromFile(pidFiles[0]!);
    // The respawned one must not crash: the crash is asked for in the CLI's spec only.
    const calm = doubleSpec({});
    const app = appSupervisor({
      restart: { enabled: () => true, baseMs: 200, maxAttempts: 2 },
      respawn: async () => calm,
    });
    let noticed: SupervisorState | null = null;
    expect(await app.attach()).toBe(true);
    app.watch();

    // When the server really ended, seen from here; then the supervisor has 5 s to notice.
    await vi.waitFor(() => expect(processRunning(pid)).toBe(false), { timeout: 20_000, interval: 20 });
    await vi.waitFor(
      () => {
        const st = app.state();
        expect(st.crashed || st.restarts > 0).toBe(true);
        noticed = st;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(noticed!.lastExitCode).toBeNull(); // another program's child: its exit code is not ours to know

    await vi.waitFor(
      () => expect(app.state()).toMatchObject({ running: true, restarts: 1, crashed: false }),
      {
        timeout: 20_000,
        interval: 50,
      },
    );
    const again = app.state();
    expect(again.pid).not.toBe(pid);
    expect(again.owner).toBe('app');
    expect(await serves(port)).toBe(true);
    await app.stop();
    expect(treeAlive(again.pid!)).toBe(false);
  }, 90_000);
});
