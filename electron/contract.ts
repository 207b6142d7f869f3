/**
 * THE contract between the main process and the renderer, merged from the capabilities' pieces
 * (`electron/<capability>/contract.ts`). `ipc.ts` validates against it, `preload.ts` exposes only these
 * channels, and `renderer/src/api.ts` derives its types from it. A name defined by two pieces stops the
 * app at start (and fails the unit tests), so no channel string is written twice.
 */
import type { z } from 'zod';
import type { ListedEventName, ListedInvokeChannel } from './channel-names';
import { mergePieces } from './core/contract-kit';
import { coreEvents, coreInvoke, type ErrorInfo } from './core/contract';
import { coreTopics, subscriptionEvents, subscriptionInvoke } from './core/subscription-contract';
import { diagnosticsInvoke } from './diagnostics/contract';
import { envInvoke } from './env/contract';
import { pluginsInvoke } from './plugins/contract';
import { gpuInvoke, gpuTopics } from './gpu/contract';
import { logsEvents, logsInvoke, logsTopics } from './logs/contract';
import { notificationsEvents } from './notifications/contract';
import { processesInvoke, processesTopics } from './processes/contract';
import { settingsEvents, settingsInvoke } from './settings/contract';
import { setupInvoke } from './setup/contract';
import { stackEvents, stackInvoke } from './stack/contract';

/** Invoke channels: renderer → main, one argument object, one result. */
export const invokeContract = mergePieces(
  'invoke channel',
  coreInvoke,
  subscriptionInvoke,
  stackInvoke,
  settingsInvoke,
  envInvoke,
  pluginsInvoke,
  processesInvoke,
  gpuInvoke,
  logsInvoke,
  setupInvoke,
  diagnosticsInvoke,
);

/** Events: main → renderer. */
export const eventContract = mergePieces(
  'event',
  coreEvents,
  subscriptionEvents,
  stackEvents,
  settingsEvents,
  logsEvents,
  notificationsEvents,
);

/** Streaming topics: what a view may subscribe to, its params and the items it then receives. */
export const topicContract = mergePieces('topic', coreTopics, processesTopics, gpuTopics, logsTopics);

export type InvokeContract = typeof invokeContract;
export type EventContract = typeof eventContract;
export type TopicContract = typeof topicContract;
export type InvokeChannel = keyof InvokeContract & string;
export type EventName = keyof EventContract & string;
export type InvokeInput<C extends InvokeChannel> = z.input<InvokeContract[C]['input']>;
export type InvokeOutput<C extends InvokeChannel> = z.output<InvokeContract[C]['output']>;
export type EventPayload<E extends EventName> = z.output<EventContract[E]>;
export type TopicName = keyof TopicContract & string;
export type TopicParams<T extends TopicName> = z.input<TopicContract[T]['params']>;
export type TopicItem<T extends TopicName> = z.output<TopicContract[T]['item']>;

export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** What preload puts on `window.difyStack` (and what the E2E harness imitates). */
export interface DifyStackBridge {
  invoke<C extends InvokeChannel>(channel: C, input: InvokeInput<C>): Promise<InvokeResult<InvokeOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// The data shapes, for the renderer and tray (types only; each is defined in its capability's piece).
export type * from './core/contract';
export type * from './core/subscription-contract';
export type * from './stack/contract';
export type * from './settings/contract';
export type * from './env/contract';
export type * from './plugins/contract';
export type * from './processes/contract';
export type * from './gpu/contract';
export type * from './logs/contract';
export type * from './notifications/contract';
export type * from './setup/contract';
export type * from './diagnostics/contract';

export { BRIDGE_KEY } from './bridge-key';
export { eventIpcName, invokeIpcName } from './channel-names';

/**
 * The preload's zod-free copy of the names (channel-names.ts) must be exactly this contract's keys:
 * a channel added here and not there (or the reverse) fails to compile.
 */
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ListedNamesMatchContract = Holds<
  SameSet<InvokeChannel, ListedInvokeChannel> & SameSet<EventName, ListedEventName>
>;

export const INVOKE_CHANNELS = Object.keys(invokeContract) as InvokeChannel[];
export const EVENT_NAMES = Object.keys(eventContract) as EventName[];
export const TOPIC_NAMES = Object.keys(topicContract) as TopicName[];
