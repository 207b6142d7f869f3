/** Ending a program with everything it started (processes/process-tree.ts), with the generic server double. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  killTree,
  processRunning,
  terminateTree,
  treeAlive,
  windowsTreeKill,
} from '../../../electron/processes/process-tree';
import {
  GENERIC_SERVER,
  killFromPidFiles,
  pidFromFile,
  scriptRunning,
} from '../../doubles/generic-server-spec';
import { freePort } from '../../helpers/free-port';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-tree-');
const pidFiles: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  killFromPidFiles(pidFiles.splice(0));
  for (const child of children.splice(0)) child.kill('SIGKILL'); // a no-op once it has exited
});

/** A plain Node process to kill, ended after the test whatever happens. */
function victim(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e6)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** The double as its own process-group leader (as the supervisor spawns it), plus its grandchild. */
async function startDouble(env: Record<string, string>): Promise<{ pid: number; grandchild: number }> {
  const pidFile = join(dir(), `double-${pidFiles.length}.pid`);
  const grandchildFile = join(dir(), `grandchild-${pidFiles.length}.pid`);
  pidFiles.push(pidFile, grandchildFile);
  const child = spawn(process.execPath, [GENERIC_SERVER], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      DOUBLE_PORT: String(await freePort()),
      DOUBLE_PIDFILE: pidFile,
      DOUBLE_GRANDCHILD: '1',
      DOUBLE_GRANDCHILD_PIDFILE: grandchildFile,
      ...env,
    },
  });
  child.unref();
  const pid = child.pid!;
  await pidFromFile(pidFile);
  if (env.DOUBLE_GRANDCHILD === '0') return { pid, grandchild: 0 };
  const grandchild = await pidFromFile(grandchildFile);
  await scriptRunning(grandchild);
  return { pid, grandchild };
}

describe('windowsTreeKill', () => {
  it('taskkill from System32 by absolute path (a SystemRoot with spaces), the whole tree, forced', () => {
    expect(windowsTreeKill(4242, { SystemRoot: 'D:\\My Windows', PATH: 'C:\\evil' })).toEqual({
      command: 'D:\\My Windows\\System32\\taskkill.exe',
      args: ['/PID', '4242', '/T', '/F'],
    });
    // Windows variables are case-insensitive.
    expect(windowsTreeKill(1, { SYSTEMROOT: 'C:\\WINDOWS' }).command).toBe(
      'C:\\WINDOWS\\System32\\taskkill.exe',
    );
  });

  it('killTree on win32 runs that command and then looks whether the pid is gone', async () => {
    const target = victim();
    const calls: string[][] = [];
    const run = async (cmd: string, args: string[]) => {
      calls.push([cmd, ...args]);
      target.kill('SIGKILL'); // What taskkill would do.
      return 0;
    };
    const env = { SystemRoot: 'C:\\Win Dows' };
    expect(await killTree(target.pid!, { platform: 'win32', env, run })).toBe(true);
    expect(calls).toEqual([['C:\\Win Dows\\System32\\taskkill.exe', '/PID', String(target.pid), '/T', '/F']]);
  });

  it('killTree on win32 says false when the process survives taskkill', async () => {
    const run = async () => 1;
    expect(await killTree(process.pid, { platform: 'win32', env: {}, run, waitMs: 100 })).toBe(false);
  });

  it('terminateTree on win32 kills at once (no signal a console-less process would see)', async () => {
    const target = victim();
    const run = async () => {
      target.kill('SIGKILL');
      return 0;
    };
    const t0 = Date.now();
    expect(await terminateTree(target.pid!, { platform: 'win32', env: {}, run, graceMs: 60_000 })).toBe(
      'killed',
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe.skipIf(process.platform === 'win32')('posix process groups', () => {
  it('terminateTree ends a server that stops on SIGTERM: exited', async () => {
    const pid = await startDouble({ DOUBLE_GRANDCHILD: '0' }).then((d) => d.pid);
    expect(treeAlive(pid)).toBe(true);
    expect(await terminateTree(pid, { graceMs: 5_000 })).toBe('exited');
    expect(treeAlive(pid)).toBe(false);
  });

  it('terminateTree kills the group when the leader stops on SIGTERM but a grandchild does not', async () => {
    const { pid, grandchild } = await startDouble({});
    expect(await terminateTree(pid, { graceMs: 300 })).toBe('killed');
    expect(processRunning(pid)).toBe(false);
    expect(processRunning(grandchild)).toBe(false);
  });

  it('terminateTree kills a server that ignores SIGTERM after the grace time, grandchild too', async () => {
    const { pid, grandchild } = await startDouble({ DOUBLE_IGNORE_SIGTERM: '1' });
    expect(await terminateTree(pid, { graceMs: 300 })).toBe('killed');
    expect(processRunning(pid)).toBe(false);
    expect(processRunning(grandchild)).toBe(false);
    expect(treeAlive(pid)).toBe(false);
  });

  it('the group is alive while a grandchild runs though its leader is gone; killTree ends it', async () => {
    const { pid, grandchild } = await startDouble({});
    process.kill(pid, 'SIGKILL'); // Only the leader, as Node's child.kill() would.
    await new Promise((r) => setTimeout(r, 200));
    expect(processRunning(pid)).toBe(false);
    expect(processRunning(grandchild)).toBe(true);
    expect(treeAlive(pid)).toBe(true);
    expect(await killTree(pid)).toBe(true);
    expect(processRunning(grandchild)).toBe(false);
  });

  it('nothing there: exited at once, and a pid that never was is not alive', async () => {
    expect(await terminateTree(2 ** 22 + 12345)).toBe('exited');
    expect(treeAlive(2 ** 22 + 12345)).toBe(false);
    expect(treeAlive(0)).toBe(false);
    expect(processRunning(process.pid)).toBe(true);
  });
});
