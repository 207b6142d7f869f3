/**
 * Saves in a plugin folder, for the debug run's restart: chokidar over the folder, a burst of events
 * folded into one change 200 ms after the last (an editor's save is several events; a formatter on save
 * writes again right after). Whether requirements.txt changed is the runner's to tell, from its hash.
 *
 * Left out, as the package leaves them out (package-files.ts): the root `.difyignore`/`.gitignore`
 * rules and `.venv`, `__pycache__`, `.git`; also editors' swap and backup files, which are not code.
 * `.env` counts only when its bytes differ from what the session wrote itself: writing the key must
 * not restart the plugin, the user adding a credential there must.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import ignore, { type Ignore } from 'ignore';
import { ALWAYS_EXCLUDED, IGNORE_FILES, loadIgnoreRules, safeIgnores } from './package-files';

export const DEBOUNCE_MS = 200;

export interface FolderChange {
  /** Changed paths, relative with forward slashes, sorted. */
  files: string[];
}

export interface FolderWatchOptions {
  onChange: (change: FolderChange) => void;
  onError?: (error: Error) => void;
  debounceMs?: number;
}

/**
 * Vim's swap files and its write probe `4913`, Emacs' lock and auto-save files, `name~` backups, and
 * the temp files of our own atomic `.env` write (atomic-write.ts names them `.env.<pid>.<hex>.tmp`).
 */
const NOT_CODE = ignore().add(['*.swp', '*.swx', '*~', '.#*', '#*#', '4913', '.env.*.tmp']);

export class FolderWatch {
  private watcher: FSWatcher | null = null;
  private rules: Ignore | null = null;
  private readonly always = ignore().add([...ALWAYS_EXCLUDED]);
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** The `.env` bytes the session wrote last: a change to exactly these is our own. */
  private ownEnv: Buffer | null = null;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly options: FolderWatchOptions,
  ) {}

  /** Resolves once the initial scan is done: saves from then on are seen. */
  async start(): Promise<void> {
    this.rules = (await loadIgnoreRules(this.dir)).rules;
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      ignored: (abs, stats) => this.ignored(abs, stats?.isDirectory()),
    });
    this.watcher = watcher;
    watcher.on('all', (event, abs) => {
      if (event === 'addDir' || event === 'unlinkDir') return;
      void this.seen(abs);
    });
    watcher.on('error', (e) => this.options.onError?.(e instanceof Error ? e : new Error(String(e))));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  /** What the session just wrote to `.env`: that change is not a save. */
  ownEnvWrite(bytes: Buffer): void {
    this.ownEnv = bytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.watcher?.close();
    this.watcher = null;
  }

  private relative(abs: string): string {
    return path.relative(this.dir, abs).split(path.sep).join('/');
  }

  private ignored(abs: string, isDir: boolean | undefined): boolean {
    const rel = this.relative(abs);
    // `.env` is left out of packages but read by the plugin at its start: watched (see `seen`).
    if (rel === '' || rel.startsWith('..') || rel === '.env') return false;
    const probes = isDir === undefined ? [rel, `${rel}/`] : [isDir ? `${rel}/` : rel];
    return probes.some(
      (p) =>
        safeIgnores(this.always, p) ||
        safeIgnores(NOT_CODE, p) ||
        (this.rules !== null && safeIgnores(this.rules, p)),
    );
  }

  private async seen(abs: string): Promise<void> {
    const rel = this.relative(abs);
    if ((IGNORE_FILES as readonly string[]).includes(rel)) {
      // New rules apply to what is seen next; the rules themselves are no code to restart for.
      this.rules = (await loadIgnoreRules(this.dir).catch(() => ({ rules: null }))).rules;
      return;
    }
    if (this.closed) return;
    this.pending.add(rel);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.options.debounceMs ?? DEBOUNCE_MS);
  }

  /** Judged when the burst ends, not at the event: the session learns what it wrote only after writing. */
  private async isOwnEnv(): Promise<boolean> {
    if (!this.ownEnv) return false;
    const now = await fsp.readFile(path.join(this.dir, '.env')).catch(() => null);
    return now !== null && now.equals(this.ownEnv);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const pending = this.pending;
    this.pending = new Set();
    if (pending.has('.env') && (await this.isOwnEnv())) pending.delete('.env');
    const files = [...pending].sort();
    if (files.length === 0 || this.closed) return;
    this.options.onChange({ files });
  }
}
