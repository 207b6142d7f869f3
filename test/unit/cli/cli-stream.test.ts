/**
 * The CLI's streaming paths, in-process with a fake stack: a job's output arrives through the
 * `job-output` subscription (in order with the steps around it, nothing lost or repeated), and
 * `status --watch` prints on each change until Ctrl+C.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_FAILED, EXIT_OK, runCli, type CliIo } from '../../../electron/cli/cli';
import type { StatusSnapshot } from '../../../electron/core/contract';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import { assembleServices, type AppServices } from '../../../electron/services';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack, snapshotOf } from '../../doubles/fake-stack';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('cli-stream-');

interface Session {
  /** stdout and stderr as the terminal shows them, one entry per line: `out: …` / `err: …`. */
  transcript: string[];
  stdout: () => string;
  stack: () => FakeStack;
  services: () => AppServices;
  /** Presses Ctrl+C (once the CLI registered for it). */
  interrupt: () => void;
  interruptible: Promise<void>;
  done: Promise<number>;
}

function start(argv: string[], setup: (stack: FakeStack) => void = () => undefined): Session {
  const dir = tempDir();
  const transcript: string[] = [];
  let stack: FakeStack | null = null;
  let services: AppServices | null = null;
  let handler: (() => void) | null = null;
  let ready!: () => void;
  const interruptible = new Promise<void>((r) => (ready = r));
  const lines = (tag: string) => (text: string) => {
    for (const line of text.replace(/\n$/, '').split('\n')) transcript.push(`${tag}: ${line}`);
  };
  const io: CliIo = {
    stdout: { write: lines('out') },
    stderr: { write: lines('err') },
    env: { LANG: 'en_US.UTF-8' },
    cwd: dir,
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    onInterrupt(h) {
      handler = h;
      ready();
      return () => {
        if (handler === h) handler = null;
      };
    },
    async createServices() {
      const settings = await SettingsStore.open(path.join(dir, 'settings.json'));
      const jobs = new JobManager();
      stack = new FakeStack(jobs);
      setup(stack);
      services = assembleServices(settings, jobs, stack);
      return services;
    },
  };
  return {
    transcript,
    stdout: () =>
      transcript
        .filter((l) => l.startsWith('out: '))
        .map((l) => `${l.slice(5)}\n`)
        .join(''),
    stack: () => stack as FakeStack,
    services: () => services as AppServices,
    interrupt: () => handler?.(),
    interruptible,
    done: runCli(argv, io),
  };
}

describe('job output in the CLI', () => {
  it('prints every line once, in order with the steps around it, before the outcome', async () => {
    const s = start(['up'], (stack) => {
      stack.scripts.start = async (ctx) => {
        ctx.step('stack.steps.composeUp');
        for (let i = 1; i <= 3; i++) ctx.log(`up ${i}`);
        ctx.step('stack.steps.waitingForServices');
        for (let i = 1; i <= 2; i++) ctx.log(`wait ${i}`);
        await new Promise((r) => setTimeout(r, 5));
        ctx.log('late');
        throw new AppError('SERVICES_NOT_READY', { params: { services: 'api' } });
      };
    });
    expect(await s.done).toBe(EXIT_FAILED);
    expect(s.transcript.slice(0, 9)).toEqual([
      'err: Checking the Docker engine…',
      'err: Starting containers (docker compose up -d)…',
      'out: up 1',
      'out: up 2',
      'out: up 3',
      'err: Waiting until every service is running and healthy…',
      'out: wait 1',
      'out: wait 2',
      'out: late',
    ]);
    expect(s.transcript[9]).toMatch(/^err: Error: /);
    // The CLI's stream is closed with the command.
    expect(s.services().subscriptions.count()).toBe(0);
  });

  it('a burst larger than a job keeps still arrives whole (the stream is not the kept tail)', async () => {
    const s = start(['up'], (stack) => {
      stack.scripts.start = async (ctx) => {
        for (let i = 1; i <= 2000; i++) ctx.log(`line ${i}`);
      };
    });
    expect(await s.done).toBe(EXIT_OK);
    expect(s.stdout()).toBe(Array.from({ length: 2000 }, (_, i) => `line ${i + 1}\n`).join(''));
  });
});

describe('status --watch', () => {
  const withDify = (state: 'running' | 'stopped', updatedAt: number): StatusSnapshot =>
    snapshotOf({
      updatedAt,
      components: [
        { id: 'docker', state: 'running', detail: 'Docker 20.10 is running', reason: null, error: null },
        { id: 'dify', state, detail: `Dify is ${state}`, reason: null, error: null, services: [] },
      ],
    });

  it('prints the status, again on each visible change, and exits 0 on Ctrl+C', async () => {
    const s = start(['status', '--watch'], (stack) => (stack.snapshot = withDify('stopped', 1)));
    await s.interruptible;
    await expect.poll(() => s.stack().calls).toContain('watch');
    s.stack().emitSnapshot(withDify('stopped', 2)); // only the time changed: nothing printed
    s.stack().emitSnapshot(withDify('running', 3));
    s.interrupt();
    expect(await s.done).toBe(EXIT_OK);
    const tables = s.stdout().split('\n\n');
    expect(tables).toHaveLength(2);
    expect(tables[0]).toMatch(/^Component +State +Detail\n.*\nDify +Stopped +Dify is stopped$/);
    expect(tables[1]).toMatch(/Dify +Running +Dify is running\n$/);
    expect(s.stack().calls).toEqual(['refresh', 'watch', 'dispose']);
  });

  it('--json prints one JSON line per change', async () => {
    const s = start(['status', '--watch', '--json'], (stack) => (stack.snapshot = withDify('stopped', 1)));
    await s.interruptible;
    await expect.poll(() => s.stack().calls).toContain('watch');
    s.stack().emitSnapshot(withDify('running', 2));
    s.stack().emitSnapshot(withDify('running', 3));
    s.stack().emitSnapshot(withDify('stopped', 4));
    s.interrupt();
    expect(await s.done).toBe(EXIT_OK);
    const lines = s.stdout().trimEnd().split('\n');
    expect(
      lines.map((l) => (JSON.parse(l) as { components: Array<{ state: string }> }).components[1]?.state),
    ).toEqual(['stopped', 'running', 'stopped']);
  });

  it('fails with exit 1 when the status cannot be read at all', async () => {
    const s = start(['status', '--watch'], (stack) => {
      stack.refresh = async () => {
        throw new AppError('DOCKER_API_ERROR', { params: { reason: 'permission denied' } });
      };
    });
    expect(await s.done).toBe(EXIT_FAILED);
    expect(s.transcript).toEqual(['err: Error: The Docker engine refused the request: permission denied']);
  });
});
