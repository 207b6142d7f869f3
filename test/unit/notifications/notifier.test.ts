import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { GpuSummary, LogsSummary } from '../../../electron/contract';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { AppError } from '../../../electron/core/errors';
import type { JobSnapshot } from '../../../electron/core/jobs';
import { Notifier, type AppNotification } from '../../../electron/notifications/api';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import { rtx4070 } from '../../helpers/gpu-readings';

const tick = () => new Promise((r) => setTimeout(r, 0));

const gpu = (over: Partial<GpuSummary> = {}): GpuSummary => ({
  state: 'ok',
  error: null,
  gpus: [rtx4070({ memoryUsed: 11700 })],
  consumers: [],
  alert: false,
  at: 1,
  ...over,
});

const logs = (errors: number): LogsSummary => ({
  watching: true,
  errors,
  last:
    errors > 0
      ? { service: 'plugin_daemon', at: 1_700_000_000_000, text: 'ERROR  plugin crashed:   boom' }
      : null,
});

const job = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  id: 'job-1',
  kind: 'stack.start',
  resource: 'r',
  state: 'succeeded',
  step: null,
  progress: 1,
  outputLines: 0,
  error: null,
  createdAt: 1,
  startedAt: 1,
  finishedAt: 2,
  ...over,
});

function setup(options: { settings?: Partial<Settings>; visible?: boolean; lang?: 'ja' | 'en' } = {}) {
  const snapshot = new AppSnapshotStore();
  const jobEvents = new EventEmitter();
  let settings = SettingsSchema.parse({ language: options.lang ?? 'en', ...options.settings });
  const view = { visible: options.visible ?? false };
  const shown: AppNotification[] = [];
  const notifier = new Notifier({
    snapshot,
    jobs: {
      onUpdate: (l) => {
        jobEvents.on('job', l);
        return () => jobEvents.off('job', l);
      },
    },
    settings: { get: () => ({ settings, path: '', warning: null }) },
    systemLocale: 'en-US',
    windowVisible: () => view.visible,
    show: (n) => shown.push(n),
  });
  return {
    shown,
    view,
    notifier,
    setSettings: (patch: Partial<Settings>) => (settings = { ...settings, ...patch }),
    job: (j: JobSnapshot) => jobEvents.emit('job', j),
    async gpu(summary: GpuSummary | null) {
      snapshot.part('gpu').set(summary);
      await tick();
    },
    async logs(summary: LogsSummary | null) {
      snapshot.part('logs').set(summary);
      await tick();
    },
  };
}

describe('Notifier: the stack', () => {
  it('tells that the stack started, once, opening the dashboard — visible window or not', () => {
    const t = setup({ visible: true });
    t.job(job({ state: 'running', finishedAt: null }));
    t.job(job());
    t.job(job()); // a finished job's snapshot sent again
    expect(t.shown).toEqual([
      {
        kind: 'stackStarted',
        title: 'The stack is running',
        body: 'Every component of the stack started. Click to open the dashboard.',
        target: { page: 'dashboard', jobId: 'job-1' },
      },
    ]);
  });

  it('tells why the stack failed to start, in the user language', () => {
    const t = setup({ lang: 'ja' });
    t.job(job({ state: 'failed', error: new AppError('DOCKER_NOT_RUNNING').toInfo() }));
    expect(t.shown).toHaveLength(1);
    expect(t.shown[0]).toMatchObject({ kind: 'stackFailed', title: 'スタックを起動できませんでした' });
    expect(t.shown[0]?.body).toContain('Docker');
  });

  it('says nothing about a cancelled start, nor with notifyStack off', () => {
    const t = setup({ settings: { notifyStack: false } });
    t.job(job({ id: 'a' }));
    t.job(job({ id: 'b', state: 'failed', error: new AppError('DOCKER_NOT_RUNNING').toInfo() }));
    t.setSettings({ notifyStack: true });
    t.job(job({ id: 'c', state: 'cancelled', error: new AppError('CANCELLED').toInfo() }));
    expect(t.shown).toEqual([]);
  });
});

describe('Notifier: other jobs', () => {
  it('tells a job finished only while the window is hidden', () => {
    const t = setup({ visible: true });
    t.job(job({ id: 'seen', kind: 'plugins.reinstall' }));
    expect(t.shown).toEqual([]);
    t.view.visible = false;
    t.job(job({ id: 'hidden', kind: 'plugins.reinstall' }));
    t.job(
      job({
        id: 'hidden-failed',
        kind: 'timeouts.apply',
        state: 'failed',
        error: new AppError('COMPOSE_FAILED').toInfo(),
      }),
    );
    expect(t.shown.map((n) => [n.kind, n.title, n.target])).toEqual([
      ['jobFinished', 'Finished: Reinstall plugin', { page: 'dashboard', jobId: 'hidden' }],
      ['jobFinished', 'Failed: Apply timeout settings', { page: 'dashboard', jobId: 'hidden-failed' }],
    ]);
    expect(t.shown[0]?.body).toBe('Click to see it on the dashboard.');
  });

  it('respects notifyJobs, and names a job it has no title for by its kind', () => {
    const t = setup({ settings: { notifyJobs: false } });
    t.job(job({ id: 'a', kind: 'plugins.reinstall' }));
    expect(t.shown).toEqual([]);
    t.setSettings({ notifyJobs: true });
    t.job(job({ id: 'b', kind: 'something.new' }));
    expect(t.shown[0]?.title).toBe('Finished: something.new');
  });

  it('keeps a long line to a toast-sized single line', async () => {
    const t = setup();
    const text = `line one\n${'x'.repeat(400)}`;
    await t.logs({ watching: true, errors: 1, last: { service: 'plugin_daemon', at: 1, text } });
    const body = t.shown[0]?.body ?? '';
    expect(body.length).toBe(200);
    expect(body.startsWith('line one xxx')).toBe(true);
    expect(body.endsWith('…')).toBe(true);
  });
});

describe('Notifier: VRAM', () => {
  it('tells once when the alert turns on, again only after it went off, opening the GPU page', async () => {
    const t = setup();
    await t.gpu(gpu());
    await t.gpu(gpu({ alert: true }));
    await t.gpu(gpu({ alert: true, gpus: [rtx4070({ memoryUsed: 11800 })] }));
    expect(t.shown).toEqual([
      {
        kind: 'vram',
        title: 'VRAM nearly full',
        body: "VRAM 11.4 / 12.0 GB: at or above 90% for 30 s. Click to see what holds it and unload Ollama's models.",
        target: { page: 'gpu' },
      },
    ]);
    await t.gpu(gpu());
    await t.gpu(gpu({ alert: true }));
    expect(t.shown).toHaveLength(2);
  });

  it('says nothing with notifyVram off, and does not tell later what it kept quiet about', async () => {
    const t = setup({ settings: { notifyVram: false } });
    await t.gpu(gpu({ alert: true }));
    t.setSettings({ notifyVram: true });
    await t.gpu(gpu({ alert: true, at: 2 }));
    expect(t.shown).toEqual([]);
  });

  it('names each GPU when there are several, in Japanese too', async () => {
    const t = setup({ lang: 'ja' });
    await t.gpu(gpu({ alert: true, gpus: [rtx4070({ index: 0 }), rtx4070({ index: 1, memoryUsed: null })] }));
    expect(t.shown[0]?.title).toBe('VRAM が残りわずかです');
    expect(t.shown[0]?.body).toMatch(/^GPU 0 VRAM [\d.]+ \/ 12\.0 GB（90% 以上が 30 秒以上継続）/);
  });
});

describe('Notifier: plugin daemon errors', () => {
  it('tells when unseen errors appear, with the last line, opening the log at it', async () => {
    const t = setup();
    await t.logs(logs(0));
    await t.logs(logs(1));
    await t.logs(logs(5)); // more errors while still unseen: no new toast
    expect(t.shown).toEqual([
      {
        kind: 'pluginError',
        title: 'Error in the plugin daemon',
        body: 'ERROR plugin crashed: boom',
        target: {
          page: 'logs',
          request: {
            sources: [{ kind: 'service', service: 'plugin_daemon' }],
            at: {
              key: 'service:plugin_daemon',
              at: 1_700_000_000_000,
              text: 'ERROR  plugin crashed:   boom',
            },
          },
        },
      },
    ]);
    await t.logs(logs(0)); // seen
    await t.logs(logs(1));
    expect(t.shown).toHaveLength(2);
  });

  it('respects notifyPluginErrors', async () => {
    const t = setup({ settings: { notifyPluginErrors: false } });
    await t.logs(logs(2));
    expect(t.shown).toEqual([]);
  });

  it('does not tell about a state that held before it started, and stops listening when disposed', async () => {
    const snapshotFirst = setup();
    await snapshotFirst.logs(logs(3));
    snapshotFirst.notifier.dispose();
    await snapshotFirst.gpu(gpu({ alert: true }));
    snapshotFirst.job(job());
    expect(snapshotFirst.shown).toHaveLength(1);
  });
});
