/**
 * The GPU page's arithmetic: VRAM in GB, the gauge's share and tone, the consumer bar, what an unload
 * measured, and the 10-minute history the chart draws. Pure: unit tested (test/unit/renderer/gpu*.test.ts).
 * Unknown readings (null: nvidia-smi said `[N/A]`) stay unknown here and are shown as "—", never as 0.
 */
import type { GpuConsumer, GpuReading, GpuSummary } from '../../../electron/contract';
import type { GpuTick } from '../../../electron/gpu/contract';

export const UNKNOWN_TEXT = '—';

/**
 * nvidia-smi reports MiB; the page shows GB as Windows Task Manager does (1024-based), so a 4070's
 * 12282 MiB reads "12.0 GB" as the user knows it, not "12.9".
 */
const MIB_PER_GB = 1024;

export function gbOf(mib: number): number {
  return mib / MIB_PER_GB;
}

/**
 * Number formats by locale and kind, made once: the page formats a dozen figures a second and making
 * an Intl.NumberFormat costs more than using one (the gpu-render bench's profile showed it on top).
 */
const formats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, decimals: 0 | 1): Intl.NumberFormat {
  const key = `${locale}/${decimals}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    formats.set(key, format);
  }
  return format;
}

/** MiB → "7.8" in the window's language (one decimal), or "—" when unknown. */
export function formatGb(mib: number | null, locale: string): string {
  if (mib === null || !Number.isFinite(mib)) return UNKNOWN_TEXT;
  return numberFormat(locale, 1).format(gbOf(Math.max(0, mib)));
}

/** A whole number (%, °C) or "—". */
export function formatWhole(value: number | null, locale: string): string {
  if (value === null || !Number.isFinite(value)) return UNKNOWN_TEXT;
  return numberFormat(locale, 0).format(value);
}

export interface VramUse {
  used: number | null;
  total: number | null;
  free: number | null;
  /** used / total, 0–1; null when either is unknown. */
  share: number | null;
}

/**
 * One GPU's VRAM. A used figure nvidia-smi could not give is total − free when both are known (the
 * three are read in the same query, so they describe the same moment).
 */
export function vramUse(reading: GpuReading): VramUse {
  const { memoryTotal: total, memoryFree: reportedFree } = reading;
  const used =
    reading.memoryUsed ??
    (total !== null && reportedFree !== null ? Math.max(0, total - reportedFree) : null);
  const free = reportedFree ?? (total !== null && used !== null ? Math.max(0, total - used) : null);
  const share = used !== null && total !== null && total > 0 ? Math.min(1, Math.max(0, used / total)) : null;
  return { used, total, free, share };
}

export type GaugeTone = 'ok' | 'warn' | 'bad' | 'idle';

/** How close to full is worth a colour: at the alert threshold 'bad', within 10 points below it 'warn'. */
const WARN_BELOW_ALERT = 10;

export function vramTone(share: number | null, alertPercent: number): GaugeTone {
  if (share === null) return 'idle';
  const percent = share * 100;
  if (percent >= alertPercent) return 'bad';
  if (percent >= alertPercent - WARN_BELOW_ALERT) return 'warn';
  return 'ok';
}

/** The GPU to show: the one chosen if it is still there, else the first. */
export function pickGpu(gpus: readonly GpuReading[], chosen: number | null): GpuReading | null {
  return gpus.find((g) => g.index === chosen) ?? gpus[0] ?? null;
}

/**
 * The freshest reading of one GPU: the snapshot's summary or the sampler's last tick, whichever was
 * taken later (ticks come every second, the snapshot's copy may lag behind them or lead them).
 */
export function latestGpus(summary: GpuSummary | null, tick: GpuTick | null): readonly GpuReading[] {
  const fromSummary = summary?.gpus ?? [];
  if (!tick) return fromSummary;
  if (summary?.at == null) return tick.gpus;
  return tick.at >= summary.at ? tick.gpus : fromSummary;
}

// ---- consumers -------------------------------------------------------------------------------

export type SegmentKind = GpuConsumer['kind'] | 'free';

export interface ConsumerSegment {
  /** Stable across readings: the kind and the name. */
  key: string;
  kind: SegmentKind;
  name: string;
  mib: number;
  /** Width in the bar, 0–1 of the GPU's total. */
  share: number;
}

const KIND_ORDER: Record<GpuConsumer['kind'], number> = { 'ollama-model': 0, a1111: 1, other: 2 };

/** Ollama's models (largest first), A1111, the rest; what the list and the bar show, in that order. */
export function orderConsumers(consumers: readonly GpuConsumer[]): GpuConsumer[] {
  return [...consumers].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (b.vram ?? 0) - (a.vram ?? 0) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * The stacked bar: each holder's share of the total, then what is free. Holders with an unknown or
 * zero figure take no width (the list still names them). The holders are measured at other moments
 * than nvidia-smi's total (Ollama's /api/ps, A1111's /sdapi/v1/memory), so their sum may exceed the
 * total by a little: then they are scaled down to fit and nothing is free.
 */
export function consumerSegments(consumers: readonly GpuConsumer[], use: VramUse): ConsumerSegment[] {
  const { total } = use;
  if (total === null || total <= 0) return [];
  const held = orderConsumers(consumers).filter((c) => c.vram !== null && c.vram > 0);
  const sum = held.reduce((s, c) => s + (c.vram ?? 0), 0);
  const scale = sum > total ? total / sum : 1;
  const segments: ConsumerSegment[] = held.map((c) => ({
    key: `${c.kind}:${c.name}`,
    kind: c.kind,
    name: c.name,
    mib: c.vram ?? 0,
    share: ((c.vram ?? 0) * scale) / total,
  }));
  const free = use.free ?? total - sum;
  if (sum < total && free > 0) {
    segments.push({
      key: 'free',
      kind: 'free',
      name: '',
      mib: free,
      share: Math.min(free, total - sum) / total,
    });
  }
  return segments;
}

export function ollamaModels(consumers: readonly GpuConsumer[]): GpuConsumer[] {
  return orderConsumers(consumers).filter((c) => c.kind === 'ollama-model');
}

/** Part of the model sits in system RAM: Ollama runs those layers on the CPU, much slower. */
export function isSpilled(consumer: GpuConsumer): boolean {
  return consumer.spilled !== null && consumer.spilled > 0;
}

// ---- what an action freed ----------------------------------------------------------------------

export type FreedOutcome =
  { kind: 'freed'; size: string } | { kind: 'took'; size: string } | { kind: 'none' } | { kind: 'unknown' };

/**
 * The measured change after an unload (or a reload: negative, it took VRAM). Below what one decimal
 * of a GB shows it is "no change", not "freed 0.0 GB".
 */
export function freedOutcome(freed: number | null, locale: string): FreedOutcome {
  if (freed === null || !Number.isFinite(freed)) return { kind: 'unknown' };
  if (Math.abs(gbOf(freed)) < 0.05) return { kind: 'none' };
  const size = formatGb(Math.abs(freed), locale);
  return freed > 0 ? { kind: 'freed', size } : { kind: 'took', size };
}

// ---- history ------------------------------------------------------------------------------------

/** The chart's window, and what the `gpu-samples` topic sends as its backlog. */
export const HISTORY_MS = 10 * 60_000;
/** Ticks come every second; a longer silence (sampler restarted, monitoring off) is drawn as a gap. */
export const GAP_MS = 5_000;

/** uPlot's columns: x in seconds, used VRAM in GB, utilisation in %. null = no line there. */
export type HistoryColumns = [number[], Array<number | null>, Array<number | null>];

/**
 * The last 10 minutes of ticks, oldest first. Batches may repeat ticks already held (a new
 * subscription sends its backlog again): only ticks newer than the last one are taken.
 */
export class GpuHistory {
  private ticks: GpuTick[] = [];

  /** Adds a batch; true when anything new was taken. */
  add(batch: readonly GpuTick[]): boolean {
    let added = false;
    for (const tick of batch) {
      const last = this.ticks[this.ticks.length - 1];
      if (last && tick.at <= last.at) continue;
      this.ticks.push(tick);
      added = true;
    }
    if (added) this.trim();
    return added;
  }

  get size(): number {
    return this.ticks.length;
  }

  latest(): GpuTick | null {
    return this.ticks[this.ticks.length - 1] ?? null;
  }

  private trim(): void {
    const newest = this.latest();
    if (!newest) return;
    const from = this.ticks.findIndex((t) => t.at >= newest.at - HISTORY_MS);
    if (from > 0) this.ticks.splice(0, from);
  }

  /** One GPU's series; a silence longer than GAP_MS gets a null point so the line breaks there. */
  columns(index: number): HistoryColumns {
    const xs: number[] = [];
    const used: Array<number | null> = [];
    const util: Array<number | null> = [];
    let previous: number | null = null;
    for (const tick of this.ticks) {
      if (previous !== null && tick.at - previous > GAP_MS) {
        xs.push((previous + tick.at) / 2 / 1000);
        used.push(null);
        util.push(null);
      }
      previous = tick.at;
      const reading = tick.gpus.find((g) => g.index === index);
      const use = reading ? vramUse(reading) : null;
      xs.push(tick.at / 1000);
      used.push(use?.used == null ? null : gbOf(use.used));
      util.push(reading?.utilization ?? null);
    }
    return [xs, used, util];
  }

  /** The highest used VRAM (MiB) of one GPU in the window; null when no tick knew it. */
  peakUsed(index: number): number | null {
    let peak: number | null = null;
    for (const tick of this.ticks) {
      const reading = tick.gpus.find((g) => g.index === index);
      const used = reading ? vramUse(reading).used : null;
      if (used !== null && (peak === null || used > peak)) peak = used;
    }
    return peak;
  }

  /** How many whole minutes the held ticks span (at least 1 once there are two). */
  spanMinutes(): number {
    const first = this.ticks[0];
    const last = this.latest();
    if (!first || !last || first === last) return 0;
    return Math.max(1, Math.round((last.at - first.at) / 60_000));
  }
}
