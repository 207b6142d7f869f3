/**
 * The cross-process project lock (electron/core/project-lock.ts): one holder at a time, waiters told who
 * holds it, a timeout with a clear error, cancel while waiting, and a holder that died (a killed process)
 * taken over once its lock goes stale — with a real second process, not a simulation.
 */
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import {
  holderProcessAlive,
  projectLockKey,
  ProjectLocks,
  type LockHolder,
} from '../../../electron/core/project-lock';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-lock-');
const locks = (program: string, extra: Partial<ConstructorParameters<typeof ProjectLocks>[0]> = {}) =>
  new ProjectLocks({ dir: join(dir(), 'locks'), program, pollMs: 20, ...extra });

describe('projectLockKey', () => {
  it('is one key for one folder however it is spelled', () => {
    expect(projectLockKey('/srv/dify/docker/', 'linux')).toBe(projectLockKey('/srv/dify/docker', 'linux'));
    expect(projectLockKey('/srv/dify/x/../docker', 'linux')).toBe(
      projectLockKey('/srv/dify/docker', 'linux'),
    );
    expect(projectLockKey('D:\\Dify\\Docker', 'win32')).toBe(projectLockKey('d:\\dify\\docker\\', 'win32'));
    expect(projectLockKey('/srv/dify/docker', 'linux')).not.toBe(
      projectLockKey('/srv/dify/docker2', 'linux'),
    );
  });
});

describe('ProjectLocks', () => {
  it('lets one holder in at a time; the waiter is told who holds it and gets it on release', async () => {
    const app = locks('Dify Stack Tray');
    const cli = locks('dify-stack CLI');
    const releaseApp = await app.acquire('/p/docker', 'env.apply');
    const seen: Array<LockHolder | null> = [];
    let cliHas = false;
    const cliGot = cli.acquire('/p/docker', 'stack.start', { onWait: (h) => seen.push(h) }).then((r) => {
      cliHas = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(cliHas).toBe(false);
    expect(seen[0]).toMatchObject({ program: 'Dify Stack Tray', action: 'env.apply', pid: process.pid });
    await releaseApp();
    const releaseCli = await cliGot;
    expect(cliHas).toBe(true);
    await releaseCli();
  });

  it('other projects are not blocked', async () => {
    const a = locks('a');
    const r1 = await a.acquire('/p/one', 'x');
    const r2 = await a.acquire('/p/two', 'x', { timeoutMs: 200 });
    await r1();
    await r2();
  });

  it('gives up after the timeout with PROJECT_BUSY naming the holder', async () => {
    const app = locks('Dify Stack Tray');
    const release = await app.acquire('/p/docker', 'env.apply');
    const err = await locks('dify-stack CLI')
      .acquire('/p/docker', 'env.apply', { timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('PROJECT_BUSY');
    expect((err as AppError).params).toMatchObject({ program: 'Dify Stack Tray', pid: process.pid });
    expect((err as AppError).message).toContain('Dify Stack Tray');
    await release();
  });

  it('stops waiting when cancelled', async () => {
    const release = await locks('a').acquire('/p/docker', 'x');
    const controller = new AbortController();
    const waiting = locks('b').acquire('/p/docker', 'x', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    await release();
  });

  it('takes over the lock of a process that was killed while holding it', async () => {
    const lockDir = join(dir(), 'locks');
    const script = join(dir(), 'holder.cjs');
    // The child holds the lock with the real module (bundled by vitest's loader is not available to a
    // plain child, so it uses proper-lockfile directly the same way project-lock.ts does).
    writeFileSync(
      script,
      `const lockfile = require(${JSON.stringify(require.resolve('proper-lockfile'))});
       const fs = require('node:fs');
       const target = process.argv[2];
       fs.mkdirSync(require('node:path').dirname(target), { recursive: true });
       lockfile.lock(target, { realpath: false, stale: 5000, retries: 0 }).then(() => {
         fs.writeFileSync(target + '.holder.json', JSON.stringify({ program: 'dify-stack CLI', action: 'env.apply', pid: process.pid, processStart: 0, since: Date.now() }));
         process.send('locked');
       });
       setInterval(() => {}, 1000);`,
    );
    const target = join(lockDir, projectLockKey('/p/docker'));
    const child = fork(script, [target], { stdio: 'ignore' });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(`${target}.lock`)).toBe(true);

    const waits: boolean[] = [];
    const started = Date.now();
    const release = await locks('Dify Stack Tray', { staleMs: 5000 }).acquire('/p/docker', 'env.apply', {
      onWait: (_h, alive) => waits.push(alive),
    });
    // The dead holder was recognised as such while its lock was still fresh, then taken over.
    expect(waits).toEqual([false]);
    expect(Date.now() - started).toBeLessThan(9000);
    await release();
  }, 15_000);

  it('a live pid with another start time is not the holder (pid reuse)', () => {
    const me = { program: 'x', action: 'y', pid: process.pid, since: 0 };
    expect(holderProcessAlive({ ...me, processStart: 0 })).toBe(true);
    if (process.platform === 'linux') {
      expect(holderProcessAlive({ ...me, processStart: 1_000 })).toBe(false);
    }
    expect(holderProcessAlive({ ...me, pid: 2 ** 22 + 12345, processStart: 0 })).toBe(false);
  });
});
