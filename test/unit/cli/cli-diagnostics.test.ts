/**
 * `dify-stack diagnostics -o FILE` in process over assembled services (a fake stack, injected probes):
 * the file relative to the working folder, what it prints, Ctrl+C, and the usage error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppLog } from '../../../electron/core/app-log';
import { JobManager } from '../../../electron/core/jobs';
import type { VersionProbes } from '../../../electron/diagnostics/version-probes';
import { assembleServices } from '../../../electron/services';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack } from '../../doubles/fake-stack';
import { runCliInProcess } from '../../helpers/cli-runner';
import { readZipTexts } from '../../helpers/diagnostics-zip';
import { useTempDir } from '../../helpers/use-temp-dir';

const ok = async () => ({ version: 'x' });

function factory(dir: string, probes: Partial<VersionProbes> = {}) {
  return async () => {
    const jobs = new JobManager();
    const settings = await SettingsStore.open(join(dir, 'settings.json'));
    return assembleServices(settings, jobs, new FakeStack(jobs), {
      diagnostics: {
        log: new AppLog({ file: join(dir, 'logs', 'cli.log'), pid: 4242 }),
        logDir: join(dir, 'logs'),
        program: 'cli',
        probes: { docker: ok, compose: ok, difyImages: ok, ollama: ok, a1111: ok, nvidia: ok, ...probes },
      },
    });
  };
}

describe('dify-stack diagnostics', () => {
  const dir = useTempDir('dst-cli-diag-');

  it('writes FILE relative to the working folder and prints where', async () => {
    const run = await runCliInProcess(['diagnostics', '-o', 'out.zip'], {
      cwd: dir(),
      createServices: factory(dir(), {
        nvidia: () => Promise.reject(new Error('nvidia-smi: not found')),
      }),
    });
    const file = join(dir(), 'out.zip');
    expect(run).toMatchObject({ code: 0, stdout: `Saved to ${file}\n` });
    expect(run.stderr).toContain('Writing the zip…');
    expect(run.stderr).toContain('Could not be read (recorded in the zip): versions.json#nvidia');
    const zip = await readZipTexts(file);
    expect(JSON.parse(zip['versions.json']!)).toMatchObject({
      app: { program: 'cli' },
      docker: { version: 'x' },
    });
  });

  it('Ctrl+C cancels: exit 130 and no file', async () => {
    let interrupt: (() => void) | null = null;
    const run = runCliInProcess(['diagnostics', '--output', 'x.zip'], {
      cwd: dir(),
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => undefined;
      },
      // A probe that never answers: the export waits there until cancelled.
      createServices: factory(dir(), { ollama: () => new Promise(() => undefined) }),
    });
    await expect.poll(() => interrupt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    interrupt!();
    const done = await run;
    expect(done.code).toBe(130);
    expect(existsSync(join(dir(), 'x.zip'))).toBe(false);
  });

  it('without -o: a usage error in the user’s language, exit 2', async () => {
    const run = await runCliInProcess(['diagnostics'], { cwd: dir(), env: { LANG: 'ja_JP.UTF-8' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('書き出す zip ファイルを -o FILE で指定してください');
  });
});
