/**
 * `dify-stack logs` as a user runs it (a fresh Node process) against a test stack on the real engine:
 * a container's stdout and stderr kept apart, --tail, --since, --level (a traceback kept whole), several
 * services prefixed, the plugin daemon's relayed traceback, --follow across a redeploy and ended by
 * SIGINT with no process left, an unknown service, wrong options, Ollama's log file.
 */
import { execFileSync, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../../electron/core/pid-alive';
import { bundledCli, runCliProcess, spawnCliProcess, type CliRun } from '../../helpers/cli-runner';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../../helpers/docker-available';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';
import { containerIds, createTestStack, failPluginDaemon, type TestStack } from '../../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());

/**
 * A service that writes to both streams: a log record on stdout, a Python traceback and a warning on
 * stderr, a plain line; four seconds later one line on each, a second apart. Then it idles (TERM ends it at once).
 */
const NOISY = `
  noisy:
    image: \${TEST_IMAGE:-dify-stack-test/busybox:1}
    restart: 'no'
    command:
      - sh
      - -c
      - |
        trap "exit 0" TERM INT
        echo "INFO:     Started server process [1]"
        echo "Traceback (most recent call last):" >&2
        echo '  File "/app/main.py", line 3, in <module>' >&2
        echo "ValueError: bad input" >&2
        echo "plain line without a level"
        echo "WARNING: disk almost full" >&2
        sleep 4
        echo "after the pause"
        sleep 1
        echo "ERROR: later failure" >&2
        while :; do sleep 1 & wait $$!; done
`;

const FIRST_OUT = ['INFO:     Started server process [1]', 'plain line without a level'];
const FIRST_ERR = [
  'Traceback (most recent call last):',
  '  File "/app/main.py", line 3, in <module>',
  'ValueError: bad input',
  'WARNING: disk almost full',
];

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe.skipIf(skip)('dify-stack logs', () => {
  let stack: TestStack;
  let home: string;
  const cli = (args: string[]): Promise<CliRun> =>
    runCliProcess([...args, '--dify-dir', stack.dir], { home, baseEnv: process.env, timeoutMs: 120_000 });

  beforeAll(async () => {
    await bundledCli();
    stack = createTestStack({ prefix: 'logscli', extraServiceYaml: NOISY });
    home = await createTempDir('dst-logs-home-');
    await stack.compose('v2', ['up', '-d', 'noisy', 'plugin_daemon']);
    // Until the noisy service has printed its second part.
    for (let i = 0; i < 200; i++) {
      const id = containerIds(stack).noisy;
      // The engine stores stdout and stderr through separate pipes: lines printed at the same moment on
      // the two may be stored in either order, hence the second between the last two, and the wait for both.
      const out = id ? spawnSync('docker', ['logs', id], { encoding: 'utf8' }) : null;
      if (out?.stdout.includes('after the pause') && out.stderr.includes('later failure')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 240_000);

  afterAll(async () => {
    await stack?.dispose();
    if (home) await removeTempDir(home);
  });

  it("keeps the container's stdout and stderr apart, each in its order", async () => {
    const run = await cli(['logs', 'noisy']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual([...FIRST_OUT, 'after the pause']);
    expect(lines(run.stderr)).toEqual([...FIRST_ERR, 'ERROR: later failure']);
  });

  it('--tail N: the last N lines of the log (both streams, as docker counts them)', async () => {
    const run = await cli(['logs', 'noisy', '--tail', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual(['after the pause']);
    expect(lines(run.stderr)).toEqual(['ERROR: later failure']);
  });

  it('--since: a time (from the engine’s own timestamps) or a duration', async () => {
    const id = containerIds(stack).noisy as string;
    const stamped = execFileSync('docker', ['logs', '-t', id], { encoding: 'utf8', stdio: 'pipe' });
    const pause = stamped.split('\n').find((l) => l.endsWith(' after the pause')) as string;
    // One second before the second part: the first part is four seconds older.
    const since = new Date(Date.parse(pause.split(' ')[0] as string) - 1000).toISOString();
    const run = await cli(['logs', 'noisy', '--since', since]);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual(['after the pause']);
    expect(lines(run.stderr)).toEqual(['ERROR: later failure']);

    const hour = await cli(['logs', 'noisy', '--since', '1h']);
    expect(lines(hour.stdout)).toEqual([...FIRST_OUT, 'after the pause']);
  });

  it('--timestamps: the time of each line first', async () => {
    const run = await cli(['logs', 'noisy', '--tail', '1', '--timestamps']);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR: later failure$/),
    ]);
  });

  it('--level: entries at the level or more severe, a traceback whole; lines without a level left out', async () => {
    const errors = await cli(['logs', 'noisy', '--level', 'error']);
    expect(errors.code, errors.stderr).toBe(0);
    expect(lines(errors.stdout)).toEqual([]);
    expect(lines(errors.stderr)).toEqual([...FIRST_ERR.slice(0, 3), 'ERROR: later failure']);

    const warnings = await cli(['logs', 'noisy', '--level', 'warning']);
    expect(lines(warnings.stderr)).toEqual([...FIRST_ERR, 'ERROR: later failure']);
    const info = await cli(['logs', 'noisy', '--level', 'info']);
    expect(lines(info.stdout)).toEqual(['INFO:     Started server process [1]']);
  });

  it("the plugin daemon's relayed traceback and its ERROR record, with --level error", async () => {
    await failPluginDaemon(stack);
    let run: CliRun | null = null;
    for (let i = 0; i < 50; i++) {
      run = await cli(['logs', 'plugin_daemon', '--level', 'error']);
      if (run.stdout.includes('local runtime start failed')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const printed = lines(run?.stdout ?? '');
    // The traceback relayed line by line (each a WARN record of the daemon) and the ERROR with its stack.
    expect(printed.map((l) => /message="([^"\\]|\\.)*"|(start failed)|^\t?\S+$/.exec(l)?.[0] ?? l)).toEqual([
      'message="Traceback (most recent call last):"',
      'message="  File \\"/app/storage/cwd/acme/broken-0.0.1@fixture/main.py\\", line 3, in <module>"',
      'message="    from missing_module import Tool"',
      `message="ModuleNotFoundError: No module named 'missing_module'"`,
      'start failed',
      'github.com/langgenius/dify-plugin-daemon/internal/core/control_panel.(*StandardLogger).OnLocalRuntimeStartFailed',
      '\t/app/internal/core/control_panel/logger.go:24',
      'github.com/langgenius/dify-plugin-daemon/internal/core/control_panel.(*ControlPanel).WalkNotifiers',
      '\t/app/internal/core/control_panel/notifier.go:35',
    ]);
    expect(printed.some((l) => l.includes('heartbeat'))).toBe(false);
  });

  it('several services: each line prefixed with its service, the names padded alike', async () => {
    const run = await cli(['logs', 'noisy', 'plugin_daemon', '--tail', '2']);
    expect(run.code, run.stderr).toBe(0);
    const out = lines(run.stdout);
    expect(out).toContain('noisy         | after the pause');
    expect(out.filter((l) => l.startsWith('plugin_daemon | '))).toHaveLength(2);
    expect(lines(run.stderr)).toEqual(['noisy         | ERROR: later failure']);
  });

  it('an unknown service: usage error listing the services of the project, Ollama and A1111', async () => {
    const run = await cli(['logs', 'noisy', 'nosuch']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^Error: no service named nosuch \(you can name: .*\)$/),
    ]);
    for (const name of ['api', 'plugin_daemon', 'noisy', 'ollama', 'a1111'])
      expect(run.stderr).toContain(` ${name}`);
  });

  it.each([
    [['--tail', 'ten'], '--tail takes a whole number of lines or "all", not "ten"'],
    [['--since', 'yesterday'], '--since takes an RFC 3339 time'],
    [['--level', 'loud'], '--level takes error, warn, info or debug, not "loud"'],
  ])('a wrong option %j: usage error', async (args, message) => {
    const run = await cli(['logs', 'noisy', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('Ollama: its log file (ours here: no desktop app on Linux), the last lines; none yet: said so', async () => {
    const absent = await cli(['logs', 'ollama']);
    expect(absent.code, absent.stderr).toBe(0);
    expect(absent.stderr).toMatch(/ollama has no log file yet \(.*ollama\.log\)/);

    const logs = join(home, '.config', 'dify-stack-tray', 'logs');
    await mkdir(logs, { recursive: true });
    await writeFile(
      join(logs, 'ollama.log'),
      'time=2025-02-02T09:23:09.826+08:00 level=INFO msg="one"\nsecond\r\nthird\n',
    );
    const run = await cli(['logs', 'ollama', '--tail', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual(['second', 'third']);
  });

  it('--follow: new lines as they come, across a redeploy; SIGINT ends it with 0 and no process left', async () => {
    const child = await spawnCliProcess(
      ['logs', 'plugin_daemon', '--follow', '--tail', '0', '--dify-dir', stack.dir],
      {
        home,
        baseEnv: process.env,
      },
    );
    const out = collect(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      const heartbeats = (): number[] =>
        [...out.stdout.matchAll(/plugin daemon heartbeat (\d+)$/gm)].map((m) => Number(m[1]));
      await until(() => heartbeats().length >= 2, 'two heartbeats', out);
      const before = heartbeats();
      expect(before[1]).toBe((before[0] as number) + 1);

      // A redeploy: the container is replaced, its heartbeat counts from 1 again.
      await stack.compose('v2', ['up', '-d', '--force-recreate', '--no-deps', 'plugin_daemon']);
      await until(() => heartbeats().includes(1) && heartbeats().at(-1) !== 1, 'the new container', out);
      expect(out.stderr).toMatch(
        /--- The container was recreated; continuing with the new one \([0-9a-f]{12}\) ---/,
      );

      child.kill('SIGINT');
      const code = await exited;
      expect(code, out.stderr).toBe(0);
      expect(pidAlive(child.pid as number)).toBe(false);
    } finally {
      // A failed wait above must not leave the follower running.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

function collect(child: ChildProcessWithoutNullStreams): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString('utf8')));
  return out;
}

async function until(
  check: () => boolean,
  what: string,
  out: { stdout: string; stderr: string },
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
