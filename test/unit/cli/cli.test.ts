import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EXIT_CANCELLED,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  peekOption,
  runCli,
} from '../../../electron/cli/cli';
import { EXIT_NOT_RUNNING, statusExitCode } from '../../../electron/cli/exit-codes';
import { AppError } from '../../../electron/core/errors';
import { JobManager } from '../../../electron/core/jobs';
import { assembleServices, type CreateServicesOptions } from '../../../electron/services';
import { settingsFilePath } from '../../../electron/settings/paths';
import { SettingsStore } from '../../../electron/settings/store';
import { FakeStack, snapshotOf } from '../../doubles/fake-stack';
import { runCliInProcess } from '../../helpers/cli-runner';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('cli-test-');
let tmp: string;
beforeEach(() => {
  tmp = tempDir();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  created: CreateServicesOptions[];
  stack: FakeStack | null;
}

async function cli(
  argv: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    setup?: (stack: FakeStack) => void;
    onInterruptReady?: (fire: () => void) => void;
  } = {},
): Promise<Run> {
  const created: CreateServicesOptions[] = [];
  let stack: FakeStack | null = null;
  const run = await runCliInProcess(argv, {
    cwd: tmp,
    env: options.env,
    onInterrupt(handler) {
      options.onInterruptReady?.(handler);
      return () => undefined;
    },
    async createServices(o) {
      created.push(o);
      const settings = await SettingsStore.open(
        settingsFilePath({
          platform: 'linux',
          env: o.env ?? {},
          homedir: o.homedir ?? '',
          configFile: o.configFile,
          cwd: o.cwd,
        }),
      );
      const jobs = new JobManager();
      stack = new FakeStack(jobs);
      options.setup?.(stack);
      return assembleServices(settings, jobs, stack);
    },
  });
  return { ...run, created, stack };
}

const runningSnapshot = snapshotOf({
  components: [
    {
      id: 'docker',
      state: 'running',
      detail: 'Docker Engine 20.10.24',
      reason: { key: 'stack.reason.dockerRunning', params: { version: '20.10.24' } },
      error: null,
    },
    {
      id: 'dify',
      state: 'partial',
      detail: '1/2 services running; not running: worker',
      reason: { key: 'stack.reason.partial', params: { running: 1, total: 2, services: 'worker' } },
      error: null,
      services: [
        {
          name: 'init_permissions',
          state: 'exited',
          health: null,
          containerId: 'aaaaaaaaaaaaaaaa',
          oneShot: true,
          exitCode: 0,
        },
        {
          name: 'api',
          state: 'running',
          health: 'healthy',
          containerId: 'bbbbbbbbbbbbbbbbbbbb',
          oneShot: false,
          exitCode: null,
        },
        {
          name: 'worker',
          state: 'exited',
          health: null,
          containerId: 'cccccccccccccccc',
          oneShot: false,
          exitCode: 137,
        },
      ],
    },
  ],
  project: { dir: '/srv/dify/docker', name: 'docker', composeVersion: 'v2 2.26.1' },
});

describe('global options', () => {
  it.each([
    [['--dify-dir', '/srv/dify/docker', '--config', 'my.json', 'status', '--json']],
    [['status', '--json', '--dify-dir', '/srv/dify/docker', '--config', 'my.json']],
    [['status', '--dify-dir=/srv/dify/docker', '--json', '--config=my.json']],
    [['--config', 'my.json', 'status', '--dify-dir', '/srv/dify/docker', '--json']],
  ])('are accepted before or after the command: %j', async (argv) => {
    const run = await cli(argv);
    // Accepted (not a usage error); the fake Dify is stopped: 3.
    expect(run.code).toBe(EXIT_NOT_RUNNING);
    expect(run.created).toHaveLength(1);
    expect(run.created[0]).toMatchObject({ difyDir: '/srv/dify/docker', configFile: 'my.json', cwd: tmp });
    expect(() => JSON.parse(run.stdout)).not.toThrow();
  });

  it('resolves a relative --dify-dir against the working folder', async () => {
    const run = await cli(['up', '--dify-dir', 'dify/docker']);
    expect(run.created[0]?.difyDir).toBe(path.join(tmp, 'dify/docker'));
  });

  it('reads the settings from --config (language and warnings)', async () => {
    await writeFile(path.join(tmp, 'ja.json'), '{"language":"ja"}');
    const ja = await cli(['status', '--config', 'ja.json'], { setup: (s) => (s.snapshot = runningSnapshot) });
    expect(ja.stdout).toContain('コンポーネント');
    await writeFile(path.join(tmp, 'broken.json'), '{"language": ');
    const broken = await cli(['--config', 'broken.json', 'status']);
    expect(broken.code).toBe(EXIT_NOT_RUNNING);
    expect(broken.stderr).toMatch(/^Warning: The settings file .*broken\.json could not be read/);
  });

  it('peekOption finds the last value in either spelling and stops at --', () => {
    expect(peekOption(['--config', 'a', 'status', '--config=b'], '--config')).toBe('b');
    expect(peekOption(['status', '--', '--config', 'a'], '--config')).toBeUndefined();
    expect(peekOption(['--config'], '--config')).toBeUndefined();
  });
});

describe('help and usage errors', () => {
  it.each([[[]], [['status']], [['up']], [['down']], [['stop']], [['restart']], [['help', 'restart']]])(
    '--help works for %j without touching Docker',
    async (prefix) => {
      const argv = prefix[0] === 'help' ? prefix : [...prefix, '--help'];
      const run = await cli(argv);
      expect(run.code).toBe(EXIT_OK);
      expect(run.stdout).toMatch(/^Usage: dify-stack/);
      expect(run.stdout).toContain('--dify-dir <dir>');
      expect(run.stdout).toContain('--config <file>');
      if (prefix[0] === 'restart' || prefix[1] === 'restart') expect(run.stdout).toContain('<service>');
      expect(run.created).toEqual([]);
    },
  );

  it('shows help in Japanese when the system language is Japanese', async () => {
    const run = await cli(['status', '--help'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(run.stdout).toMatch(/^使い方: dify-stack status/);
    expect(run.stdout).toContain('共通オプション:');
  });

  it.each([
    [['frobnicate'], 'Error: unknown command: frobnicate'],
    [['status', '--bogus'], 'Error: unknown option: --bogus'],
    [['restart'], 'Error: missing argument: service'],
    [['restart', 'api', 'worker'], 'Error: too many arguments'],
    [['status', '--config'], 'Error: option --config <file> needs a value'],
  ])('%j is a usage error (exit 2) with one translated line', async (argv, line) => {
    const run = await cli(argv);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr.split('\n')[0]).toBe(line);
    expect(run.stderr).toContain('dify-stack --help');
    expect(run.created).toEqual([]);
  });

  it('no command at all prints the help to stderr and exits 2', async () => {
    const run = await cli([]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/^Usage: dify-stack/);
  });
});

describe('status', () => {
  it('--json prints exactly the documented shape', async () => {
    const run = await cli(['status', '--json'], { setup: (s) => (s.snapshot = runningSnapshot) });
    // Partly running: the exit code says "not fully running" (3).
    expect(run.code).toBe(3);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(run.stdout)).toStrictEqual({
      components: [
        { id: 'docker', state: 'running', detail: 'Docker Engine 20.10.24' },
        {
          id: 'dify',
          state: 'partial',
          detail: '1/2 services running; not running: worker',
          services: [
            { name: 'init_permissions', state: 'exited', health: null, containerId: 'aaaaaaaaaaaaaaaa' },
            { name: 'api', state: 'running', health: 'healthy', containerId: 'bbbbbbbbbbbbbbbbbbbb' },
            { name: 'worker', state: 'exited', health: null, containerId: 'cccccccccccccccc' },
          ],
        },
      ],
    });
    expect(run.stack?.calls).toEqual(['refresh', 'dispose']);
  });

  it('prints an aligned, translated table otherwise', async () => {
    const en = await cli(['status'], { setup: (s) => (s.snapshot = runningSnapshot) });
    expect(en.stdout).toBe(
      [
        'Component  State           Detail',
        'Docker     Running         Docker Engine 20.10.24',
        'Dify       Partly running  1/2 running; not running: worker.',
        '',
        'Project docker in /srv/dify/docker',
        '',
        'Service           State         Health   Container',
        'init_permissions  Completed     -        aaaaaaaaaaaa',
        'api               Running       Healthy  bbbbbbbbbbbb',
        'worker            Exited (137)  -        cccccccccccc',
        '',
      ].join('\n'),
    );
    const ja = await cli(['status'], {
      env: { LANG: 'ja_JP.UTF-8' },
      setup: (s) => (s.snapshot = runningSnapshot),
    });
    const lines = ja.stdout.split('\n');
    expect(lines[0]).toBe('コンポーネント  状態        詳細');
    expect(lines[2]).toBe('Dify            一部稼働中  1/2 が稼働中。停止中: worker');
  });

  it.each([
    ['running', 'running', 0],
    ['running', 'partial', 3],
    ['running', 'stopped', 3],
    ['running', 'starting', 3],
    ['running', 'error', 4],
    ['error', 'unavailable', 4],
    ['running', 'unavailable', 5],
    ['unavailable', 'unavailable', 5],
    ['unavailable', 'error', 5],
  ])('exit code: docker %s, dify %s → %i (scripts can branch on it)', async (docker, dify, code) => {
    const snapshot = snapshotOf({
      components: runningSnapshot.components.map((c) => ({
        ...c,
        state: (c.id === 'docker' ? docker : dify) as typeof c.state,
      })),
    });
    const run = await cli(['status'], { setup: (s) => (s.snapshot = snapshot) });
    expect(run.code).toBe(code);
    expect(statusExitCode(snapshot)).toBe(code);
  });

  it('fails with exit 1 and the reason when the status cannot be read', async () => {
    const run = await cli(['status'], {
      setup: (s) => {
        s.refresh = async () => {
          throw new AppError('DOCKER_API_ERROR', {
            params: { reason: 'permission denied' },
            detail: 'GET /containers/json',
          });
        };
      },
    });
    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stderr).toBe(
      'Error: The Docker engine refused the request: permission denied\nGET /containers/json\n',
    );
    expect(run.stack?.disposed).toBe(true);
  });
});

describe('doctor', () => {
  it('--json prints the report; no Dify project to check from is a failed check run (exit 1) with the reason', async () => {
    const run = await cli(['doctor', '--json']);
    expect(run.code).toBe(EXIT_FAILED);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: unknown[];
      error: { code: string } | null;
    };
    expect(report).toMatchObject({ ok: false, checks: [], error: { code: 'DIFY_DIR_NOT_SET' } });
  });

  it("prints the reason in the user's language without --json", async () => {
    const run = await cli(['doctor'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stdout).toMatch(/^エラー: /);
    expect(run.stdout).toMatch(/失敗した確認があります/);
  });
});

describe('stack commands', () => {
  it('up prints steps to stderr and compose output to stdout, then exits 0', async () => {
    const run = await cli(['up'], {
      setup: (s) => {
        s.scripts.start = async (ctx) => {
          ctx.step('stack.steps.composeUp');
          for (let i = 1; i <= 450; i++) ctx.log(`line ${i}`); // more than a job keeps
          ctx.step('stack.steps.waitingForServices');
          ctx.step('stack.steps.done');
        };
      },
    });
    expect(run.code).toBe(EXIT_OK);
    // The whole stack in order: the engine, then Dify (Ollama and A1111 are not set up here).
    expect(run.stderr).toBe(
      'Checking the Docker engine…\nStarting containers (docker compose up -d)…\nWaiting until every service is running and healthy…\nDone.\n',
    );
    expect(run.stdout).toBe(Array.from({ length: 450 }, (_, i) => `line ${i + 1}\n`).join(''));
    expect(run.stack?.calls).toEqual(['ensureEngineIn', 'startDifyIn', 'dispose']);
  });

  it.each([
    ['down', 'downDifyIn'],
    ['stop', 'stopDifyIn'],
  ])('%s runs the matching stack job (the engine is left running)', async (command, call) => {
    const run = await cli([command]);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stack?.calls).toEqual([call, 'dispose']);
  });

  it('up/stop with components act on those only, in stack order', async () => {
    const up = await cli(['up', 'dify', 'docker']);
    expect(up.code).toBe(EXIT_OK);
    expect(up.stack?.calls).toEqual(['ensureEngineIn', 'startDifyIn', 'dispose']);
    const stop = await cli(['stop', 'docker']);
    expect(stop.code).toBe(EXIT_FAILED);
    expect(stop.stderr).toMatch(/^Error: The Docker engine is not stopped from here/);
  });

  it('an unknown component is a usage error naming the known ones', async () => {
    const run = await cli(['up', 'ollama', 'comfyui'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(
      'エラー: 不明なコンポーネントです: comfyui（指定できるもの: docker dify ollama a1111）\n',
    );
    expect(run.created).toHaveLength(0);
  });

  it('restart passes the service and reports an unknown one', async () => {
    const ok = await cli(['restart', 'plugin_daemon']);
    expect(ok.code).toBe(EXIT_OK);
    expect(ok.stack?.calls[0]).toBe('restartService:plugin_daemon');
    const bad = await cli(['restart', 'nosuch'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(bad.code).toBe(EXIT_FAILED);
    expect(bad.stderr).toBe('エラー: Dify プロジェクトに nosuch というサービスはありません。\n');
  });

  it('a failing job exits 1 with one translated line and the detail block', async () => {
    const run = await cli(['up'], {
      setup: (s) => {
        s.scripts.start = async (ctx) => {
          ctx.log('service "api" depends on undefined service "db"');
          throw new AppError('COMPOSE_FAILED', {
            params: { command: 'up -d', exitCode: 1 },
            detail: 'service "api" depends on undefined service "db": invalid compose project\n',
          });
        };
      },
    });
    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stdout).toBe('service "api" depends on undefined service "db"\n');
    expect(run.stderr).toBe(
      'Checking the Docker engine…\n' +
        'Error: docker compose up -d failed (exit code 1). See the details below.\n' +
        'service "api" depends on undefined service "db": invalid compose project\n',
    );
    expect(run.stack?.disposed).toBe(true);
  });

  it('Ctrl+C cancels the running job and exits 130', async () => {
    let fire: (() => void) | null = null;
    let jobStarted!: () => void;
    const started = new Promise<void>((r) => (jobStarted = r));
    const running = cli(['down'], {
      onInterruptReady: (f) => (fire = f),
      setup: (s) => {
        s.scripts.down = async (ctx) => {
          ctx.step('stack.steps.composeDown');
          jobStarted();
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
          ctx.log('compose killed');
          ctx.throwIfCancelled();
        };
      },
    });
    await started;
    expect(fire).not.toBeNull();
    fire!();
    fire!(); // a second press while cancelling does nothing more here (the process entry exits)
    const run = await running;
    expect(run.code).toBe(EXIT_CANCELLED);
    expect(run.stderr).toBe(
      'Removing containers (docker compose down)…\nCancelling… (press Ctrl+C again to quit at once)\nError: Cancelled.\n',
    );
    expect(run.stdout).toBe('compose killed\n');
    expect(run.stack?.disposed).toBe(true);
  });

  it('a failure to set up the services exits 1 with the reason', async () => {
    await mkdir(path.join(tmp, 'home'), { recursive: true });
    let stderr = '';
    const code = await runCli(['status'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: tmp,
      platform: 'linux',
      homedir: path.join(tmp, 'home'),
      createServices: async () => {
        throw new AppError('DOCKER_NOT_INSTALLED');
      },
    });
    expect(code).toBe(EXIT_FAILED);
    expect(stderr).toBe('Error: Docker is not installed. Install Docker Desktop, then try again.\n');
  });
});
