import { describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/core/jobs';
import { dockerConnectionOptions } from '../../../electron/docker/connection';
import { demuxLogBuffer } from '../../../electron/docker/container-logs';
import { dockerDesktopExe, isDockerInstalled, type EngineState } from '../../../electron/docker/engine';
import { ensureEngine } from '../../../electron/docker/ensure-engine';

describe('docker connection', () => {
  it('uses the named pipe on Windows and the socket elsewhere', () => {
    expect(dockerConnectionOptions('win32', {})).toEqual({ socketPath: '//./pipe/docker_engine' });
    expect(dockerConnectionOptions('linux', {})).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it('honours DOCKER_HOST', () => {
    expect(dockerConnectionOptions('linux', { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(
      dockerConnectionOptions('win32', { DOCKER_HOST: 'npipe:////./pipe/dockerDesktopLinuxEngine' }),
    ).toEqual({
      socketPath: '//./pipe/dockerDesktopLinuxEngine',
    });
    expect(dockerConnectionOptions('linux', { DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
  });
});

describe('installed or not', () => {
  it('finds Docker Desktop under Program Files, or docker on PATH', () => {
    const exe = dockerDesktopExe({ ProgramFiles: 'D:\\Apps' });
    expect(exe).toBe('D:\\Apps\\Docker\\Docker\\Docker Desktop.exe');
    expect(isDockerInstalled('win32', { ProgramFiles: 'D:\\Apps', PATH: '' }, (p) => p === exe)).toBe(true);
    expect(
      isDockerInstalled('win32', { PATH: 'C:\\bin;C:\\tools' }, (p) => p === 'C:\\tools\\docker.exe'),
    ).toBe(true);
    expect(isDockerInstalled('linux', { PATH: '/usr/bin:/bin' }, (p) => p === '/bin/docker')).toBe(true);
    expect(isDockerInstalled('linux', { PATH: '/usr/bin' }, () => false)).toBe(false);
  });
});

describe('ensureEngine', () => {
  const run = async (platform: NodeJS.Platform, states: EngineState[], installed: boolean) => {
    const jobs = new JobManager();
    let launched = 0;
    const steps: string[] = [];
    jobs.onUpdate((j) => j.step && steps.at(-1) !== j.step.key && steps.push(j.step.key));
    const job = jobs.start({ kind: 't', resource: 'r' }, (ctx) =>
      ensureEngine(ctx, {
        platform,
        probe: async () => states.shift() ?? { state: 'not-running', reason: 'refused' },
        launchDockerDesktop: () => {
          launched++;
          return installed;
        },
        waitMs: 200,
        pollMs: 10,
      }),
    );
    const result = await job.done.then(
      (v) => ({ ok: true as const, v }),
      (e: { code: string }) => ({ ok: false as const, code: e.code }),
    );
    return { result, launched, steps };
  };

  const up: EngineState = { state: 'running', version: '27.0', apiVersion: '1.46' };
  const down: EngineState = { state: 'not-running', reason: 'connect ENOENT' };

  it('returns at once when the engine answers', async () => {
    const r = await run('win32', [up], true);
    expect(r.result).toEqual({ ok: true, v: up });
    expect(r.launched).toBe(0);
  });

  it('starts Docker Desktop on Windows and waits for the engine', async () => {
    const r = await run('win32', [down, down, down, up], true);
    expect(r.result).toEqual({ ok: true, v: up });
    expect(r.launched).toBe(1);
    expect(r.steps).toEqual([
      'stack.steps.checkingEngine',
      'stack.steps.startingDockerDesktop',
      'stack.steps.waitingForEngine',
    ]);
  });

  it('gives up with a clear timeout', async () => {
    expect((await run('win32', [down], true)).result).toEqual({ ok: false, code: 'DOCKER_START_TIMEOUT' });
  });

  it('says "not running" on Linux and when Docker Desktop is not installed', async () => {
    expect((await run('linux', [down], true)).result).toEqual({ ok: false, code: 'DOCKER_NOT_RUNNING' });
    expect((await run('win32', [down], false)).result).toEqual({ ok: false, code: 'DOCKER_NOT_RUNNING' });
    expect((await run('linux', [{ state: 'not-installed' }], false)).result).toEqual({
      ok: false,
      code: 'DOCKER_NOT_INSTALLED',
    });
  });
});

describe('log demultiplexing', () => {
  it('joins stdout/stderr frames and keeps UTF-8 intact', () => {
    const frame = (type: number, text: string) => {
      const body = Buffer.from(text, 'utf8');
      const head = Buffer.alloc(8);
      head[0] = type;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogBuffer(Buffer.concat([frame(1, 'ok 起動\n'), frame(2, 'err\n')]), false)).toBe(
      'ok 起動\nerr\n',
    );
    expect(demuxLogBuffer(Buffer.from('raw tty text'), true)).toBe('raw tty text');
  });
});
