/**
 * What the GPU page's buttons do: each is one call to main, answered with the VRAM it freed as the
 * sampler measured it before and after (electron/gpu/contract.ts), never an assumed figure.
 */
import type { InvokeOutput } from '../../../../electron/contract';
import { invoke } from '../../api';

export type GpuAction =
  | { kind: 'model'; name: string }
  | { kind: 'allModels' }
  | { kind: 'unloadCheckpoint' }
  | { kind: 'reloadCheckpoint' };

export type Freed = InvokeOutput<'gpu:unloadOllama'>;

export function runGpuAction(action: GpuAction): Promise<Freed> {
  switch (action.kind) {
    case 'model':
      return invoke('gpu:unloadOllama', { model: action.name });
    case 'allModels':
      return invoke('gpu:unloadOllama', {});
    case 'unloadCheckpoint':
      return invoke('gpu:unloadA1111', {});
    case 'reloadCheckpoint':
      return invoke('gpu:reloadA1111', {});
  }
}
