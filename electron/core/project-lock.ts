/**
 * One writer per Dify project across processes. The app and every `dify-stack` CLI run are separate
 * processes; the JobManager's queue only orders jobs inside one of them, so two programs could each read
 * `.env`, change a different key and rename their copy over the other's (a lost update). Every project
 * job therefore holds a lock file in the per-user app-data folder, keyed by the project folder, for its
 * whole run: file writes, compose, health wait and rollback.
 *
 * The lock itself is proper-lockfile's (an atomic `mkdir`, its mtime refreshed while held): a holder that
 * crashes stops refreshing and its lock goes stale after `staleMs`, when the next writer takes it over.
 * Beside it a small holder file says who holds it (program, action, pid and that process's start time),
 * so a waiter can say "waiting for the dify-stack CLI (env set, pid 4242)" and tell a dead holder — or a
 * reused pid — from a live one.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { cancellableDelay } from './cancellable-delay';
import { AppError } from './errors';
import { pidAlive } from './pid-alive';
import { processStartTime } from './process-start-time';

export interface LockHolder {
  /** 'app' or 'cli'. */
  program: string;
  /** What the holder is doing (the job kind, e.g. `env.apply`). */
  action: string;
  pid: number;
  /** When the holder's process started (ms since the epoch): a reused pid has another start time. */
  processStart: number;
  /** When the lock was taken (ms since the epoch). */
  since: number;
}

export interface ProjectLockOptions {
  /** Folder for the lock files (app data). */
  dir: string;
  program: string;
  /** A held lock is refreshed every staleMs/2; one not refreshed for staleMs is taken over. */
  staleMs?: number;
  /** How often a waiter looks again. */
  pollMs?: number;
  /** Whether the holder's process still runs (injectable for tests). */
  isAlive?: (holder: LockHolder) => boolean;
  platform?: NodeJS.Platform;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Give up after this long (PROJECT_BUSY). */
  timeoutMs?: number;
  /** Called when the lock is found held, and again whenever the holder changes. */
  onWait?: (holder: LockHolder | null, holderAlive: boolean) => void;
}

export type ReleaseLock = () => Promise<void>;

export const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;

/** The key of a project folder: the same folder spelled differently (case on Windows, `..`) is one lock. */
export function projectLockKey(projectDir: string, platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  let normal = p.resolve(projectDir);
  if (platform === 'win32') normal = normal.toLowerCase();
  normal = normal.replace(/[\\/]+$/, '') || normal;
  return createHash('sha256').update(normal).digest('hex').slice(0, 24);
}

export class ProjectLocks {
  private readonly staleMs: number;
  private readonly pollMs: number;
  private readonly isAlive: (holder: LockHolder) => boolean;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: ProjectLockOptions) {
    this.staleMs = Math.max(options.staleMs ?? 10_000, 5_000);
    this.pollMs = options.pollMs ?? 250;
    this.platform = options.platform ?? process.platform;
    this.isAlive = options.isAlive ?? holderProcessAlive;
  }

  /** Waits until this process holds the project's lock; the returned function gives it back. */
  async acquire(projectDir: string, action: string, opts: AcquireOptions = {}): Promise<ReleaseLock> {
    const target = path.join(this.options.dir, projectLockKey(projectDir, this.platform));
    await fsp.mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_WAIT_MS;
    let lastSeen: string | null = null;
    for (;;) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED');
      const release = await this.tryLock(target);
      if (release) {
        const holder: LockHolder = {
          program: this.options.program,
          action,
          pid: process.pid,
          processStart: ownProcessStart(),
          since: Date.now(),
        };
        await writeFileAtomic(holderFile(target), JSON.stringify(holder), { mode: 0o600 }).catch(
          () => undefined, // Only the waiters' message depends on it.
        );
        return async () => {
          await fsp.rm(holderFile(target), { force: true }).catch(() => undefined);
          await release().catch(() => undefined); // Already taken over as stale: nothing left to give back.
        };
      }
      const holder = await readHolder(target);
      const alive = holder ? this.isAlive(holder) : true;
      const seen = JSON.stringify([holder, alive]);
      if (seen !== lastSeen) {
        lastSeen = seen;
        opts.onWait?.(holder, alive);
      }
      if (Date.now() - started >= timeoutMs) {
        throw new AppError('PROJECT_BUSY', {
          params: {
            program: holder?.program ?? 'unknown',
            action: holder?.action ?? 'unknown',
            pid: holder?.pid ?? 0,
            dir: projectDir,
          },
        });
      }
      await cancellableDelay(this.pollMs, opts.signal);
    }
  }

  private async tryLock(target: string): Promise<(() => Promise<void>) | null> {
    try {
      return await lockfile.lock(target, {
        realpath: false,
        stale: this.staleMs,
        retries: 0,
        // A lock that could not be refreshed in time may have been taken over; the job's own writes are
        // each atomic, so say so instead of crashing the process (proper-lockfile's default throws).
        onCompromised: (e: Error) => console.warn(`project lock lost: ${e.message}`),
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') return null;
      throw e;
    }
  }
}

const holderFile = (target: string): string => `${target}.holder.json`;

async function readHolder(target: string): Promise<LockHolder | null> {
  try {
    const raw = JSON.parse(await fsp.readFile(holderFile(target), 'utf8')) as Partial<LockHolder>;
    if (typeof raw.pid !== 'number' || typeof raw.program !== 'string') return null;
    return {
      program: raw.program,
      action: typeof raw.action === 'string' ? raw.action : 'unknown',
      pid: raw.pid,
      processStart: typeof raw.processStart === 'number' ? raw.processStart : 0,
      since: typeof raw.since === 'number' ? raw.since : 0,
    };
  } catch {
    return null; // Not written yet, or being replaced: the next look will see it.
  }
}

let ownStart: number | null = null;
function ownProcessStart(): number {
  ownStart ??= processStartTime(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000);
  return ownStart;
}

/** The holder's pid runs, and (where the OS tells) it is the same process that took the lock. */
export function holderProcessAlive(holder: LockHolder): boolean {
  if (!pidAlive(holder.pid)) return false;
  const start = processStartTime(holder.pid);
  // Both figures are rounded through /proc's 10 ms ticks and btime's seconds: allow 2 s.
  return start === null || holder.processStart === 0 || Math.abs(start - holder.processStart) < 2_000;
}
