/**
 * Core's piece of the contract for streams: the two channels a view uses to open and close a
 * subscription, the one event that carries every subscription's batches, and core's own topics.
 * Capabilities add their topics (logs, GPU samples, a plugin's debug output) with `defineTopics` in
 * their own contract piece; `electron/contract.ts` merges them all.
 */
import { z } from 'zod';
import { defineEvents, defineInvoke, defineTopics } from './contract-kit';

/**
 * What `subscription` events carry. `items` are the topic's items (`TopicItem<T>`), oldest first;
 * `dropped` counts items the bounded queue discarded (oldest first) since the previous batch, so a
 * view can say that it missed some; `ended` is the last batch of a stream its source closed.
 */
export const SubscriptionBatchSchema = z.object({
  id: z.string(),
  items: z.array(z.unknown()),
  dropped: z.number().int().nonnegative(),
  ended: z.boolean(),
});

export const subscriptionInvoke = defineInvoke({
  /**
   * Opens a stream to the calling view. The topic and its params are checked against the topic
   * registry by the hub (an unknown topic or bad params is INVALID_ARGUMENT).
   */
  'subscriptions:subscribe': {
    input: z.object({ topic: z.string().min(1).max(64), params: z.unknown() }).strict(),
    output: z.object({ id: z.string() }),
  },
  /** `closed` is false when the id is unknown: already ended, or not this view's. */
  'subscriptions:unsubscribe': {
    input: z.object({ id: z.string().min(1).max(64) }).strict(),
    output: z.object({ closed: z.boolean() }),
  },
});

export const subscriptionEvents = defineEvents({
  subscription: SubscriptionBatchSchema,
});

export const coreTopics = defineTopics({
  /**
   * A job's output lines: first the lines the job still keeps (its last few hundred), then each new
   * line as it is printed; the stream ends when the job finishes (at once for a finished job).
   */
  'job-output': {
    params: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    item: z.string(),
  },
});

export type SubscriptionBatch = z.infer<typeof SubscriptionBatchSchema>;
