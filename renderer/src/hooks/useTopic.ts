import { useEffect, useRef, useState } from 'react';
import type { ErrorInfo, TopicName, TopicParams } from '../../../electron/contract';
import { subscribe, type TopicBatch } from '../api';

/**
 * Streams a topic into a component: subscribes on mount and whenever the params change (compared by
 * value), unsubscribes on unmount. `params` null means "nothing to follow" (e.g. no job yet).
 * `onBatch` may change every render; the latest one receives the batches. Returns the refusal, if the
 * subscribe was refused (e.g. a job main no longer keeps).
 */
export function useTopic<T extends TopicName>(
  topic: T,
  params: TopicParams<T> | null,
  onBatch: (batch: TopicBatch<T>) => void,
): ErrorInfo | null {
  const latest = useRef(onBatch);
  useEffect(() => {
    latest.current = onBatch;
  });
  const [error, setError] = useState<{ key: string; info: ErrorInfo } | null>(null);
  // Callers pass a fresh object each render: the stream is the same while the values are.
  const key = params === null ? null : JSON.stringify(params);

  useEffect(() => {
    if (key === null) return undefined;
    return subscribe(
      topic,
      JSON.parse(key) as TopicParams<T>,
      (batch) => latest.current(batch),
      (e) => setError({ key: `${topic}:${key}`, info: e.toInfo() }),
    );
  }, [topic, key]);

  return error && error.key === `${topic}:${key}` ? error.info : null;
}
