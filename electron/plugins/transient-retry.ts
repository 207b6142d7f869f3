import { cancellableDelay } from '../core/cancellable-delay';
import { isAppError } from '../core/errors';

/**
 * Retrying what Dify answers while its plugin daemon hiccups. A daemon timeout or restart reaches us
 * as 400 invalid_param "Failed to request plugin daemon" (facts.md: transient, retry it); nginx
 * answers 502–504 while the api container restarts. Anything else is Dify's verdict and is not retried.
 */

/** About 15 s in all: long enough for a daemon restart to pass, short enough to fail visibly. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000, 4000, 8000];

export function isTransientDifyError(e: unknown): boolean {
  if (!isAppError(e)) return false;
  if (e.code === 'DIFY_PLUGIN_DAEMON_UNAVAILABLE') return true;
  const status = Number(e.params?.status);
  return e.code === 'DIFY_HTTP_ERROR' && status >= 502 && status <= 504;
}

/** `fn`, again after each delay while it fails transiently; the last failure when the delays run out. */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  options: {
    delaysMs?: readonly number[];
    signal?: AbortSignal;
    onRetry?: (error: unknown, delayMs: number) => void;
  } = {},
): Promise<T> {
  const delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const wait = delays[attempt];
      if (wait === undefined || !isTransientDifyError(e)) throw e;
      options.onRetry?.(e, wait);
      await cancellableDelay(wait, options.signal);
    }
  }
}
