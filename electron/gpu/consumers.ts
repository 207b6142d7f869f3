/**
 * Who holds the VRAM (pure): each loaded Ollama model, AUTOMATIC1111, and "other" = what nvidia-smi says
 * is used less what those two account for. Per-process VRAM (`--query-compute-apps`) is `[N/A]` under
 * Windows WDDM, so attribution comes from the programs' own APIs (facts.md, "GPU VRAM").
 *
 * The reading is GPU 0's: Ollama and A1111 put their work on the first CUDA device unless
 * CUDA_VISIBLE_DEVICES says otherwise, and the user's machine has one GPU (facts.md).
 */
import { z } from 'zod';
import type { GpuConsumer, GpuReading } from '../core/contract';
import { vramGb } from '../core/presentation';

export const MIB = 1024 * 1024;

/** One model as Ollama's `/api/ps` lists it (bytes). */
export interface LoadedModel {
  name: string;
  size: number;
  sizeVram: number;
}

export interface ConsumerInputs {
  /** GPU 0's latest reading (MiB), null before the first. */
  reading: GpuReading | null;
  /** Ollama's `/api/ps`; null when Ollama does not run (or did not answer). */
  ollama: readonly LoadedModel[] | null;
  /** Cloud models (`remote_host` in `/api/tags`): they run elsewhere and hold no VRAM here. */
  cloudModels?: ReadonlySet<string>;
  /** A1111's `/sdapi/v1/memory` body as it came; undefined/null when A1111 does not run. */
  a1111Memory?: unknown;
}

export const A1111_NAME = 'AUTOMATIC1111';
export const OTHER_NAME = 'other';

const toMiB = (bytes: number): number => Math.round(bytes / MIB);

const CudaMemorySchema = z.object({
  cuda: z.union([
    z.object({ reserved: z.object({ current: z.number().nonnegative() }) }),
    z.object({ error: z.string() }),
  ]),
});

/**
 * A1111's own VRAM (MiB): `cuda.reserved.current` — what PyTorch's caching allocator holds, its CUDA
 * context not included. `cuda.system` is the whole GPU (Ollama included), so it is never added.
 * 'no-cuda': A1111 runs without CUDA (`cuda: {"error": …}`) and holds no VRAM; null: unreadable.
 */
export function a1111VramMiB(memory: unknown): number | 'no-cuda' | null {
  const parsed = CudaMemorySchema.safeParse(memory);
  if (!parsed.success) return null;
  const cuda = parsed.data.cuda;
  return 'error' in cuda ? 'no-cuda' : toMiB(cuda.reserved.current);
}

/** The consumers, largest Ollama model first, then A1111, then "other" (when there is a reading). */
export function attributeVram(inputs: ConsumerInputs): GpuConsumer[] {
  const consumers: GpuConsumer[] = [];
  const models = (inputs.ollama ?? []).filter((m) => !inputs.cloudModels?.has(m.name));
  for (const m of [...models].sort((a, b) => b.sizeVram - a.sizeVram)) {
    consumers.push({
      kind: 'ollama-model',
      name: m.name,
      vram: toMiB(m.sizeVram),
      spilled: toMiB(Math.max(0, m.size - m.sizeVram)),
    });
  }
  if (inputs.a1111Memory !== undefined && inputs.a1111Memory !== null) {
    const vram = a1111VramMiB(inputs.a1111Memory);
    if (vram !== 'no-cuda') consumers.push({ kind: 'a1111', name: A1111_NAME, vram, spilled: null });
  }
  if (inputs.reading) {
    consumers.push({
      kind: 'other',
      name: OTHER_NAME,
      vram: otherVram(inputs.reading, consumers),
      spilled: null,
    });
  }
  return consumers;
}

/**
 * used − known, never below 0 (the programs' figures and nvidia-smi's are read moments apart). It holds
 * the desktop, other programs, and the CUDA contexts of Ollama's runners and A1111, which their own
 * figures leave out. Unknown when nvidia-smi could not say, or a consumer's share is unknown.
 */
function otherVram(reading: GpuReading, known: readonly GpuConsumer[]): number | null {
  if (reading.memoryUsed === null || known.some((c) => c.vram === null)) return null;
  const sum = known.reduce((total, c) => total + (c.vram ?? 0), 0);
  return Math.max(0, reading.memoryUsed - sum);
}

/** A model that did not fit in VRAM: Ollama runs its spilled layers on the CPU, which is slow. */
export interface OffloadWarning {
  model: string;
  /** MiB in system RAM. */
  spilled: number;
  /** The i18n message and its params (GB with one decimal). */
  key: 'gpu.offload.warning' | 'gpu.offload.warningWithRam';
  params: { model: string; spilled: string; ram?: string };
}

/**
 * One warning per model with a part in system RAM; `ramTotal` (bytes, systeminformation's figure) is
 * named when known, since that part competes with everything else for it.
 */
export function offloadWarnings(
  consumers: readonly GpuConsumer[],
  ramTotal: number | null,
): OffloadWarning[] {
  return consumers
    .filter((c) => c.kind === 'ollama-model' && (c.spilled ?? 0) > 0)
    .map((c): OffloadWarning => {
      const spilled = c.spilled ?? 0;
      const base = { model: c.name, spilled: vramGb(spilled) };
      return ramTotal === null
        ? { model: c.name, spilled, key: 'gpu.offload.warning', params: base }
        : {
            model: c.name,
            spilled,
            key: 'gpu.offload.warningWithRam',
            params: { ...base, ram: vramGb(toMiB(ramTotal)) },
          };
    });
}
