/**
 * One run of a query, without React: fetch the data, keep it current from events, and make sure an
 * answer that is no longer wanted (superseded by a newer fetch, or the run was stopped) is never
 * applied. `hooks/useQuery.ts` binds it to a component; kept apart so the rules are unit-tested.
 */
import type { EventName, EventPayload } from '../../../electron/contract';

/** The bridge's `on` (api.ts), or a test's stand-in. */
export type Subscribe = <E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
) => () => void;

/** Per event: how its payload changes the data held (`held` is null until something arrived). */
export type Folds<T> = { [E in EventName]?: (held: T | null, payload: EventPayload<E>) => T | null };

export interface QuerySpec<T> {
  /** Gets the data. The signal aborts when the answer is no longer wanted (e.g. to skip a debounce). */
  fetch(signal: AbortSignal): Promise<T>;
  /** Events after which the data is fetched again. */
  refetchOn?: readonly EventName[];
  /**
   * Events that carry the data itself. They are subscribed before the first fetch, so an update sent
   * while the fetch is under way is not lost; `merge` decides how the answer meets it.
   */
  fold?: Folds<T>;
  /** How an answer meets the data already held; by default the answer replaces it. */
  merge?(held: T | null, answer: T): T;
}

export interface QuerySink<T> {
  /** The data changed: an answer arrived or an event was folded in. */
  change(next: (held: T | null) => T | null): void;
  /** The latest fetch answered (after its `change`). */
  answered(): void;
  /** The latest fetch failed; the data held stays as it was. */
  failed(reason: unknown): void;
}

/** Starts fetching at once; the returned function stops the run (listeners off, answers ignored). */
export function startQuery<T>(spec: QuerySpec<T>, sink: QuerySink<T>, subscribe: Subscribe): () => void {
  let inFlight: AbortController | null = null;
  let stopped = false;

  const fetchNow = () => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const wanted = () => !stopped && inFlight === controller;
    // A fetch that throws before returning its promise fails like one that rejects.
    new Promise<T>((resolve) => resolve(spec.fetch(controller.signal))).then(
      (answer) => {
        if (!wanted()) return;
        sink.change((held) => (spec.merge ? spec.merge(held, answer) : answer));
        sink.answered();
      },
      (e: unknown) => {
        if (wanted()) sink.failed(e);
      },
    );
  };

  const offs: Array<() => void> = [];
  const folds = spec.fold ?? {};
  for (const event of Object.keys(folds) as EventName[]) {
    // A mapped type over all events cannot be indexed by one of them without widening: the fold
    // registered under `event` is exactly the one for its payload type.
    const fold = folds[event] as (held: T | null, payload: unknown) => T | null;
    offs.push(subscribe(event, (payload) => sink.change((held) => fold(held, payload))));
  }
  for (const event of spec.refetchOn ?? []) offs.push(subscribe(event, fetchNow));
  fetchNow();

  return () => {
    stopped = true;
    inFlight?.abort();
    for (const off of offs) off();
  };
}
