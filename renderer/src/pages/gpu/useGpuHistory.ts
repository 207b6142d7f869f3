import { useState } from 'react';
import type { ErrorInfo } from '../../../../electron/contract';
import { useTopic } from '../../hooks/useTopic';
import { GpuHistory } from '../../lib/gpu';

/**
 * The `gpu-samples` stream while `follow` is true: first the last ten minutes, then a tick a second.
 * The history is one object for the page's life (a new subscription's backlog only adds what it lacks);
 * `version` counts the batches that brought something new, which is when the page renders again.
 */
export function useGpuHistory(follow: boolean): {
  history: GpuHistory;
  version: number;
  error: ErrorInfo | null;
} {
  const [history] = useState(() => new GpuHistory());
  const [version, setVersion] = useState(0);
  const error = useTopic('gpu-samples', follow ? {} : null, (batch) => {
    if (history.add(batch.items)) setVersion((v) => v + 1);
  });
  return { history, version, error };
}
