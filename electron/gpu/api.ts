/**
 * What the rest of the app (IPC handlers, tray, CLI, E2E harness) may ask of the GPU capability: the
 * VRAM summary (also the app snapshot's `gpu` part), sampling on demand, the samples as a topic, and the
 * unload actions. Implemented by `GpuService` in this folder.
 */
import type { GpuSummary } from '../core/contract';
import type { TopicSource } from '../core/subscriptions';
import type { GpuFacts, GpuTick } from './contract';

/**
 * Who needs readings, which sets the cadence: a view (the GPU page, a `gpu-samples` subscriber, the
 * CLI's --watch) or the tray tooltip — every second; only the tray badge — every 5 s; nobody — no
 * nvidia-smi at all.
 */
export type GpuNeed = 'view' | 'tooltip' | 'badge';

/** MiB the action freed, measured on GPU 0 before and after (negative: it took VRAM); null when unknown. */
export interface Freed {
  freed: number | null;
}

export interface GpuApi {
  /** The latest summary: what the snapshot's `gpu` part holds (or will at the next write). */
  summary(): GpuSummary;
  /** Registers a need until the returned release is called (calling it twice is harmless). */
  need(kind: GpuNeed): () => void;
  /** Every change of the summary (each tick, each sampler state), unthrottled; no need of its own. */
  onSummary(listener: (summary: GpuSummary) => void): () => void;
  /** The `gpu-samples` topic: the history (10 minutes), then each tick; a subscriber is a 'view' need. */
  samplesSource(): TopicSource<Record<string, never>, GpuTick>;
  /** The static facts (GPU model, driver, system RAM), read once. */
  facts(): Promise<GpuFacts>;
  /**
   * One nvidia-smi run and one look at who holds the VRAM, whatever the monitoring setting says (the
   * CLI's `gpu`: an explicit request). Does not touch the streaming sampler.
   */
  readOnce(): Promise<GpuSummary>;
  /** One model (`keep_alive: 0`), or every loaded one; waits until Ollama lets go. */
  unloadOllama(model?: string): Promise<Freed>;
  unloadA1111(): Promise<Freed>;
  reloadA1111(): Promise<Freed>;
  /** Stops nvidia-smi and the polling; later calls do nothing. */
  dispose(): Promise<void>;
}
