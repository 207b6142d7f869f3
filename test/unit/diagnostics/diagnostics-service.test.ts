/**
 * The diagnostics export over injected probes (electron/diagnostics): what the zip holds, that an
 * item that cannot be read is recorded and does not fail the export, that nothing secret gets in,
 * that a cancelled or failed export leaves no file; and the app log's events.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppLog } from '../../../electron/core/app-log';
import type { StatusSnapshot } from '../../../electron/core/contract';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import { followAppEvents } from '../../../electron/diagnostics/app-log-events';
import {
  DiagnosticsService,
  type DiagnosticsServiceOptions,
} from '../../../electron/diagnostics/diagnostics-service';
import { createDiagnosticsHandlers, suggestedName } from '../../../electron/diagnostics/handlers';
import {
  ItemError,
  a1111SysinfoOf,
  nvidiaGpusOf,
  splitImage,
  type VersionProbes,
} from '../../../electron/diagnostics/version-probes';
import type { DoctorReport } from '../../../electron/processes/contract';
import type { SettingsView } from '../../../electron/settings/contract';
import { assembleServices } from '../../../electron/services';
import { SettingsSchema } from '../../../electron/settings/schema';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack } from '../../doubles/fake-stack';
import { readZipTexts } from '../../helpers/diagnostics-zip';
import { useTempDir } from '../../helpers/use-temp-dir';

const PASSWORD = 'Pw9-unit-secret';
const TOKEN = 'hf_unitTokenValue123456';

const settingsView = (): SettingsView => ({
  settings: SettingsSchema.parse({
    difyDir: '/home/taro/dify/docker',
    difyUrl: `http://admin:${PASSWORD}@localhost`,
    difyEmail: 'taro@example.com',
    ollamaEnv: { HF_TOKEN: TOKEN, OLLAMA_KEEP_ALIVE: '10m' },
    a1111Args: `--api-auth sd:${PASSWORD}`,
  }),
  path: '/home/taro/.config/dify-stack-tray/settings.json',
  warning: null,
});

const snapshot = {
  components: [{ id: 'docker', state: 'running', detail: `login failed: {"password":"${PASSWORD}"}` }],
  updatedAt: 1,
} as unknown as StatusSnapshot;

const report: DoctorReport = { ok: true, container: 'docker-api-1', checks: [], error: null, finishedAt: 2 };

const probes = (over: Partial<VersionProbes> = {}): VersionProbes => ({
  docker: async () => ({ version: '20.10.24', apiVersion: '1.41' }),
  compose: async () => ({ flavor: 'v2', version: '2.26.1' }),
  difyImages: async () => ({ services: [{ service: 'api', image: 'langgenius/dify-api', tag: '1.9.1' }] }),
  ollama: async () => {
    throw new ItemError('NOT_RUNNING', 'Ollama is not running (stopped)');
  },
  a1111: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:7860');
  },
  nvidia: () => new Promise(() => undefined), // never answers
  ...over,
});

function service(dir: string, over: Partial<DiagnosticsServiceOptions> = {}) {
  const jobs = new JobManager();
  const log = new AppLog({ file: join(dir, 'logs', 'app.log') });
  let doctorRuns = 0;
  const svc = new DiagnosticsService({
    jobs,
    log,
    logDir: join(dir, 'logs'),
    program: 'app',
    appVersion: '9.9.9',
    settings: settingsView,
    status: async () => snapshot,
    doctor: {
      last: () => null,
      run: async () => {
        doctorRuns++;
        return report;
      },
    },
    probes: probes(),
    probeTimeoutMs: 200,
    ...over,
  });
  return { svc, jobs, log, doctorRuns: () => doctorRuns };
}

describe('DiagnosticsService', () => {
  const dir = useTempDir('dst-diag-');

  it('writes the documented entries, records what it cannot read, and keeps secrets out', async () => {
    const { svc, log, doctorRuns } = service(dir());
    log.error('job.failed', { message: `Authorization: Bearer ${TOKEN}` });
    // A line an older app wrote without redaction: redacted on the way into the zip.
    await log.flush();
    await fs.appendFile(join(dir(), 'logs', 'app.log'), `old line password=${PASSWORD}\n`);
    await fs.writeFile(join(dir(), 'logs', 'app.1.log'), 'older generation\n');
    await fs.writeFile(join(dir(), 'logs', 'cli.log'), 'a cli run\n');
    await fs.writeFile(join(dir(), 'logs', 'ollama.log'), 'not ours to export\n');

    const file = join(dir(), 'out.zip');
    const result = await svc.exportTo(file).done;
    expect(result.path).toBe(file);
    expect(result.unavailable).toEqual([
      'versions.json#a1111',
      'versions.json#nvidia',
      'versions.json#ollama',
    ]);

    const zip = await readZipTexts(file);
    expect(Object.keys(zip)).toEqual([
      'README.txt',
      'versions.json',
      'settings.json',
      'status.json',
      'doctor.json',
      'app-logs/app.1.log',
      'app-logs/app.log',
      'app-logs/cli.log',
    ]);
    const versions = JSON.parse(zip['versions.json']!) as Record<string, unknown>;
    expect(versions).toMatchObject({
      app: { version: '9.9.9', program: 'app' },
      runtime: { electron: 'cli', node: process.versions.node },
      docker: { version: '20.10.24', apiVersion: '1.41' },
      compose: { flavor: 'v2' },
      ollama: { error: 'NOT_RUNNING', message: 'Ollama is not running (stopped)' },
      a1111: { error: 'UNAVAILABLE', message: 'connect ECONNREFUSED 127.0.0.1:7860' },
      nvidia: { error: 'TIMEOUT' },
    });
    const settings = JSON.parse(zip['settings.json']!) as { file: string; settings: Record<string, unknown> };
    expect(settings.file).toBe('/home/taro/.config/dify-stack-tray/settings.json');
    expect(settings.settings).toMatchObject({
      difyDir: '/home/taro/dify/docker',
      difyUrl: 'http://admin:[REDACTED]@localhost',
      difyEmail: '***@example.com',
      ollamaEnv: { HF_TOKEN: '[REDACTED]', OLLAMA_KEEP_ALIVE: '10m' },
    });
    expect(JSON.parse(zip['doctor.json']!)).toEqual({ source: 'run-for-export', report });
    expect(doctorRuns()).toBe(1);
    expect(zip['README.txt']).toContain('Could not be read');
    expect(zip['README.txt']).toContain('versions.json#nvidia');
    expect(zip['app-logs/app.log']).toContain('diagnostics.export.started');

    const all = Object.values(zip).join('\n');
    for (const secret of [PASSWORD, TOKEN, 'taro@']) expect(all).not.toContain(secret);
    expect(all).not.toContain('not ours to export');
  });

  it('uses the last doctor results when there are some', async () => {
    const { svc, doctorRuns } = service(dir(), {
      doctor: { last: () => report, run: async () => Promise.reject(new Error('not called')) },
    });
    const file = join(dir(), 'd.zip');
    await svc.exportTo(file).done;
    expect(JSON.parse((await readZipTexts(file))['doctor.json']!)).toEqual({ source: 'last', report });
    expect(doctorRuns()).toBe(0);
  });

  it('a cancelled export stops at once and leaves no file and no partial file', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { svc, jobs } = service(dir(), {
      probeTimeoutMs: 10_000,
      probes: probes({ nvidia: async () => held.then(() => ({ gpus: [] })) }),
    });
    const file = join(dir(), 'cancelled.zip');
    const handle = svc.exportTo(file);
    await expect.poll(() => jobs.get(handle.id)?.step?.key).toBe('diagnostics.steps.versions');
    // Cancelled while a probe still waits: the export stops without waiting for it.
    jobs.cancel(handle.id);
    await expect(handle.done).rejects.toMatchObject({ code: 'CANCELLED' });
    release();
    expect(jobs.get(handle.id)?.state).toBe('cancelled');
    expect(await fs.readdir(dir())).toEqual(['logs']);
    expect(svc.exportedFile(handle.id)).toBeNull();
  });

  it('fails with DIAGNOSTICS_WRITE_FAILED when the zip cannot be written, leaving nothing', async () => {
    const { svc } = service(dir());
    const file = join(dir(), 'no-such-folder', 'x.zip');
    await expect(svc.exportTo(file).done).rejects.toMatchObject({
      code: 'DIAGNOSTICS_WRITE_FAILED',
      params: { path: file },
    });
    expect(await fs.readdir(dir())).toEqual(['logs']);
  });
});

describe('diagnostics handlers', () => {
  const dir = useTempDir('dst-diag-h-');

  it('asks where to save; reveals only a file an export wrote', async () => {
    const { svc } = service(dir());
    const shown: string[] = [];
    let answer: string | null = null;
    const h = createDiagnosticsHandlers(
      { diagnostics: svc },
      { pickSavePath: async () => answer, showInFolder: (f) => shown.push(f) },
    );
    await expect(h['diagnostics:export']({})).resolves.toEqual({ jobId: null, path: null });
    answer = join(dir(), 'picked.zip');
    const started = await h['diagnostics:export']({});
    expect(started.path).toBe(answer);
    await expect(h['diagnostics:showInFolder']({ jobId: 'someone-else' })).resolves.toEqual({ shown: false });
    await expect.poll(() => svc.exportedFile(started.jobId!)).toBe(answer);
    await expect(h['diagnostics:showInFolder']({ jobId: started.jobId! })).resolves.toEqual({ shown: true });
    expect(shown).toEqual([answer]);
    await expect(h['diagnostics:info']({})).resolves.toEqual({
      appLog: join(dir(), 'logs', 'app.log'),
      logDir: join(dir(), 'logs'),
      canShowInFolder: true,
    });
  });

  it('suggests a dated file name', () => {
    expect(suggestedName(new Date(2026, 11, 3, 9, 5))).toBe('dify-stack-diagnostics-20261203-0905.zip');
  });
});

describe('version probe parsers', () => {
  it.each([
    ['langgenius/dify-api:1.9.1', { image: 'langgenius/dify-api', tag: '1.9.1', digest: null }],
    [
      'localhost:5000/dify-web:1.16.0@sha256:abc',
      { image: 'localhost:5000/dify-web', tag: '1.16.0', digest: 'sha256:abc' },
    ],
    ['localhost:5000/busybox', { image: 'localhost:5000/busybox', tag: null, digest: null }],
  ])('splitImage(%s)', (ref, expected) => {
    expect(splitImage(ref)).toEqual(expected);
  });

  it('reads nvidia-smi lines, bracketed values unknown', () => {
    expect(nvidiaGpusOf('NVIDIA GeForce RTX 4070, 576.52, 12282\r\nTesla T4, [N/A], [N/A]\n')).toEqual([
      { name: 'NVIDIA GeForce RTX 4070', driver: '576.52', memoryTotalMiB: 12282 },
      { name: 'Tesla T4', driver: null, memoryTotalMiB: null },
    ]);
  });

  it("keeps only A1111 sysinfo's version fields (never its environment, config or command line)", () => {
    const kept = a1111SysinfoOf({
      Version: 'v1.10.1',
      Commit: '82a973c0',
      Python: '3.10.6',
      Platform: 'Windows-10',
      'Torch env info': { torch_version: '2.1.2+cu121', cuda_runtime_version: '12.1' },
      Environment: { COMMANDLINE_ARGS: '--api-auth a:b' },
      Config: { secret: 'x' },
      Commandline: ['launch.py', '<hidden>'],
    });
    expect(kept).toEqual({
      version: 'v1.10.1',
      commit: '82a973c0',
      python: '3.10.6',
      platform: 'Windows-10',
      torch: '2.1.2+cu121',
      cuda: '12.1',
    });
  });
});

describe('followAppEvents', () => {
  const dir = useTempDir('dst-diag-ev-');

  it('logs job starts and ends with their code, and changed settings by key only', async () => {
    const jobs = new JobManager();
    const log = new AppLog({ file: join(dir(), 'app.log') });
    let view = settingsView();
    const listeners: Array<(v: SettingsView) => void> = [];
    const off = followAppEvents(log, {
      jobs,
      settings: { get: () => view, onChange: (l) => (listeners.push(l), () => undefined) },
    });
    await jobs.start({ kind: 'stack.start', resource: 'r' }, async (ctx) => ctx.progress(0.5)).done;
    await jobs
      .start({ kind: 'stack.stop', resource: 'r' }, async () => {
        throw new AppError('COMPOSE_FAILED', { detail: `token=${TOKEN}` });
      })
      .done.catch(() => undefined);
    view = { ...view, settings: { ...view.settings, difyEmail: 'new@example.com', a1111Port: 7861 } };
    for (const l of listeners) l(view);
    off();
    await log.flush();
    const lines = (await fs.readFile(log.file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ /, '').split(' id=')[0])).toEqual([
      'INFO  job.started kind=stack.start',
      'INFO  job.succeeded kind=stack.start',
      'INFO  job.started kind=stack.stop',
      'ERROR job.failed kind=stack.stop',
      'INFO  settings.changed keys=a1111Port,difyEmail',
    ]);
    expect(lines[3]).toContain('code=COMPOSE_FAILED');
    expect(lines.join('\n')).not.toContain('new@example.com');
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('the app log in assembled services', () => {
  const dir = useTempDir('dst-diag-asm-');

  it('records a notification shown, and a job it told about', async () => {
    const jobs = new JobManager();
    const settings = await SettingsStore.open(join(dir(), 'settings.json'));
    const log = new AppLog({ file: join(dir(), 'logs', 'app.log') });
    const shown: string[] = [];
    const services = assembleServices(settings, jobs, new FakeStack(jobs), {
      notifications: { systemLocale: 'en-US', windowVisible: () => false, show: (n) => shown.push(n.kind) },
      diagnostics: { log, logDir: join(dir(), 'logs'), program: 'app', probes: probes() },
    });
    await jobs.start({ kind: 'timeouts.apply', resource: 'r' }, async () => undefined).done;
    await expect.poll(() => shown).toEqual(['jobFinished']);
    await services.dispose();
    const text = await fs.readFile(log.file, 'utf8');
    expect(text).toMatch(/INFO {2}job\.succeeded kind=timeouts\.apply/);
    expect(text).toMatch(/INFO {2}notification\.shown kind=jobFinished target=dashboard/);
  });
});
