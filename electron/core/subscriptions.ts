/**
 * Streams to views (logs, GPU samples, job output, a plugin's debug output): a capability registers a
 * source per topic; a view subscribes with params and receives what the source pushes in batches.
 *
 * Why batches and a bounded queue: compose or a chatty container can print thousands of lines a
 * second, and every IPC message costs a structured clone plus a render in the window. So each
 * subscription sends at most one batch per `intervalMs` (the first one at once), and keeps at most
 * `maxQueue` items between batches, dropping the oldest and saying how many in the next batch: a view
 * that falls behind loses old lines, never the newest, and main's memory stays bounded.
 *
 * Who receives a batch is the subscription's owner (a window's webContents, the E2E page, the CLI),
 * connected once with its send function; `closeOwner` drops everything a view opened when it closes
 * or reloads, since a reloaded page can no longer unsubscribe what its previous document opened.
 */
import type { z } from 'zod';
import type { TopicSpec } from './contract-kit';
import { AppError } from './errors';
import type { SubscriptionBatch } from './subscription-contract';
import { formatIssues } from './zod-issues';

/** Batches per subscription: at most one per this many ms (about 20 a second). */
export const BATCH_INTERVAL_MS = 50;
/** Items kept per subscription between batches: a log view's screenful many times over. */
export const DEFAULT_MAX_QUEUE = 10_000;

/** What a source pushes into; calls after the subscription closed are ignored. */
export interface TopicSink<Item> {
  push(item: Item): void;
  /** The same as pushing each item (a backlog in one go). */
  pushMany(items: readonly Item[]): void;
  /** No more items: the subscriber gets its last batch with `ended: true` and the subscription goes. */
  end(): void;
}

/**
 * Starts feeding one subscription; returns how to stop (called on unsubscribe, on `closeOwner`, or
 * after `end`). It may push and even end synchronously (a backlog, a finished job). Throwing refuses
 * the subscription (e.g. an unknown job).
 */
export type TopicSource<Params, Item> = (params: Params, sink: TopicSink<Item>) => (() => void) | void;

/** Receives an owner's batches; throwing means the receiver is gone and its subscriptions close. */
export type BatchReceiver = (batch: SubscriptionBatch) => void;

export interface SubscriptionHubOptions {
  intervalMs?: number;
  maxQueue?: number;
}

interface Registered {
  source: TopicSource<unknown, unknown>;
  maxQueue: number;
}

interface Subscription {
  id: string;
  owner: string;
  topic: string;
  maxQueue: number;
  /** Items waiting for the next batch start at `head` (drop-oldest without shifting the array). */
  queue: unknown[];
  head: number;
  dropped: number;
  ended: boolean;
  lastSent: number;
  /** Cancels the pending delivery, when one is scheduled. */
  timer: (() => void) | null;
  stop: (() => void) | null;
  /** False once closed (unsubscribed, owner gone, delivered its end): pushes are ignored. */
  open: boolean;
}

export class SubscriptionHub<T extends Record<string, TopicSpec>> {
  private readonly sources = new Map<string, Registered>();
  private readonly receivers = new Map<string, BatchReceiver>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly intervalMs: number;
  private readonly maxQueue: number;
  /**
   * Ids are short because every batch carries one; they need not be secret, since only the owner may
   * close a subscription and batches go to the owner alone.
   */
  private lastId = 0;

  constructor(
    private readonly topics: T,
    options: SubscriptionHubOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? BATCH_INTERVAL_MS;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  }

  /** A capability offers a topic of the contract. Returns the unregister, which ends its streams. */
  register<K extends keyof T & string>(
    topic: K,
    source: TopicSource<z.output<T[K]['params']>, z.output<T[K]['item']>>,
    options: { maxQueue?: number } = {},
  ): () => void {
    if (!Object.hasOwn(this.topics, topic)) throw new Error(`topic "${topic}" is not in the contract`);
    if (this.sources.has(topic)) throw new Error(`topic "${topic}" has a source already`);
    const registered: Registered = {
      source: source as TopicSource<unknown, unknown>,
      maxQueue: options.maxQueue ?? this.maxQueue,
    };
    this.sources.set(topic, registered);
    return () => {
      if (this.sources.get(topic) !== registered) return;
      this.sources.delete(topic);
      for (const sub of [...this.subscriptions.values()]) if (sub.topic === topic) this.end(sub);
    };
  }

  /** Where an owner's batches go. Returns the disconnect, which also closes the owner's subscriptions. */
  connect(owner: string, receiver: BatchReceiver): () => void {
    this.receivers.set(owner, receiver);
    return () => {
      if (this.receivers.get(owner) !== receiver) return;
      this.closeOwner(owner);
      this.receivers.delete(owner);
    };
  }

  /**
   * Opens a stream of `topic` to `owner`. Throws INVALID_ARGUMENT for an unknown topic or params its
   * schema refuses, and whatever the source throws to refuse it.
   */
  subscribe(owner: string, topic: string, params: unknown): string {
    if (!this.receivers.has(owner)) {
      throw new AppError('INTERNAL', { detail: `subscription for "${owner}", which has no receiver` });
    }
    if (!Object.hasOwn(this.topics, topic)) {
      throw new AppError('INVALID_ARGUMENT', { params: { reason: `unknown topic "${topic}"` } });
    }
    const spec = this.topics[topic] as TopicSpec;
    const parsed = spec.params.safeParse(params === undefined ? {} : params);
    if (!parsed.success) {
      throw new AppError('INVALID_ARGUMENT', {
        params: { reason: `${topic}: ${formatIssues(parsed.error)}` },
      });
    }
    const registered = this.sources.get(topic);
    if (!registered) throw new AppError('INTERNAL', { detail: `topic "${topic}" has no source` });

    const sub: Subscription = {
      id: `s${++this.lastId}`,
      owner,
      topic,
      maxQueue: registered.maxQueue,
      queue: [],
      head: 0,
      dropped: 0,
      ended: false,
      lastSent: Number.NEGATIVE_INFINITY,
      timer: null,
      stop: null,
      open: true,
    };
    this.subscriptions.set(sub.id, sub);
    const live = (): boolean => sub.open && !sub.ended;
    const sink: TopicSink<unknown> = {
      // The hot path (a chatty log pushes line by line): no work beyond the append while batching.
      push: (item) => {
        if (!sub.open || sub.ended) return;
        if (sub.queue.push(item) - sub.head > sub.maxQueue) this.trim(sub);
        if (!sub.timer) this.schedule(sub);
      },
      pushMany: (items) => {
        if (!live() || items.length === 0) return;
        if (items.length >= sub.maxQueue) {
          sub.dropped += pending(sub) + items.length - sub.maxQueue;
          sub.queue = items.slice(items.length - sub.maxQueue);
          sub.head = 0;
        } else {
          for (const item of items) sub.queue.push(item);
          this.trim(sub);
        }
        this.schedule(sub);
      },
      end: () => {
        if (live()) this.end(sub);
      },
    };
    let stop: (() => void) | void;
    try {
      stop = registered.source(parsed.data, sink);
    } catch (e) {
      this.close(sub);
      throw e;
    }
    // The source may have ended (or been closed) before it could hand back its stop.
    if (live()) sub.stop = stop ?? null;
    else stop?.();
    return sub.id;
  }

  /** Closes one subscription of `owner` (no further batch). False when unknown or someone else's. */
  unsubscribe(id: string, owner?: string): boolean {
    const sub = this.subscriptions.get(id);
    if (!sub || (owner !== undefined && sub.owner !== owner)) return false;
    this.close(sub);
    return true;
  }

  /** Closes every subscription of a receiver (window closed or reloaded); returns how many. */
  closeOwner(owner: string): number {
    let closed = 0;
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.owner !== owner) continue;
      this.close(sub);
      closed++;
    }
    return closed;
  }

  /**
   * Delivers what is queued for `id` now, outside the interval. For an in-process receiver that must
   * keep its order with other output (the CLI printing a step after the lines before it); a window
   * has no use for it.
   */
  flush(id: string): void {
    const sub = this.subscriptions.get(id);
    if (sub) this.deliver(sub);
  }

  /** Open subscriptions, of one owner or all. */
  count(owner?: string): number {
    let n = 0;
    for (const sub of this.subscriptions.values()) if (owner === undefined || sub.owner === owner) n++;
    return n;
  }

  dispose(): void {
    for (const sub of [...this.subscriptions.values()]) this.close(sub);
    this.receivers.clear();
    this.sources.clear();
  }

  private trim(sub: Subscription): void {
    const excess = pending(sub) - sub.maxQueue;
    if (excess <= 0) return;
    sub.head += excess;
    sub.dropped += excess;
    // Compact now and then so the dropped items' slots are freed.
    if (sub.head >= sub.maxQueue) {
      sub.queue = sub.queue.slice(sub.head);
      sub.head = 0;
    }
  }

  private end(sub: Subscription): void {
    sub.ended = true;
    this.stopSource(sub);
    this.schedule(sub);
  }

  private schedule(sub: Subscription): void {
    if (sub.timer) return;
    const wait = sub.lastSent + this.intervalMs - Date.now();
    if (wait <= 0) {
      // After a quiet spell: right after the current tick, so its pushes still share one batch.
      // setTimeout(0) waits at least a millisecond, often several on a busy machine (measured).
      const immediate = setImmediate(() => this.deliver(sub));
      sub.timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(() => this.deliver(sub), wait);
      sub.timer = () => clearTimeout(timeout);
    }
  }

  private deliver(sub: Subscription): void {
    sub.timer?.();
    sub.timer = null;
    if (!sub.open) return;
    if (pending(sub) === 0 && sub.dropped === 0 && !sub.ended) return;
    const items = sub.head === 0 ? sub.queue : sub.queue.slice(sub.head);
    const batch: SubscriptionBatch = { id: sub.id, items, dropped: sub.dropped, ended: sub.ended };
    sub.queue = [];
    sub.head = 0;
    sub.dropped = 0;
    sub.lastSent = Date.now();
    if (sub.ended) {
      sub.open = false;
      this.subscriptions.delete(sub.id);
    }
    const receiver = this.receivers.get(sub.owner);
    try {
      receiver?.(batch);
    } catch {
      this.closeOwner(sub.owner);
    }
  }

  private close(sub: Subscription): void {
    sub.open = false;
    sub.timer?.();
    sub.timer = null;
    this.subscriptions.delete(sub.id);
    this.stopSource(sub);
  }

  private stopSource(sub: Subscription): void {
    const stop = sub.stop;
    sub.stop = null;
    stop?.();
  }
}

function pending(sub: Subscription): number {
  return sub.queue.length - sub.head;
}
