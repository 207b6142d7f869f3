import { AppError } from './errors';

/**
 * Waits `ms`, or rejects with CANCELLED as soon as the job's signal aborts (also when it already has):
 * a wait inside a job must never outlive its cancel.
 */
export function cancellableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('CANCELLED'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AppError('CANCELLED'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
