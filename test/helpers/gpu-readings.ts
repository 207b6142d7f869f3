/**
 * GPU readings for tests: facts.md's verbatim nvidia-smi line
 * `NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37, 52` as the app holds it, with any field replaced.
 */
import type { GpuReading } from '../../electron/contract';

export const rtx4070 = (over: Partial<GpuReading> = {}): GpuReading => ({
  index: 0,
  name: 'NVIDIA GeForce RTX 4070',
  memoryTotal: 12282,
  memoryUsed: 7850,
  memoryFree: 4432,
  utilization: 37,
  temperature: 52,
  ...over,
});
