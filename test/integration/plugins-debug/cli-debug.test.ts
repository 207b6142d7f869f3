/**
 * `dify-stack plugin debug DIR` as a user runs it: a fresh Node process on a bundle of the current
 * sources, against the Dify double (console API + remote-debug port), until Ctrl+C (SIGINT).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import { bundledCli, spawnCliProcess } from '../../helpers/cli-runner';
import { copyPrepared, prepareTemplate, processesIn } from '../../helpers/debug-plugin';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';

let work: string;
let template: string;
let double: DifyConsoleDouble;

beforeAll(async () => {
  work = await createTempDir('dst-plugin-debug-cli-');
  template = await prepareTemplate(path.join(work, 'template'));
  double = await startDifyConsoleDouble({ remoteDebug: true });
  await bundledCli();
});

afterAll(async () => {
  await double?.close();
  await removeTempDir(work);
});

/** Collects a child's stdout and stderr as text and waits for what a test expects in them. */
function reader(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (what: string, ok: () => boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { out, exited, waitFor };
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** `dify-stack --config SETTINGS plugin debug DIR` against the double, the password from DIFY_PASSWORD. */
const debugCli = (dir: string, settings: string): Promise<ChildProcessWithoutNullStreams> =>
  spawnCliProcess(
    ['--config', settings, 'plugin', 'debug', dir, '--dify-url', double.url, '--email', double.options.email],
    { home: work, env: { DIFY_PASSWORD: double.options.password } },
  );

describe('dify-stack plugin debug', () => {
  it('runs in the foreground, restarts on save with the output on stdout, and leaves nothing at Ctrl+C', async () => {
    const dir = await copyPrepared(template, path.join(work, 'echo'));
    const child = await debugCli(dir, path.join(work, 'settings.json'));
    const { out, exited, waitFor } = reader(child);

    await waitFor('connected', () =>
      out.stderr.includes('Connected: Dify lists the plugin as remote debugging (restarts: 0)'),
    );
    // stdout is the plugin's own output (its SDK log lines), nothing of ours.
    expect(out.stdout).toContain('"message": "Installed tool: debug_echo"');
    expect(out.stdout).not.toContain('[dify-stack]');
    expect(out.stderr).toContain(`Debugging ${dir} against ${double.url}`);
    expect(double.installed().map((p) => [p.plugin_id, p.source])).toEqual([
      ['local_dev/debug_echo', 'remote'],
    ]);

    await appendFile(path.join(dir, 'main.py'), '\n# edited\n');
    await waitFor('connected again', () => out.stderr.includes('(restarts: 1)'));
    expect(count(out.stdout, 'Installed tool: debug_echo')).toBe(2);
    expect(out.stderr).toContain('Changed: main.py');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out.stderr).toContain('Debugging stopped; no plugin process is left.');
    expect(processesIn(dir)).toEqual([]);
    expect(double.installed()).toEqual([]);
  });

  it('ends with exit 1 and a clear message when no Python can be found', async () => {
    const dir = await copyPrepared(template, path.join(work, 'no-python'));
    const settings = path.join(work, 'no-python-settings.json');
    await writeFile(settings, JSON.stringify({ pythonPath: path.join(work, 'nowhere', 'python3') }));
    // Without .venv the configured Python must make one.
    await rm(path.join(dir, '.venv'), { recursive: true });
    const { out, exited } = reader(await debugCli(dir, settings));
    expect(await exited).toBe(1);
    expect(out.stderr).toContain('No Python was found (tried: ');
    expect(processesIn(dir)).toEqual([]);
  });
});
