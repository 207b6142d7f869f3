import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../../electron/core/errors';
import { JobManager, type JobSnapshot } from '../../../electron/core/jobs';
import { DifyConsoleClient } from '../../../electron/plugins/console-client';
import { PackageStore } from '../../../electron/plugins/package-store';
import { packagePluginFolder } from '../../../electron/plugins/packager';
import {
  reinstallPlugin,
  type ReinstallDeps,
  type ReinstallResult,
  type ReinstallSource,
} from '../../../electron/plugins/reinstall';
import {
  startDifyConsoleDouble,
  type DifyConsoleDouble,
  type DifyConsoleDoubleOptions,
} from '../../doubles/dify-console';
import { copyFixture, editManifest, makeZip, removeTempDirs, tempDir } from './helpers';
import { zipEntryNames } from '../../helpers/zip';

const doubles: DifyConsoleDouble[] = [];
const managers: JobManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.dispose()));
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});
afterAll(removeTempDirs);

interface Setup {
  dify: DifyConsoleDouble;
  client: DifyConsoleClient;
  backupDir: string;
  workDir: string;
  dir: string;
}

async function setup(options: DifyConsoleDoubleOptions = {}): Promise<Setup> {
  const dify = await startDifyConsoleDouble({ taskPendingMs: 5, taskRunningMs: 10, ...options });
  doubles.push(dify);
  const client = new DifyConsoleClient({
    baseUrl: dify.url,
    email: dify.options.email,
    password: () => dify.options.password,
  });
  return {
    dify,
    client,
    backupDir: await tempDir('kept-'),
    workDir: await tempDir('work-'),
    dir: await copyFixture(),
  };
}

interface Run {
  result: ReinstallResult | null;
  error: ErrorInfo | null;
  steps: string[];
  lines: string[];
  job: JobSnapshot;
}

async function run(
  s: Setup,
  source: ReinstallSource = { kind: 'folder', dir: s.dir },
  extra: Partial<ReinstallDeps> = {},
  onStep?: (step: string, jobs: JobManager, id: string) => void,
): Promise<Run> {
  const jobs = new JobManager();
  managers.push(jobs);
  const steps: string[] = [];
  let id = '';
  jobs.onUpdate((j) => {
    const key = j.step?.key;
    if (key && steps[steps.length - 1] !== key) {
      steps.push(key);
      onStep?.(key, jobs, id);
    }
  });
  const handle = jobs.start({ kind: 'plugin-reinstall', resource: 'plugin' }, (ctx) =>
    reinstallPlugin(source, {
      client: s.client,
      ctx,
      backupDir: s.backupDir,
      workDir: s.workDir,
      pollIntervalMs: 10,
      retryDelaysMs: [5, 10, 20],
      ...extra,
    }),
  );
  id = handle.id;
  const result = await handle.done.catch(() => null);
  const job = jobs.get(handle.id) as JobSnapshot;
  return {
    result,
    error: job.error,
    steps: steps.map((k) => k.replace('plugins.steps.', '')),
    lines: jobs.output(handle.id) ?? [],
    job,
  };
}

const bump = (dir: string, version: string): Promise<void> =>
  editManifest(dir, (t) => t.replace(/^version: .*$/m, `version: ${version}`));
const installedVersions = (dify: DifyConsoleDouble): string[] =>
  dify.installed().map((p) => `${p.plugin_id}@${p.version}`);

describe('reinstallPlugin', () => {
  it('first install: package, upload, install, follow the task, confirm, keep the package', async () => {
    const s = await setup();
    const r = await run(s);
    expect(r.error).toBeNull();
    expect(r.result).toMatchObject({
      pluginId: 'local_dev/sd_tool',
      version: '0.1.0',
      action: 'installed',
      previous: null,
    });
    expect(r.result?.identifier).toMatch(/^local_dev\/sd_tool:0\.1\.0@[0-9a-f]{64}$/);
    expect(r.steps).toEqual([
      'validate',
      'package',
      'upload',
      'checkInstalled',
      'install',
      'wait',
      'confirm',
      'done',
    ]);
    expect(r.job.state).toBe('succeeded');
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
    const kept = await new PackageStore(s.backupDir).get('local_dev/sd_tool');
    expect(kept?.identifier).toBe(r.result?.identifier);
    expect(r.result?.timings.total).toBeGreaterThan(0);
  });

  it.skipIf(process.platform === 'win32')(
    'a link out of the plugin folder is not uploaded: the result lists it as skipped (issue 9)',
    async () => {
      const s = await setup();
      const outside = await tempDir('host-');
      await fs.writeFile(path.join(outside, 'credentials'), 'host secret');
      await fs.symlink(path.join(outside, 'credentials'), path.join(s.dir, 'credentials'));
      const r = await run(s);
      expect(r.error).toBeNull();
      expect(r.result?.skipped).toEqual([{ rel: 'credentials', reason: 'symlink-outside-folder' }]);
      const entries = await zipEntryNames(r.result?.packagePath ?? '');
      expect(entries).not.toContain('credentials');
    },
  );

  it('reinstall of a new version: uninstalls the old one first, then installs the new one', async () => {
    const s = await setup();
    const first = await run(s);
    await bump(s.dir, '0.2.0');
    const r = await run(s);
    expect(r.error).toBeNull();
    expect(r.result).toMatchObject({
      version: '0.2.0',
      action: 'reinstalled',
      previous: { identifier: first.result?.identifier, version: '0.1.0' },
    });
    expect(r.steps).toEqual([
      'validate',
      'package',
      'upload',
      'checkInstalled',
      'uninstall',
      'install',
      'wait',
      'confirm',
      'done',
    ]);
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.2.0']);
    const kept = await new PackageStore(s.backupDir).get('local_dev/sd_tool');
    expect(kept?.version).toBe('0.2.0');
    expect(await fs.readdir(path.dirname(kept?.file ?? ''))).toHaveLength(2); // kept.json + one package
  });

  it('a YAML-only change (same version) is a new package and is reinstalled too', async () => {
    const s = await setup();
    await run(s);
    const yaml = path.join(s.dir, 'tools/txt2img.yaml');
    await fs.writeFile(yaml, (await fs.readFile(yaml, 'utf8')).replace('default: 512', 'default: 768'));
    const r = await run(s);
    expect(r.result?.action).toBe('reinstalled');
    expect(s.dify.installed().map((p) => p.plugin_unique_identifier)).toEqual([r.result?.identifier]);
  });

  it('exactly the installed package again: nothing is removed (unless forced)', async () => {
    const s = await setup();
    await run(s);
    const before = s.dify.requests.length;
    const r = await run(s);
    expect(r.result?.action).toBe('unchanged');
    expect(s.dify.requests.slice(before).map((q) => q.path.split('/').pop())).not.toContain('uninstall');
    const forced = await run(s, undefined, { force: true });
    expect(forced.result?.action).toBe('reinstalled');
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
  });

  it('when the new version fails after the old one was removed, the old one is installed again and the error says so', async () => {
    const s = await setup();
    const first = await run(s);
    await bump(s.dir, '0.2.0');
    s.dify.failNextInstall('failed to init environment: pip install exited with code 1');
    const r = await run(s);
    expect(r.error?.code).toBe('PLUGIN_INSTALL_FAILED_RESTORED');
    expect(r.error?.params).toMatchObject({
      plugin: 'local_dev/sd_tool',
      version: '0.2.0',
      previousVersion: '0.1.0',
      message: 'failed to init environment: pip install exited with code 1',
    });
    expect(r.steps).toContain('restore');
    expect(s.dify.installed().map((p) => p.plugin_unique_identifier)).toEqual([first.result?.identifier]);
  });

  it('when no copy of the removed version exists, the error says plainly that the plugin is not installed now', async () => {
    const s = await setup();
    s.dify.seedInstalled({
      plugin_id: 'local_dev/sd_tool',
      plugin_unique_identifier: `local_dev/sd_tool:0.0.9@${'b'.repeat(64)}`,
      version: '0.0.9',
    });
    s.dify.failNextInstall('boom');
    const r = await run(s);
    expect(r.error?.code).toBe('PLUGIN_INSTALL_FAILED_NOT_RESTORED');
    expect(r.error?.params).toMatchObject({ previousVersion: '0.0.9', message: 'boom' });
    expect(String(r.error?.params?.restoreError)).toContain('no copy');
    expect(r.error?.message).toContain('NOT installed now');
    expect(s.dify.installed()).toEqual([]);
  });

  it("a failed first install reports Dify's message", async () => {
    const s = await setup();
    s.dify.failNextInstall('plugin runtime crashed');
    const r = await run(s);
    expect(r.error).toMatchObject({
      code: 'PLUGIN_INSTALL_FAILED',
      params: { plugin: 'local_dev/sd_tool', version: '0.1.0', message: 'plugin runtime crashed' },
    });
  });

  it('a task that never finishes hits the time limit with a clear message (first install)', async () => {
    const s = await setup();
    s.dify.hangNextInstall();
    const r = await run(s, undefined, { taskTimeoutMs: 1000, pollIntervalMs: 50 });
    expect(r.error).toMatchObject({
      code: 'PLUGIN_INSTALL_TIMEOUT',
      params: { plugin: 'local_dev/sd_tool', version: '0.1.0', seconds: 1 },
    });
    expect(r.error?.message).toContain('did not finish within 1 s');
  });

  it('a task that never finishes after the old version was removed: no restore beside it, the error says why', async () => {
    const s = await setup();
    await run(s);
    await bump(s.dir, '0.3.0');
    s.dify.hangNextInstall();
    const uploadsBefore = s.dify.uploads().length;
    const r = await run(s, undefined, { taskTimeoutMs: 1000, pollIntervalMs: 50 });
    expect(r.error).toMatchObject({
      code: 'PLUGIN_INSTALL_UNSETTLED',
      params: {
        plugin: 'local_dev/sd_tool',
        version: '0.3.0',
        previousVersion: '0.1.0',
        reason: 'no result within 1 s',
      },
    });
    expect(r.error?.message).toContain('may still be running in Dify');
    // Installing 0.1.0 while 0.3.0 may still be installing would race it.
    expect(r.steps).not.toContain('restore');
    expect(s.dify.uploads().length).toBe(uploadsBefore + 1);
    expect(s.dify.requests.filter((q) => q.path.endsWith('/install/pkg'))).toHaveLength(2);
  });

  describe('plugin-daemon hiccups (400 "Failed to request plugin daemon")', () => {
    it('are retried at every call: upload, list, uninstall, install', async () => {
      const s = await setup();
      await run(s);
      await bump(s.dir, '0.2.0');
      for (const endpoint of ['upload', 'list', 'uninstall', 'install'] as const) {
        s.dify.failDaemonRequests(2, { endpoints: [endpoint] });
      }
      const r = await run(s);
      expect(r.error).toBeNull();
      expect(r.result?.action).toBe('reinstalled');
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.2.0']);
      expect(r.lines.filter((l) => /Failed to request plugin daemon.*retrying in/.test(l))).toHaveLength(8);
    });

    it('while the task runs after the old version was removed: polling goes on, no restore races the install', async () => {
      const s = await setup({ taskPendingMs: 30, taskRunningMs: 60 });
      await run(s);
      await bump(s.dir, '0.2.0');
      s.dify.failDaemonRequests(4, { endpoints: ['task'] });
      const before = s.dify.requests.length;
      const r = await run(s);
      expect(r.error).toBeNull();
      expect(r.result?.action).toBe('reinstalled');
      expect(r.steps).not.toContain('restore');
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.2.0']);
      const polls = s.dify.requests.slice(before).filter((q) => q.path.includes('/plugin/tasks/'));
      expect(polls.slice(0, 4).map((q) => q.status)).toEqual([400, 400, 400, 400]);
      expect(polls.at(-1)?.status).toBe(200);
    });

    it('an uninstall the daemon did although Dify reported the hiccup: the reinstall carries on', async () => {
      const s = await setup();
      await run(s);
      await bump(s.dir, '0.2.0');
      s.dify.failDaemonRequests(1, { endpoints: ['uninstall'], applied: true });
      const r = await run(s);
      expect(r.error).toBeNull();
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.2.0']);
      expect(r.lines).toContain(
        'The installed version is gone although Dify reported an error: carrying on.',
      );
    });

    it('an install call that keeps failing after the old version was removed: no restore, PLUGIN_INSTALL_UNSETTLED', async () => {
      const s = await setup();
      await run(s);
      await bump(s.dir, '0.2.0');
      s.dify.failDaemonRequests(10, { endpoints: ['install'] });
      const uploadsBefore = s.dify.uploads().length;
      const r = await run(s);
      expect(r.error).toMatchObject({
        code: 'PLUGIN_INSTALL_UNSETTLED',
        params: { previousVersion: '0.1.0' },
      });
      expect(String(r.error?.params?.reason)).toContain('Failed to request plugin daemon');
      expect(r.steps).not.toContain('restore');
      expect(s.dify.uploads().length).toBe(uploadsBefore + 1);
    });

    it('that outlast the retries before anything was removed: DIFY_PLUGIN_DAEMON_UNAVAILABLE, nothing touched', async () => {
      const s = await setup();
      await run(s);
      await bump(s.dir, '0.2.0');
      s.dify.failDaemonRequests(10, { endpoints: ['upload'] });
      const r = await run(s);
      expect(r.error).toMatchObject({
        code: 'DIFY_PLUGIN_DAEMON_UNAVAILABLE',
        params: { endpoint: 'POST /workspaces/current/plugin/upload/pkg' },
      });
      expect(s.dify.requests.filter((q) => q.path.endsWith('/upload/pkg') && q.status === 400)).toHaveLength(
        4,
      );
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
    });
  });

  describe('signature verification', () => {
    it('without the fix: PLUGIN_SIGNATURE_REJECTED at upload, and the installed version is untouched', async () => {
      const s = await setup();
      await run(s);
      s.dify.options.signatureRequired = true;
      await bump(s.dir, '0.2.0');
      const r = await run(s);
      expect(r.error?.code).toBe('PLUGIN_SIGNATURE_REJECTED');
      expect(r.error?.params?.message).toContain('plugin verification has been enabled');
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
    });

    it('with the fix callback: runs it once, retries the upload and installs', async () => {
      const s = await setup({ signatureRequired: true });
      let calls = 0;
      const r = await run(s, undefined, {
        fixSignature: async () => {
          calls++;
          s.dify.options.signatureRequired = false; // what FORCE_VERIFYING_SIGNATURE=false + recreate does
        },
      });
      expect(r.error).toBeNull();
      expect(calls).toBe(1);
      expect(r.steps.slice(0, 5)).toEqual(['validate', 'package', 'upload', 'fixSignature', 'upload']);
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
    });

    it('a fix that does not help → PLUGIN_SIGNATURE_STILL_REJECTED, nothing removed', async () => {
      const s = await setup();
      await run(s);
      s.dify.options.signatureRequired = true;
      await bump(s.dir, '0.2.0');
      const r = await run(s, undefined, { fixSignature: async () => undefined });
      expect(r.error?.code).toBe('PLUGIN_SIGNATURE_STILL_REJECTED');
      expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
    });
  });

  it('403 at upload: DIFY_FORBIDDEN and the installed version is untouched', async () => {
    const s = await setup();
    await run(s);
    s.dify.options.forbidPluginInstall = true;
    await bump(s.dir, '0.2.0');
    const r = await run(s);
    expect(r.error?.code).toBe('DIFY_FORBIDDEN');
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
  });

  it('an invalid folder is refused before anything is sent to Dify', async () => {
    const s = await setup();
    await editManifest(s.dir, (t) => t.replace('name: sd_tool', 'name: "SD Tool"'));
    const r = await run(s);
    expect(r.error?.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(s.dify.requests).toEqual([]);
  });

  it('installs from a .difypkg file, and refuses a zip that is not a plugin before contacting Dify', async () => {
    const s = await setup();
    const pkg = await packagePluginFolder(s.dir, { outFile: path.join(await tempDir(), 'sd_tool.difypkg') });
    const ok = await run(s, { kind: 'package', file: pkg.path });
    expect(ok.result).toMatchObject({
      action: 'installed',
      packagePath: pkg.path,
      packageSha256: pkg.sha256,
    });
    expect(ok.steps[0]).toBe('readPackage');

    const s2 = await setup();
    const zip = path.join(await tempDir(), 'not-a-plugin.difypkg');
    await makeZip(zip, { 'hello.txt': 'hi' });
    const bad = await run(s2, { kind: 'package', file: zip });
    expect(bad.error).toMatchObject({
      code: 'PLUGIN_NOT_A_PACKAGE',
      params: { path: zip, reason: 'there is no manifest.yaml at the root of the zip' },
    });
    expect(s2.dify.requests).toEqual([]);
  });

  it('cancel before anything was removed stops the job and leaves the installed version alone', async () => {
    const s = await setup();
    await run(s);
    await bump(s.dir, '0.2.0');
    const r = await run(s, undefined, {}, (step, jobs, id) => {
      if (step === 'plugins.steps.upload') jobs.cancel(id);
    });
    expect(r.job.state).toBe('cancelled');
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.1.0']);
  });

  it('cancel after the old version was removed: the install is finished first, never left half-done', async () => {
    const s = await setup({ taskPendingMs: 50, taskRunningMs: 50 });
    await run(s);
    await bump(s.dir, '0.2.0');
    const r = await run(s, undefined, {}, (step, jobs, id) => {
      if (step === 'plugins.steps.install') jobs.cancel(id);
    });
    expect(r.result?.action).toBe('reinstalled');
    expect(r.lines.some((l) => l.startsWith('Cancel requested'))).toBe(true);
    expect(installedVersions(s.dify)).toEqual(['local_dev/sd_tool@0.2.0']);
  });
});

describe('PackageStore', () => {
  it('keeps one package per plugin, replacing the previous one', async () => {
    const dir = await tempDir();
    const store = new PackageStore(dir);
    const src = path.join(dir, 'src.difypkg');
    await fs.writeFile(src, 'one');
    const a = await store.keep('me/tool', `me/tool:1.0.0@${'a'.repeat(64)}`, '1.0.0', src);
    await fs.writeFile(src, 'two');
    const b = await store.keep('me/tool', `me/tool:1.1.0@${'b'.repeat(64)}`, '1.1.0', src);
    expect(existsSync(a.file)).toBe(false);
    expect(await fs.readFile(b.file, 'utf8')).toBe('two');
    expect(await store.get('me/tool')).toMatchObject({ version: '1.1.0', file: b.file });
    expect((await fs.readdir(path.join(dir, 'me', 'tool'))).sort()).toEqual([
      '1.1.0-bbbbbbbbbbbb.difypkg',
      'kept.json',
    ]);
  });

  it('returns null for unknown plugins, broken records and missing files; refuses unsafe ids', async () => {
    const dir = await tempDir();
    const store = new PackageStore(dir);
    expect(await store.get('me/none')).toBeNull();
    await fs.mkdir(path.join(dir, 'me', 'broken'), { recursive: true });
    await fs.writeFile(path.join(dir, 'me', 'broken', 'kept.json'), '{not json');
    expect(await store.get('me/broken')).toBeNull();
    expect(await store.get('../etc')).toBeNull();
    await expect(store.keep('../../x/y', 'id', '1.0.0', __filename)).rejects.toThrow(/not a valid plugin id/);
  });
});
