/** Handlers of the GPU channels (`./contract.ts`): the static facts and the unload actions. */
import type { HandlersOf } from '../core/contract-kit';
import type { GpuApi } from './api';
import type { gpuInvoke } from './contract';

export function createGpuHandlers(deps: { gpu: GpuApi }): HandlersOf<typeof gpuInvoke> {
  const { gpu } = deps;
  return {
    'gpu:facts': () => gpu.facts(),
    'gpu:unloadOllama': ({ model }) => gpu.unloadOllama(model),
    'gpu:unloadA1111': () => gpu.unloadA1111(),
    'gpu:reloadA1111': () => gpu.reloadA1111(),
  };
}
