import { useState } from 'react';
import type { ErrorInfo } from '../../../electron/contract';
import { toErrorInfo } from '../api';

export interface PendingAction {
  /** The name of the request in flight (disables its button), or null. */
  pending: string | null;
  /** The last request's failure, shown above the page until dismissed or the next request. */
  actionError: ErrorInfo | null;
  dismissError(): void;
  run(name: string, action: () => Promise<unknown>): Promise<void>;
}

/** One page's button requests: one at a time, each failure kept with its reason for an ErrorBox. */
export function usePendingAction(): PendingAction {
  const [pending, setPending] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  const run = async (name: string, action: () => Promise<unknown>): Promise<void> => {
    setPending(name);
    setActionError(null);
    try {
      await action();
    } catch (e) {
      setActionError(toErrorInfo(e));
    } finally {
      setPending(null);
    }
  };
  return { pending, actionError, dismissError: () => setActionError(null), run };
}
