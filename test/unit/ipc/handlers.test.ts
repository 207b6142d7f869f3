import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventContract, INVOKE_CHANNELS, type EventName } from '../../../electron/contract';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import {
  createInvokeHandlers,
  dispatchInvoke,
  isWebUrl,
  JOB_EVENT_INTERVAL_MS,
  wireEvents,
  type HandlerAdapters,
  type InvokeHandlers,
} from '../../../electron/handlers';
import { assembleServices, type AppServices } from '../../../electron/services';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack, snapshotOf } from '../../doubles/fake-stack';

let dir: string;
let services: AppServices;
let stack: FakeStack;
let adapters: HandlerAdapters & { opened: string[] };
let handlers: InvokeHandlers;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'handlers-test-'));
  const settings = await SettingsStore.open(path.join(dir, 'settings.json'));
  const jobs = new JobManager();
  stack = new FakeStack(jobs);
  services = assembleServices(settings, jobs, stack);
  const opened: string[] = [];
  adapters = {
    opened,
    openExternal: async (url) => void opened.push(url),
    pickFolder: async () => 'D:\\dify\\docker',
    appInfo: () => ({ version: '0.1.0', platform: 'win32', systemLocale: 'ja-JP' }),
    saveTextFile: async () => null,
  };
  handlers = createInvokeHandlers(services, adapters);
});
afterEach(async () => {
  vi.useRealTimers();
  await services.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('createInvokeHandlers', () => {
  it('has exactly one handler per contract channel', () => {
    expect(Object.keys(handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});

describe('dispatchInvoke', () => {
  it('refuses an unknown channel with INVALID_ARGUMENT naming it', async () => {
    for (const channel of ['stack:destroy', '__proto__', 'toString', 42]) {
      const result = await dispatchInvoke(handlers, channel as string, {});
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('INVALID_ARGUMENT');
        expect(result.error.message).toContain(String(channel));
      }
    }
  });

  it.each([
    ['stack:restartService', {}, /service/],
    ['stack:restartService', { service: '' }, /service/],
    ['stack:restartService', { service: 'api', extra: true }, /extra/],
    ['status:get', { unexpected: 1 }, /unexpected/],
    ['settings:update', { language: 'fr' }, /language/],
    ['settings:update', { difyUrl: 'javascript:alert(1)' }, /difyUrl/],
    ['jobs:cancel', 'not-an-object', /object/],
  ])('refuses invalid input for %s with a readable reason', async (channel, input, reason) => {
    const result = await dispatchInvoke(handlers, channel, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_ARGUMENT');
      expect(result.error.message).toMatch(reason);
      expect(result.error.message).toContain(channel);
    }
    expect(stack.calls.filter((c) => c.startsWith('restartService'))).toEqual([]);
  });

  it('accepts a missing argument for channels that take none', async () => {
    const result = await dispatchInvoke(handlers, 'status:get', undefined);
    expect(result).toEqual({ ok: true, value: stack.snapshot });
  });

  it('lets a thrown AppError cross as {code, message, detail, params}', async () => {
    const failing: InvokeHandlers = {
      ...handlers,
      'status:refresh': async () => {
        throw new AppError('COMPOSE_FAILED', {
          params: { command: 'up -d', exitCode: 1 },
          detail: 'service "api" refers to undefined volume',
        });
      },
    };
    const result = await dispatchInvoke(failing, 'status:refresh', {});
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'COMPOSE_FAILED',
        message: 'docker compose up -d failed (exit code 1). See the details below.',
        detail: 'service "api" refers to undefined volume',
        params: { command: 'up -d', exitCode: 1 },
      },
    });
  });

  it('turns any other thrown error into INTERNAL with its text as detail', async () => {
    const failing: InvokeHandlers = {
      ...handlers,
      'settings:detectDifyDir': async () => {
        throw new TypeError('boom');
      },
    };
    const result = await dispatchInvoke(failing, 'settings:detectDifyDir', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Something unexpected went wrong.', detail: 'boom' },
    });
  });

  it('checks results against the contract when asked to', async () => {
    const wrong = {
      ...handlers,
      'jobs:cancel': async () => ({ cancelled: 'yes' }),
    } as unknown as InvokeHandlers;
    const checked = await dispatchInvoke(wrong, 'jobs:cancel', { jobId: 'x' }, { validateOutput: true });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.error.code).toBe('INTERNAL');
      expect(checked.error.detail).toMatch(/jobs:cancel.*cancelled/);
    }
    const unchecked = await dispatchInvoke(wrong, 'jobs:cancel', { jobId: 'x' }, { validateOutput: false });
    expect(unchecked).toEqual({ ok: true, value: { cancelled: 'yes' } });
  });
});

describe('channel semantics', () => {
  const run = <T>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> =>
    p.then((r) => {
      if (!r.ok) throw new Error(`unexpected failure: ${JSON.stringify(r.error)}`);
      return r.value;
    });

  it('components:start answers with the job id at once; a failure shows up as job state, not as a rejection', async () => {
    let release!: () => void;
    stack.scripts.start = async (ctx) => {
      ctx.step('stack.steps.composeUp');
      await new Promise<void>((r) => (release = r));
      throw new AppError('DOCKER_NOT_RUNNING');
    };
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { jobId } = await run(dispatchInvoke(handlers, 'components:start', { ids: ['dify'] }));
      await vi.waitFor(() => expect(stack.calls).toContain('startDifyIn'));
      const running = await run(dispatchInvoke(handlers, 'jobs:list', {}));
      expect(running.find((j) => j.id === jobId)?.state).toBe('running');

      release();
      await vi.waitFor(() => expect(services.jobs.get(jobId)?.state).toBe('failed'));
      const jobs = await run(dispatchInvoke(handlers, 'jobs:list', {}));
      expect(jobs.find((j) => j.id === jobId)?.error?.code).toBe('DOCKER_NOT_RUNNING');
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('components:stop, stack:restartService and jobs:cancel reach the stack and the jobs', async () => {
    const { jobId: stopId } = await run(dispatchInvoke(handlers, 'components:stop', { ids: ['dify'] }));
    await vi.waitFor(() => expect(services.jobs.get(stopId)?.state).toBe('succeeded'));
    await run(dispatchInvoke(handlers, 'stack:restartService', { service: 'plugin_daemon' }));
    expect(stack.calls).toEqual(['stopDifyIn', 'restartService:plugin_daemon']);

    let started!: () => void;
    const began = new Promise<void>((r) => (started = r));
    stack.scripts.down = async (ctx) => {
      started();
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      ctx.throwIfCancelled();
    };
    const handle = stack.downStack();
    handle.done.catch(() => undefined);
    await began;
    expect(await run(dispatchInvoke(handlers, 'jobs:cancel', { jobId: handle.id }))).toEqual({
      cancelled: true,
    });
    await vi.waitFor(() => expect(services.jobs.get(handle.id)?.state).toBe('cancelled'));
    expect(await run(dispatchInvoke(handlers, 'jobs:cancel', { jobId: handle.id }))).toEqual({
      cancelled: false,
    });
  });

  it('app:openDify opens the configured URL through the adapter', async () => {
    await services.settings.update({ difyUrl: 'http://localhost:8080/apps' });
    expect(await run(dispatchInvoke(handlers, 'app:openDify', {}))).toEqual({
      url: 'http://localhost:8080/apps',
    });
    expect(adapters.opened).toEqual(['http://localhost:8080/apps']);
  });

  it('only treats http(s) URLs as openable', () => {
    expect(isWebUrl('http://localhost')).toBe(true);
    expect(isWebUrl('https://dify.example.test/x')).toBe(true);
    for (const url of [
      'javascript:alert(1)',
      'file:///C:/Windows/notepad.exe',
      'ms-settings:',
      'localhost',
      '',
    ]) {
      expect(isWebUrl(url)).toBe(false);
    }
  });

  it('settings channels read, write, check, detect and pick', async () => {
    const view = await run(dispatchInvoke(handlers, 'settings:update', { language: 'ja' }));
    expect(view.settings.language).toBe('ja');
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).language).toBe('ja');
    expect(await run(dispatchInvoke(handlers, 'settings:get', {}))).toEqual(view);

    const check = await run(dispatchInvoke(handlers, 'settings:checkDifyDir', { dir: 'D:\\nowhere' }));
    expect(check.ok).toBe(false);
    expect(check.error?.code).toBe('DIFY_DIR_NOT_FOUND');
    expect(await run(dispatchInvoke(handlers, 'settings:detectDifyDir', {}))).toHaveLength(1);
    expect(await run(dispatchInvoke(handlers, 'settings:pickDifyDir', {}))).toEqual({
      dir: 'D:\\dify\\docker',
    });
    expect(await run(dispatchInvoke(handlers, 'app:info', {}))).toMatchObject({ systemLocale: 'ja-JP' });
  });

  it('a settings change triggers a status refresh', async () => {
    await services.settings.update({ difyDir: '/srv/dify/docker' });
    expect(stack.calls).toContain('refresh');
  });
});

describe('wireEvents', () => {
  type Sent = { event: EventName; payload: unknown };
  const collect = (): { sent: Sent[]; send: Parameters<typeof wireEvents>[2] } => {
    const sent: Sent[] = [];
    return { sent, send: (event, payload) => void sent.push({ event, payload }) };
  };

  it('forwards snapshots and settings changes, each valid for the contract', async () => {
    const { sent, send } = collect();
    const off = wireEvents(services, 'win', send);
    const snap = snapshotOf({ updatedAt: 42 });
    stack.emitSnapshot(snap);
    await services.settings.update({ language: 'en' });
    expect(sent.map((s) => s.event)).toEqual(expect.arrayContaining(['status', 'settings']));
    expect(sent.find((s) => s.event === 'status')?.payload).toEqual(snap);
    for (const s of sent) expect(eventContract[s.event].safeParse(s.payload).success).toBe(true);
    off();
    const before = sent.length;
    stack.emitSnapshot(snap);
    expect(sent.length).toBe(before);
  });

  it('throttles job updates to about 10 per second per job but always delivers the final state', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
    const { sent, send } = collect();
    const off = wireEvents(services, 'win', send);
    let finish!: () => void;
    let burstWritten!: () => void;
    const burstDone = new Promise<void>((r) => (burstWritten = r));
    stack.scripts.start = async (ctx) => {
      for (let i = 0; i < 200; i++) {
        ctx.log(`line ${i}`);
        ctx.progress(i / 400);
      }
      const finished = new Promise<void>((r) => (finish = r));
      burstWritten();
      await Promise.race([finished, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
      ctx.throwIfCancelled();
      ctx.log('last line');
    };
    const handle = stack.startStack();
    await burstDone;
    const jobEvents = (): Array<{ state: string; progress: number | null; outputLines: number }> =>
      sent
        .filter((s) => s.event === 'job')
        .map((s) => s.payload as { state: string; progress: number | null; outputLines: number });

    // 200 progress updates at once: the first update goes out, the rest wait for the interval.
    const burst = jobEvents().length;
    expect(burst).toBe(1);
    expect(jobEvents()[0]?.state).toBe('queued');
    vi.advanceTimersByTime(JOB_EVENT_INTERVAL_MS);
    expect(jobEvents().length).toBe(burst + 1);
    expect(jobEvents().at(-1)).toMatchObject({ progress: 199 / 400, outputLines: 200 });
    vi.advanceTimersByTime(10 * JOB_EVENT_INTERVAL_MS);
    expect(jobEvents().length).toBe(burst + 1); // nothing new, nothing sent

    finish();
    await handle.done;
    const last = jobEvents().at(-1);
    expect(last).toMatchObject({ state: 'succeeded', outputLines: 201 });
    const count = jobEvents().length;
    vi.advanceTimersByTime(10 * JOB_EVENT_INTERVAL_MS);
    expect(jobEvents().length).toBe(count); // no stale update after the final one
    for (const s of sent) expect(eventContract[s.event].safeParse(s.payload).success).toBe(true);
    expect(sent.every((s) => !('lines' in (s.payload as object)))).toBe(true);
    off();
  });

  it('job output reaches the receiver only as subscription batches, and unwiring closes them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
    const { sent, send } = collect();
    const off = wireEvents(services, 'win', send);
    let finish!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    stack.scripts.start = async (ctx) => {
      ctx.log('first');
      started();
      await new Promise<void>((r) => (finish = r));
      ctx.log('second');
    };
    const handle = stack.startStack();
    await running;
    const caller = { caller: { owner: 'win' } };
    const sub = await dispatchInvoke(
      handlers,
      'subscriptions:subscribe',
      { topic: 'job-output', params: { jobId: handle.id } },
      caller,
    );
    if (!sub.ok) throw new Error(sub.error.message);
    vi.advanceTimersByTime(0);
    finish();
    await handle.done;
    vi.advanceTimersByTime(JOB_EVENT_INTERVAL_MS);
    const batches = sent.filter((s) => s.event === 'subscription').map((s) => s.payload);
    expect(batches).toEqual([
      { id: sub.value.id, items: ['first'], dropped: 0, ended: false },
      { id: sub.value.id, items: ['second'], dropped: 0, ended: true },
    ]);
    for (const s of sent) expect(eventContract[s.event].safeParse(s.payload).success).toBe(true);

    const again = await dispatchInvoke(
      handlers,
      'subscriptions:subscribe',
      { topic: 'job-output', params: { jobId: handle.id } },
      caller,
    );
    expect(again.ok).toBe(true);
    off();
    expect(services.subscriptions.count('win')).toBe(0);
  });
});

describe('subscription channels', () => {
  it('open a stream for the caller, which only the caller may close', async () => {
    services.subscriptions.connect('win', () => undefined);
    services.subscriptions.connect('other', () => undefined);
    const handle = stack.startStack();
    const opened = await dispatchInvoke(
      handlers,
      'subscriptions:subscribe',
      { topic: 'job-output', params: { jobId: handle.id } },
      { caller: { owner: 'win' }, validateOutput: true },
    );
    if (!opened.ok) throw new Error(opened.error.message);
    const { id } = opened.value;
    expect(services.subscriptions.count('win')).toBe(1);
    const close = (owner: string) =>
      dispatchInvoke(
        handlers,
        'subscriptions:unsubscribe',
        { id },
        { caller: { owner }, validateOutput: true },
      );
    expect(await close('other')).toEqual({ ok: true, value: { closed: false } });
    expect(await close('win')).toEqual({ ok: true, value: { closed: true } });
    expect(services.subscriptions.count()).toBe(0);
    await handle.done;
  });

  it('refuse unknown topics, bad params and calls without a caller, as errors with a code', async () => {
    services.subscriptions.connect('win', () => undefined);
    const subscribe = (input: unknown, caller: { owner: string } | undefined = { owner: 'win' }) =>
      dispatchInvoke(handlers, 'subscriptions:subscribe', input, { caller });
    const refused = async (input: unknown, caller?: { owner: string }) => {
      const r = await subscribe(input, caller);
      if (r.ok) throw new Error('expected a refusal');
      return r.error;
    };
    expect(await refused({ topic: 'logs', params: {} })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('unknown topic "logs"'),
    });
    expect(await refused({ topic: 'job-output', params: { jobId: 42 } })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('job-output: jobId'),
    });
    expect(await refused({ topic: 'job-output', params: { jobId: 'gone' } })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no job with id "gone"'),
    });
    expect(await refused({ topic: 'job-output' })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const noCaller = await dispatchInvoke(handlers, 'subscriptions:subscribe', {
      topic: 'job-output',
      params: { jobId: 'x' },
    });
    expect(noCaller).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(services.subscriptions.count()).toBe(0);
  });
});
