/**
 * The one app snapshot: every service writes its own slice, and the renderer (`status` event,
 * `status:get`), the tray and the CLI render the whole. A capability added later (Ollama/A1111
 * supervision, GPU VRAM…) gets a slice here instead of a snapshot of its own, so the views keep one
 * source and one "updated at".
 */
import { AppError } from './errors';
import { type ComponentId, type ComponentStatus, type PluginsSummary, type StatusSnapshot } from './contract';

/** Each writer's slice; a write replaces exactly one of them. */
export interface SnapshotSlices {
  /** The Docker engine and the Dify compose project (electron/stack). */
  stack: { components: ComponentStatus[]; project: StatusSnapshot['project'] };
  /** Ollama and AUTOMATIC1111, once their supervision exists (electron/processes). */
  processes: { components: ComponentStatus[] };
  /** Registered plugin folders (electron/plugins). */
  plugins: PluginsSummary;
  /** GPU VRAM (electron/gpu). */
  gpu: StatusSnapshot['gpu'];
  /** The plugin daemon's error badge (electron/logs). */
  logs: StatusSnapshot['logs'];
}

export type SnapshotWriter = keyof SnapshotSlices;

/**
 * Who may report which component. Fixed rather than first-come: a component reported by two writers
 * would flip between their views at every write, which is a bug to catch at the first write.
 */
const COMPONENT_WRITERS: Record<ComponentId, SnapshotWriter> = {
  docker: 'stack',
  dify: 'stack',
  ollama: 'processes',
  a1111: 'processes',
};

/** The views list components in this order whatever order the writers wrote them in. */
// The writers' keys, in ComponentIdSchema's order (test/unit/core/app-snapshot.test.ts): not the schema
// itself, so that the CLI's quick status builds a snapshot without loading zod (issue 8).
const COMPONENT_ORDER = Object.keys(COMPONENT_WRITERS) as readonly ComponentId[];

/** A writer's handle on its own slice: it can replace that slice and nothing else. */
export interface SnapshotPart<W extends SnapshotWriter> {
  set(value: SnapshotSlices[W]): void;
}

export interface SnapshotReader {
  get(): StatusSnapshot;
  /** Called once per burst of changes (writes in one tick are folded), with the latest snapshot. */
  onChange(listener: (snapshot: StatusSnapshot) => void): () => void;
}

export interface AppSnapshotStoreOptions {
  now?: () => number;
  /** Where a throwing listener is reported; it must not keep the others from hearing the change. */
  onListenerError?: (error: unknown) => void;
}

export class AppSnapshotStore implements SnapshotReader {
  private slices: SnapshotSlices = {
    stack: { components: [], project: null },
    processes: { components: [] },
    plugins: { folders: [] },
    gpu: null,
    logs: null,
  };
  private snapshot: StatusSnapshot;
  private readonly listeners = new Set<(snapshot: StatusSnapshot) => void>();
  private notifyQueued = false;
  private disposed = false;
  private readonly now: () => number;
  private readonly onListenerError: (error: unknown) => void;

  constructor(options: AppSnapshotStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.onListenerError =
      options.onListenerError ?? ((e) => console.error('app snapshot listener failed:', e));
    this.snapshot = this.compose(this.now());
  }

  get(): StatusSnapshot {
    return this.snapshot;
  }

  onChange(listener: (snapshot: StatusSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Replaces `writer`'s slice. `updatedAt` moves on every write — it tells when the picture was last
   * confirmed (the dashboard shows it after a refresh that changed nothing) — but listeners hear only
   * real changes: a burst of Docker events often leaves the picture the same.
   */
  update<W extends SnapshotWriter>(writer: W, value: SnapshotSlices[W]): StatusSnapshot {
    const next = { ...this.slices };
    next[writer] = value;
    checkComponentOwners(next);
    const changed = JSON.stringify(this.slices[writer]) !== JSON.stringify(value);
    this.slices = next;
    // Strictly increasing, so "keep the newer" in the renderer is never a tie between two writes.
    this.snapshot = this.compose(Math.max(this.now(), this.snapshot.updatedAt + 1));
    if (changed) this.queueNotify();
    return this.snapshot;
  }

  /** A handle that writes only `writer`'s slice, for services that need nothing else of the store. */
  part<W extends SnapshotWriter>(writer: W): SnapshotPart<W> {
    return { set: (value) => void this.update(writer, value) };
  }

  /** Listeners are dropped; later writes still update what `get` returns. */
  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  private compose(updatedAt: number): StatusSnapshot {
    const { stack, processes, plugins, gpu, logs } = this.slices;
    const rank = (c: ComponentStatus) => COMPONENT_ORDER.indexOf(c.id);
    const components = [...stack.components, ...processes.components].sort((a, b) => rank(a) - rank(b));
    return { components, project: stack.project, plugins, gpu, logs, updatedAt };
  }

  /** One notification per tick: a refresh that writes several parts is heard once. */
  private queueNotify(): void {
    if (this.notifyQueued || this.disposed) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      if (this.disposed) return;
      const snapshot = this.snapshot;
      for (const listener of [...this.listeners]) {
        try {
          listener(snapshot);
        } catch (e) {
          this.onListenerError(e);
        }
      }
    });
  }
}

function checkComponentOwners(slices: SnapshotSlices): void {
  for (const writer of ['stack', 'processes'] as const) {
    for (const c of slices[writer].components) {
      if (COMPONENT_WRITERS[c.id] === writer) continue;
      throw new AppError('INTERNAL', {
        detail: `the ${writer} part may not report the ${c.id} component (${COMPONENT_WRITERS[c.id]} does)`,
      });
    }
  }
}
