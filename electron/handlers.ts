/**
 * The main-side half of the contract, free of Electron: the capabilities' handlers merged into one
 * table, the validating dispatcher, and the event forwarding (subscription batches included). `ipc.ts`
 * wires these to ipcMain; the E2E harness wires the very same functions to Chromium with
 * page.exposeFunction.
 */
import type { z } from 'zod';
import {
  INVOKE_CHANNELS,
  invokeContract,
  type EventName,
  type EventPayload,
  type InvokeChannel,
  type InvokeOutput,
  type InvokeResult,
  type TopicContract,
} from './contract';
import { mergePieces, type InvokeSpec } from './core/contract-kit';
import { AppError, toErrorInfo } from './core/errors';
import { createCoreHandlers } from './core/handlers';
import type { HandlerAdapters } from './core/handler-kit';
import type { JobSnapshot } from './core/jobs';
import type { subscriptionInvoke } from './core/subscription-contract';
import type { SubscriptionHub } from './core/subscriptions';
import { formatIssues } from './core/zod-issues';
import { createDiagnosticsHandlers } from './diagnostics/handlers';
import { createEnvHandlers } from './env/handlers';
import { createGpuHandlers } from './gpu/handlers';
import { createLogsHandlers } from './logs/handlers';
import { createPluginHandlers } from './plugins/handlers';
import { createProcessesHandlers } from './processes/handlers';
import type { AppServices } from './services';
import { createSettingsHandlers } from './settings/handlers';
import { createSetupHandlers } from './setup/handlers';
import { createStackHandlers } from './stack/handlers';

export type { HandlerAdapters } from './core/handler-kit';
export { isWebUrl } from './core/handler-kit';

/** What the handlers receive: the input after the contract's schema parsed it. */
export type ParsedInput<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['input']>;

/**
 * Who is calling: the receiver that streams it opens belong to. ipc.ts passes the sending window's
 * (`webContentsOwner`), the E2E harness its page's. Most handlers do not care.
 */
export interface Caller {
  owner: string;
}

export type InvokeHandlers = {
  [C in InvokeChannel]: (input: ParsedInput<C>, caller?: Caller) => Promise<InvokeOutput<C>>;
};

/** The owner id of a window's subscriptions; main.ts closes them by the same id. */
export const webContentsOwner = (webContentsId: number): string => `webContents:${webContentsId}`;

/** Every capability's handlers in one table; the type makes sure no channel of the contract is missing. */
export function createInvokeHandlers(services: AppServices, adapters: HandlerAdapters): InvokeHandlers {
  const handlers = mergePieces(
    'handler',
    createCoreHandlers(services, adapters),
    createSubscriptionHandlers(services.subscriptions),
    createStackHandlers(services, adapters),
    createSettingsHandlers(services),
    createEnvHandlers(services),
    createPluginHandlers(services, adapters),
    createProcessesHandlers(services),
    createGpuHandlers(services),
    createLogsHandlers(services, adapters),
    createSetupHandlers(services),
    createDiagnosticsHandlers(services, adapters),
  );
  return logFailures(handlers, services);
}

/**
 * Every error a handler sends to the window goes into the app's log too: channel, code, message. The
 * log is looked up when an error happens, as every handler looks its service up when called.
 */
function logFailures(handlers: InvokeHandlers, services: AppServices): InvokeHandlers {
  const wrapped: Record<string, (input: unknown, caller?: Caller) => Promise<unknown>> = {};
  for (const [channel, handler] of Object.entries(handlers)) {
    const run = handler as (input: unknown, caller?: Caller) => Promise<unknown>;
    wrapped[channel] = async (input, caller) => {
      try {
        return await run(input, caller);
      } catch (e) {
        const info = toErrorInfo(e);
        // Optional: the partial services some tests assemble have no diagnostics.
        const diagnostics = services.diagnostics as AppServices['diagnostics'] | undefined;
        diagnostics?.log.warn('ipc.error', { channel, code: info.code, message: info.message });
        throw e;
      }
    };
  }
  return wrapped as InvokeHandlers;
}

type CallerHandlersOf<C extends Record<string, InvokeSpec>> = {
  [K in keyof C]: (input: z.output<C[K]['input']>, caller?: Caller) => Promise<z.output<C[K]['output']>>;
};

/** Streams open for the caller and only the caller may close them (ids of other windows are refused). */
export function createSubscriptionHandlers(
  hub: SubscriptionHub<TopicContract>,
): CallerHandlersOf<typeof subscriptionInvoke> {
  const ownerOf = (caller: Caller | undefined): string => {
    if (!caller)
      throw new AppError('INTERNAL', { detail: 'a subscription channel was called without a caller' });
    return caller.owner;
  };
  return {
    'subscriptions:subscribe': async ({ topic, params }, caller) => ({
      id: hub.subscribe(ownerOf(caller), topic, params),
    }),
    'subscriptions:unsubscribe': async ({ id }, caller) => ({ closed: hub.unsubscribe(id, ownerOf(caller)) }),
  };
}

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as string[]).includes(value);
}

export interface DispatchOptions {
  /** Check results against the contract too (development and tests); a mismatch is a bug in main. */
  validateOutput?: boolean;
  /** Who is calling (see Caller); without it the subscription channels refuse. */
  caller?: Caller;
}

const defaultValidateOutput = (): boolean => process.env.NODE_ENV !== 'production';

/**
 * Validates the channel and the input against the contract, runs the handler, and turns every
 * failure into `{code, message, detail}` — nothing thrown crosses the bridge.
 */
export async function dispatchInvoke<C extends InvokeChannel>(
  handlers: InvokeHandlers,
  channel: C | string,
  rawInput: unknown,
  options: DispatchOptions = {},
): Promise<InvokeResult<InvokeOutput<C>>> {
  try {
    if (!isInvokeChannel(channel)) {
      throw new AppError('INVALID_ARGUMENT', { params: { reason: `unknown channel "${String(channel)}"` } });
    }
    const spec = invokeContract[channel];
    // Calls without arguments may come as undefined (e.g. a bare invoke from devtools).
    const parsed = spec.input.safeParse(rawInput === undefined ? {} : rawInput);
    if (!parsed.success) {
      throw new AppError('INVALID_ARGUMENT', {
        params: { reason: `${channel}: ${formatIssues(parsed.error)}` },
      });
    }
    const handler = handlers[channel] as (input: unknown, caller?: Caller) => Promise<unknown>;
    const value = await handler(parsed.data, options.caller);
    if (options.validateOutput ?? defaultValidateOutput()) {
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        throw new AppError('INTERNAL', {
          detail: `${channel} returned a result outside the contract: ${formatIssues(checked.error)}`,
        });
      }
    }
    return { ok: true, value: value as InvokeOutput<C> };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}

/** At most this often per job; the final state always goes out at once. */
export const JOB_EVENT_INTERVAL_MS = 100;

export type Send = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Forwards service events to one receiver (a window, the E2E page), `owner` being its id for
 * subscriptions: their batches go out as `subscription` events, and unwiring closes them. Job state
 * (steps, progress) can change in bursts, so each job is throttled to ≤ 10 events/s; an update that
 * finishes the job is sent immediately and cancels any pending one. Job output is not in job events:
 * it streams through the `job-output` topic. Returns the unsubscribe.
 */
export function wireEvents(services: AppServices, owner: string, send: Send): () => void {
  const pending = new Map<
    string,
    { timer: NodeJS.Timeout | null; lastSent: number; latest: JobSnapshot | null }
  >();

  const flushJob = (id: string): void => {
    const entry = pending.get(id);
    if (!entry?.latest) return;
    entry.timer = null;
    entry.lastSent = Date.now();
    const job = entry.latest;
    entry.latest = null;
    send('job', job);
  };

  const onJob = (job: JobSnapshot): void => {
    const entry = pending.get(job.id) ?? { timer: null, lastSent: 0, latest: null };
    pending.set(job.id, entry);
    entry.latest = job;
    if (job.finishedAt !== null) {
      if (entry.timer) clearTimeout(entry.timer);
      pending.delete(job.id);
      send('job', job);
      return;
    }
    if (entry.timer) return;
    const wait = entry.lastSent + JOB_EVENT_INTERVAL_MS - Date.now();
    if (wait <= 0) flushJob(job.id);
    else entry.timer = setTimeout(() => flushJob(job.id), wait);
  };

  const unsubscribers = [
    services.subscriptions.connect(owner, (batch) => send('subscription', batch)),
    services.stack.onSnapshot((snapshot) => send('status', snapshot)),
    services.jobs.onUpdate(onJob),
    services.settings.onChange((view) => send('settings', view)),
  ];
  return () => {
    for (const off of unsubscribers) off();
    for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
    pending.clear();
  };
}
