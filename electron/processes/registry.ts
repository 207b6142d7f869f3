/**
 * What our programs started, shared by the app and every `dify-stack` CLI run: a JSON file in app data.
 * A `serve` the CLI starts outlives the CLI (detached); the app, or the next CLI run, finds it here to
 * show, follow and stop it. Each entry keeps the pid AND its process's start time: a pid is reused once
 * its process ends, and a reused pid must never be taken for ours — least of all killed.
 *
 * Several programs change the file: every read-modify-write holds proper-lockfile's lock on it (an
 * atomic mkdir beside it, stale after 10 s when its holder died), and the file is replaced atomically
 * (write-file-atomic), so a reader never sees half a file.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { lazySchema } from '../core/lazy-schema';
import { processStartTimeOf, sameStart } from '../core/process-start-time';
import type { SupervisedId } from './contract';
import { processRunning } from './process-tree';

// Built when a file is there to check (core/lazy-schema.ts): a status with nothing registered loads
// no zod. The ids are the contract's (SupervisedIdSchema), checked by the type.
const RegistryEntrySchema = lazySchema((z) =>
  z.object({
    component: z.enum(['ollama', 'a1111'] as const satisfies readonly SupervisedId[]),
    pid: z.number().int().positive(),
    processStart: z.number().nullable(),
    command: z.string(),
    args: z.array(z.string()),
    cwd: z.string(),
    port: z.number().int().nullable(),
    startedBy: z.enum(['app', 'cli']),
    /** 'child': a server process we spawned; 'desktop-app': Ollama's desktop app we launched (it owns `serve`). */
    kind: z.enum(['child', 'desktop-app']),
    startedAt: z.number(),
    logFile: z.string().nullable(),
  }),
);

export type RegistryEntry = z.infer<ReturnType<typeof RegistryEntrySchema>>;

const FILE_VERSION = 1;

export interface RegistryOptions {
  file: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  startTimeOf?: (pid: number) => Promise<number | null>;
  isAlive?: (pid: number) => boolean;
  /**
   * How long a start time read for a pid is used again by looks that are not `fresh` (default: 30 s on
   * Windows, where each reading is a PowerShell run; 0 elsewhere, where /proc is cheap).
   */
  startTimeCacheMs?: number;
}

export interface LookOptions {
  /**
   * Read every start time now, never from the cache: for a look that may lead to a kill (a cached
   * reading cannot know that its pid was reused since).
   */
  fresh?: boolean;
}

export class ProcessRegistry {
  private readonly file: string;
  private readonly startTimeOf: (pid: number) => Promise<number | null>;
  private readonly isAlive: (pid: number) => boolean;
  private readonly cacheMs: number;
  private readonly startTimes = new Map<number, { start: number | null; at: number }>();

  constructor(opts: RegistryOptions) {
    this.file = opts.file;
    const platform = opts.platform ?? process.platform;
    this.startTimeOf = opts.startTimeOf ?? ((pid) => processStartTimeOf(pid, { platform, env: opts.env }));
    this.isAlive = opts.isAlive ?? ((pid) => processRunning(pid, platform));
    this.cacheMs = opts.startTimeCacheMs ?? (platform === 'win32' ? 30_000 : 0);
  }

  /** The pid's start time, from a reading younger than the cache time unless `fresh`. */
  private async startOf(pid: number, fresh: boolean): Promise<number | null> {
    const known = this.startTimes.get(pid);
    if (!fresh && known && Date.now() - known.at < this.cacheMs) return known.start;
    const start = await this.startTimeOf(pid);
    if (this.cacheMs > 0) this.startTimes.set(pid, { start, at: Date.now() });
    return start;
  }

  /**
   * Entries whose process still runs and is the same process (pid alive AND start time matches when
   * both known). Dead or pid-reused entries are pruned from the file.
   */
  async list(opts: LookOptions = {}): Promise<RegistryEntry[]> {
    // A look that has nothing to prune takes no lock: the file is replaced atomically, so a read sees
    // a whole file. Ollama's and A1111's looks at a `dify-stack status` would otherwise queue on the
    // lock, the second one retrying after 20 ms or more (issue 8).
    const peeked = await this.peek();
    // Start times read by the unlocked look are not read twice (on Windows each is a PowerShell run).
    const read = new Map<number, number | null>();
    if (peeked) {
      const live = await this.live(peeked, opts, read);
      if (live.length === peeked.length) return live;
    }
    return this.change(async (entries) => {
      const live = await this.live(entries, opts, read);
      return { entries: live, result: live };
    });
  }

  /** The entries whose process still runs and is the same process; start times go to / come from `read`. */
  private async live(
    entries: RegistryEntry[],
    opts: LookOptions,
    read: Map<number, number | null>,
  ): Promise<RegistryEntry[]> {
    const live: RegistryEntry[] = [];
    for (const entry of entries) {
      if (!this.isAlive(entry.pid)) {
        this.startTimes.delete(entry.pid);
        continue;
      }
      const start = read.has(entry.pid)
        ? (read.get(entry.pid) as number | null)
        : await this.startOf(entry.pid, opts.fresh ?? false);
      read.set(entry.pid, start);
      if (sameStart(entry.processStart, start)) live.push(entry);
    }
    return live;
  }

  /**
   * The entries read without the lock; null when only a locked read may judge the file (that one moves
   * a corrupt file aside).
   */
  private async peek(): Promise<RegistryEntry[] | null> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? [] : null;
    }
    return parseRegistry(text);
  }

  async get(component: SupervisedId, opts: LookOptions = {}): Promise<RegistryEntry | null> {
    return (await this.list(opts)).find((e) => e.component === component) ?? null;
  }

  /** Adds or replaces the component's entry. */
  add(entry: RegistryEntry): Promise<void> {
    const checked = RegistryEntrySchema().parse(entry);
    return this.change(async (entries) => ({
      entries: [...entries.filter((e) => e.component !== entry.component), checked],
      result: undefined,
    }));
  }

  /** Removes the entry if it still names this pid (another program may have replaced it). */
  remove(component: SupervisedId, pid: number): Promise<void> {
    return this.change(async (entries) => ({
      entries: entries.filter((e) => !(e.component === component && e.pid === pid)),
      result: undefined,
    }));
  }

  /** One read-modify-write under the lock; the file is written only when the entries changed. */
  private async change<T>(
    body: (entries: RegistryEntry[]) => Promise<{ entries: RegistryEntry[]; result: T }>,
  ): Promise<T> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Loaded by the first change: a look with nothing to prune takes no lock (list).
    const { default: lockfile } = await import('proper-lockfile');
    const release = await lockfile.lock(this.file, {
      realpath: false, // The file may not exist yet; the lock is the folder `<file>.lock` beside it.
      stale: 10_000,
      retries: { retries: 60, factor: 1.3, minTimeout: 20, maxTimeout: 500, randomize: true },
      // Held for a few reads and one write; if it ever was taken over, the atomic write still leaves a
      // whole file, and the next change corrects the entries. proper-lockfile's default would throw.
      onCompromised: (e: Error) => console.warn(`process registry lock lost: ${e.message}`),
    });
    try {
      const before = await this.read();
      const { entries, result } = await body(before);
      if (JSON.stringify(entries) !== JSON.stringify(before)) await this.write(entries);
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }

  private async read(): Promise<RegistryEntry[]> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const entries = parseRegistry(text);
    if (entries === null) {
      // Kept for a look, never a crash: the processes it named are found again by their ports.
      await fsp.rename(this.file, `${this.file}.corrupt-${Date.now()}`).catch(() => undefined);
      return [];
    }
    return entries;
  }

  private async write(entries: RegistryEntry[]): Promise<void> {
    const text = JSON.stringify({ version: FILE_VERSION, entries }, null, 2) + '\n';
    // Loaded only when something changed: a look that finds the file as it was writes nothing.
    const { default: writeFileAtomic } = await import('write-file-atomic');
    await writeFileAtomic(this.file, text, { mode: 0o600 });
  }
}

const RegistryFileSchema = lazySchema((z) =>
  z.object({ version: z.number(), entries: z.array(z.unknown()) }),
);

/**
 * The file's entries; null when it is not a registry at all. A single entry this version does not
 * understand (another version's component) is left out rather than condemning the whole file.
 */
export function parseRegistry(text: string): RegistryEntry[] | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const shape = RegistryFileSchema().safeParse(raw);
  if (!shape.success) return null;
  return shape.data.entries.flatMap((e) => {
    const entry = RegistryEntrySchema().safeParse(e);
    return entry.success ? [entry.data] : [];
  });
}
