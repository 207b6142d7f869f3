/**
 * The renderer's only way to the main process: a typed client over the bridge the preload script puts
 * on `window` (and the E2E harness imitates). Results are unwrapped here so that pages deal with values
 * and `ApiError`s, never with `{ok, value}` envelopes.
 */
import { BRIDGE_KEY } from '../../electron/bridge-key';
import { errorInfo } from '../../electron/core/presentation';
import type {
  DifyStackBridge,
  ErrorInfo,
  EventName,
  EventPayload,
  InvokeChannel,
  InvokeInput,
  InvokeOutput,
  SubscriptionBatch,
  TopicItem,
  TopicName,
  TopicParams,
} from '../../electron/contract';

export class ApiError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly params: Record<string, string | number> | undefined;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    this.detail = info.detail;
    this.params = info.params;
  }

  toInfo(): ErrorInfo {
    return errorInfo(this);
  }
}

/** Any thrown value → the error shape the UI renders (unexpected ones keep their text as detail). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof ApiError) return e.toInfo();
  const text = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: text, detail: text };
}

export function getBridge(): DifyStackBridge | null {
  // globalThis is the page's window; spelled so this module also compiles (and is unit tested) in Node.
  const candidate: unknown = (globalThis as unknown as Record<string, unknown>)[BRIDGE_KEY];
  if (typeof candidate !== 'object' || candidate === null) return null;
  const bridge = candidate as Partial<DifyStackBridge>;
  return typeof bridge.invoke === 'function' && typeof bridge.on === 'function'
    ? (bridge as DifyStackBridge)
    : null;
}

const NO_BRIDGE: ErrorInfo = { code: 'INTERNAL', message: 'The app bridge is not available in this window.' };

function requireBridge(): DifyStackBridge {
  const bridge = getBridge();
  if (!bridge) {
    throw new ApiError(NO_BRIDGE);
  }
  return bridge;
}

export async function invoke<C extends InvokeChannel>(
  channel: C,
  input: InvokeInput<C>,
): Promise<InvokeOutput<C>> {
  const result = await requireBridge().invoke(channel, input);
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return requireBridge().on(event, listener);
}

/** One delivery of a topic: items oldest first; `dropped` older ones main had to discard before them. */
export interface TopicBatch<T extends TopicName> {
  items: TopicItem<T>[];
  dropped: number;
  /** The source closed the stream; no more batches follow. */
  ended: boolean;
}

/** Open streams of this window by subscription id; one `subscription` listener routes to them. */
const routes = new Map<string, (batch: SubscriptionBatch) => void>();
/**
 * Batches can overtake the answer to their own subscribe (they travel as events): kept here until
 * the id is known. Bounded in case an answer never comes.
 */
const early = new Map<string, SubscriptionBatch[]>();
const MAX_EARLY_IDS = 64;
let routing = false;

function route(batch: SubscriptionBatch): void {
  const to = routes.get(batch.id);
  if (to) {
    if (batch.ended) routes.delete(batch.id);
    to(batch);
    return;
  }
  const waiting = early.get(batch.id);
  if (waiting) waiting.push(batch);
  else {
    if (early.size >= MAX_EARLY_IDS) early.delete(early.keys().next().value as string);
    early.set(batch.id, [batch]);
  }
}

/**
 * Streams `topic` to `onBatch` until the returned function is called (or the source ends it). A
 * refused subscribe (unknown job, bad params) goes to `onError`. Main batches at most every 50 ms.
 */
export function subscribe<T extends TopicName>(
  topic: T,
  params: TopicParams<T>,
  onBatch: (batch: TopicBatch<T>) => void,
  onError?: (error: ApiError) => void,
): () => void {
  const bridge = getBridge();
  if (!bridge) {
    // The same refusal invoke gives, through the same path as any other refusal.
    onError?.(new ApiError(NO_BRIDGE));
    return () => undefined;
  }
  if (!routing) {
    bridge.on('subscription', route);
    routing = true;
  }
  let closed = false;
  let id: string | null = null;
  // Items of a topic are what its registered source pushes: TopicItem<T> by the hub's typing.
  const deliver = (batch: SubscriptionBatch): void => {
    if (!closed) onBatch(batch as TopicBatch<T>);
  };
  invoke('subscriptions:subscribe', { topic, params }).then(
    (answer) => {
      id = answer.id;
      const waiting = early.get(id) ?? [];
      early.delete(id);
      if (closed) {
        if (!waiting.some((b) => b.ended))
          void invoke('subscriptions:unsubscribe', { id }).catch(() => undefined);
        return;
      }
      const ended = waiting.some((b) => b.ended);
      if (!ended) routes.set(id, deliver);
      for (const batch of waiting) deliver(batch);
    },
    (e: unknown) => {
      if (!closed && onError) onError(e instanceof ApiError ? e : new ApiError(toErrorInfo(e)));
    },
  );
  return () => {
    if (closed) return;
    closed = true;
    if (id === null || !routes.has(id)) return;
    routes.delete(id);
    void invoke('subscriptions:unsubscribe', { id }).catch(() => undefined);
  };
}
