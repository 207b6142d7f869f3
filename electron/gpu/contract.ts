/**
 * The GPU piece of the contract: VRAM and who holds it (the summary lives in the app snapshot's `gpu`
 * part), the samples as a stream for the history chart, the static facts, and the unload actions.
 */
import { z } from 'zod';
import { defineInvoke, defineTopics } from '../core/contract-kit';
import { GpuReadingSchema, NoInput } from '../core/contract';

/** One tick of the sampler: every GPU's reading at one moment. */
export const GpuTickSchema = z.object({ at: z.number(), gpus: z.array(GpuReadingSchema) });

/** Read once at start (systeminformation): a cross-check of nvidia-smi and the system RAM figure. */
export const GpuFactsSchema = z.object({
  gpus: z.array(
    z.object({
      model: z.string(),
      vendor: z.string(),
      vram: z.number().nullable(),
      driver: z.string().nullable(),
    }),
  ),
  /** Total system RAM (bytes): what a model that spills out of VRAM competes for. */
  memoryTotal: z.number().nullable(),
});

/** What an unload freed, measured by the sampler before and after (MiB; null when unknown). */
export const FreedSchema = z.object({ freed: z.number().nullable() });

export const gpuInvoke = defineInvoke({
  'gpu:facts': { input: NoInput, output: GpuFactsSchema },
  /** One model (`model`) or every loaded one (none), `keep_alive: 0`; waits until Ollama's /api/ps lets go. */
  'gpu:unloadOllama': {
    input: z.object({ model: z.string().min(1).max(256).optional() }).strict(),
    output: FreedSchema,
  },
  'gpu:unloadA1111': { input: NoInput, output: FreedSchema },
  'gpu:reloadA1111': { input: NoInput, output: FreedSchema },
});

export const gpuTopics = defineTopics({
  /** The samples: the last 10 minutes first (the history), then each new tick. */
  'gpu-samples': { params: z.object({}).strict(), item: GpuTickSchema },
});

export type GpuTick = z.infer<typeof GpuTickSchema>;
export type GpuFacts = z.infer<typeof GpuFactsSchema>;
