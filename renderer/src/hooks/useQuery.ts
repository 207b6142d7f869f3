import { useCallback, useEffect, useEffectEvent, useState, type DependencyList } from 'react';
import type { ErrorInfo, EventName } from '../../../electron/contract';
import { on, toErrorInfo } from '../api';
import { startQuery, type Folds } from '../lib/query';

export interface QueryOptions<T> {
  /** False: nothing is fetched or subscribed (e.g. no input yet), and the query is not loading. */
  enabled?: boolean;
  /** Events after which the data is fetched again. */
  refetchOn?: readonly EventName[];
  /** Events that carry the data itself, folded into it as they arrive (see lib/query.ts). */
  fold?: Folds<T>;
  /** How an answer meets the data already held; by default the answer replaces it. */
  merge?(held: T | null, answer: T): T;
}

export interface Query<T> {
  /** The latest data; kept while a newer fetch runs and when one fails. */
  data: T | null;
  /** Why the latest fetch failed; cleared by the next answer. */
  error: ErrorInfo | null;
  /** The current inputs (deps, reload) have no answer yet: `data` may still be from earlier ones. */
  loading: boolean;
  reload(): void;
  /** Changes the data held, e.g. to what an action answered, until the next answer. */
  update(next: (held: T | null) => T | null): void;
}

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * A component's data from main: fetched when it mounts and whenever `deps` change (compared like an
 * effect's) or `reload()` is called, optionally kept current from events, and cancelled on unmount.
 * `fetch` may be a new function every render (the latest is used); `fold` and `merge` are read when
 * a run starts, so give functions that do not depend on the render (module-level ones).
 */
export function useQuery<T>(
  fetch: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: QueryOptions<T> = {},
): Query<T> {
  const enabled = options.enabled ?? true;
  // Each set of inputs is a numbered run; an answer records the run it belongs to, so `loading` is
  // right in the very render where the inputs change (an effect would show one stale render first).
  const [run, setRun] = useState({ deps, n: 0 });
  if (!sameDeps(run.deps, deps)) setRun({ deps, n: run.n + 1 });
  const [state, setState] = useState<{ data: T | null; error: ErrorInfo | null; settled: number | null }>({
    data: null,
    error: null,
    settled: null,
  });

  const latestFetch = useEffectEvent((signal: AbortSignal) => fetch(signal));
  // Folds and merges run inside state updaters, which React may call while rendering, where an effect
  // event must not be called: they are taken as they are when the run starts.
  const startOptions = useEffectEvent(() => ({
    fold: options.fold,
    merge: options.merge,
    refetchOn: options.refetchOn,
  }));

  const n = run.n;
  useEffect(() => {
    if (!enabled) return undefined;
    return startQuery(
      { fetch: latestFetch, ...startOptions() },
      {
        change: (next) => setState((s) => ({ ...s, data: next(s.data) })),
        answered: () => setState((s) => ({ ...s, error: null, settled: n })),
        failed: (reason) => setState((s) => ({ ...s, error: toErrorInfo(reason), settled: n })),
      },
      on,
    );
  }, [n, enabled]);

  const reload = useCallback(() => setRun((r) => ({ deps: r.deps, n: r.n + 1 })), []);
  const update = useCallback(
    (next: (held: T | null) => T | null) => setState((s) => ({ ...s, data: next(s.data) })),
    [],
  );

  return {
    data: state.data,
    error: state.error,
    loading: enabled && state.settled !== n,
    reload,
    update,
  };
}
