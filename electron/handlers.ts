/**
 * The main-side half of the contract, free of Electron: one handler per invoke channel, the
 * validating dispatcher, and the event forwarding. `ipc.ts` wires these to ipcMain; the E2E harness
 * wires the very same functions to Chromium with page.exposeFunction.
 */
import type { z } from 'zod';
import {
  INVOKE_CHANNELS,
  invokeContract,
  type AppInfo,
  type EventName,
  type EventPayload,
  type InvokeChannel,
  type InvokeOutput,
  type InvokeResult,
} from './contract';
import { AppError, toErrorInfo } from './core/errors';
import type { JobHandle, JobSnapshot } from './core/jobs';
import type { AppServices } from './services';
import { formatIssues } from './settings/store';

/** What the handlers receive: the input after the contract's schema parsed it. */
export type ParsedInput<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['input']>;

export type InvokeHandlers = {
  [C in InvokeChannel]: (input: ParsedInput<C>) => Promise<InvokeOutput<C>>;
};

/** Things only Electron can do, passed in by main.ts (and imitated by the E2E harness). */
export interface HandlerAdapters {
  openExternal(url: string): Promise<void>;
  pickFolder(): Promise<string | null>;
  /** The folder picker titled for a plugin folder; falls back to pickFolder. */
  pickPluginFolder?(): Promise<string | null>;
  appInfo(): AppInfo;
}

export function createInvokeHandlers(services: AppServices, adapters: HandlerAdapters): InvokeHandlers {
  const { stack, jobs, settings } = services;
  return {
    'app:info': async () => adapters.appInfo(),
    'app:openDify': async () => {
      const url = settings.get().settings.difyUrl;
      if (!isWebUrl(url)) {
        throw new AppError('INVALID_ARGUMENT', {
          params: { reason: `Dify URL must be http:// or https://: ${url}` },
        });
      }
      await adapters.openExternal(url);
      return { url };
    },
    'status:get': async () => stack.getSnapshot(),
    'status:refresh': () => stack.refresh(),
    'stack:start': async () => detach(stack.startStack()),
    'stack:stop': async () => detach(stack.stopStack()),
    'stack:restartService': async ({ service }) => detach(stack.restartService(service)),
    'jobs:list': async () => jobs.list(),
    'jobs:cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'plugins:list': () => services.plugins.overview(),
    'plugins:add': async ({ dir }) => {
      await services.plugins.addProject(dir);
      return services.plugins.overview();
    },
    'plugins:remove': async ({ dir }) => {
      await services.plugins.removeProject(dir);
      return services.plugins.overview();
    },
    'plugins:pickFolder': async () => ({
      dir: await (adapters.pickPluginFolder ?? adapters.pickFolder)(),
    }),
    'plugins:reinstall': async ({ dir }) =>
      detach(services.plugins.reinstall({ dir }, { requireRegistered: true })),
    'plugins:reinstallAllowUnsigned': async ({ dir }) =>
      detach(services.plugins.reinstall({ dir }, { requireRegistered: true, allowUnsigned: true })),
    'plugins:timeouts': () => services.plugins.pluginTimeouts(),
    'dify:getConnection': () => services.plugins.connection(),
    'dify:setConnection': (input) => services.plugins.setConnection(input),
    'dify:testLogin': () => services.plugins.testLogin(),
    'settings:get': async () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
    'settings:checkDifyDir': ({ dir }) => stack.checkDifyDir(dir),
    'settings:detectDifyDir': () => stack.detectDifyDirs(),
    'settings:pickDifyDir': async () => ({ dir: await adapters.pickFolder() }),
    'timeouts:view': () => services.timeouts.getView(),
    'timeouts:check': async ({ values, plugin }) => services.timeouts.check(values, plugin),
    'timeouts:preview': ({ changes, file, mode }) =>
      services.timeouts.previewChanges(changes, { file, mode }),
    'timeouts:apply': async ({ changes, file, mode }) =>
      detach(services.timeouts.applyEnvChanges({ changes, file, mode })),
    'timeouts:backups': () => services.timeouts.listBackups(),
    'timeouts:restore': async ({ file, backupId, mode }) =>
      detach(services.timeouts.restoreBackup(file, backupId, { mode })),
  };
}

/**
 * A job's outcome reaches the UI as job state (job events, jobs:list), not as this call's result:
 * the call answers at once with the id, and the promise is observed here so a failing job is not
 * an unhandled rejection.
 */
function detach(handle: JobHandle<unknown>): { jobId: string } {
  handle.done.catch(() => undefined);
  return { jobId: handle.id };
}

export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as string[]).includes(value);
}

export interface DispatchOptions {
  /** Check results against the contract too (development and tests); a mismatch is a bug in main. */
  validateOutput?: boolean;
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
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
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

type Send = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Forwards service events to one receiver (a window, the E2E page). Job updates come per output line
 * (compose can print hundreds a second), so each job is throttled to ≤ 10 events/s; an update that
 * finishes the job is sent immediately and cancels any pending one. Returns the unsubscribe.
 */
export function wireEvents(services: AppServices, send: Send): () => void {
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
