import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseCompose,
  composeArgs,
  composeFailure,
  composeInvocation,
  composeMismatch,
  ComposeLocator,
  detectCompose,
  runCompose,
  type ComposeBinary,
} from '../../../electron/docker/compose-cli';

const v2: ComposeBinary = { flavor: 'v2', version: '2.26.1', command: 'docker', prefixArgs: ['compose'] };
const v1: ComposeBinary = { flavor: 'v1', version: '1.29.2', command: 'docker-compose', prefixArgs: [] };

describe('compose command selection', () => {
  it('uses `docker compose` for v2 and `docker-compose` for v1, with .exe on Windows', () => {
    expect(composeInvocation('v2', 'linux')).toEqual({ command: 'docker', prefixArgs: ['compose'] });
    expect(composeInvocation('v1', 'linux')).toEqual({ command: 'docker-compose', prefixArgs: [] });
    expect(composeInvocation('v2', 'win32')).toEqual({ command: 'docker.exe', prefixArgs: ['compose'] });
    expect(composeInvocation('v1', 'win32')).toEqual({ command: 'docker-compose.exe', prefixArgs: [] });
  });

  it('detects what answers `version --short`, per platform', async () => {
    const asked: string[] = [];
    const docker = 'C:\\Program Files\\Docker\\Docker\\resources\\bin\\docker.exe';
    const found = await detectCompose(
      'win32',
      async (cmd, args) => {
        asked.push([cmd, ...args].join(' '));
        return cmd === docker ? '2.29.1' : null;
      },
      { Path: 'C:\\Program Files\\Docker\\Docker\\resources\\bin;C:\\Windows\\System32' },
      (file) => file === docker,
    );
    // docker-compose.exe is on no PATH entry: not installed, not even asked.
    expect(asked).toEqual([`${docker} compose version --short`]);
    expect(found.v2).toMatchObject({ flavor: 'v2', version: '2.29.1', command: docker });
    expect(found.v1).toBeNull();
  });

  it('Windows: never a docker.exe from the working folder (a relative or empty PATH entry)', async () => {
    const asked: string[] = [];
    const real = 'C:\\Docker\\docker.exe';
    const found = await detectCompose(
      'win32',
      async (cmd) => {
        asked.push(cmd);
        return '2.29.1';
      },
      { PATH: '.;;bin;C:\\Docker', PATHEXT: '.COM;.EXE' },
      // Every candidate "exists": only the absolute entry may be used.
      () => true,
    );
    expect(found.v2?.command).toBe(real);
    expect(asked.every((cmd) => cmd.startsWith('C:\\Docker\\'))).toBe(true);
  });

  it('asks the slow v1 only when v2 is missing or the project was made by v1', async () => {
    const asked: string[] = [];
    const probe = async (cmd: string) => {
      asked.push(cmd);
      return cmd === 'docker' ? '2.26.1' : '1.29.2';
    };
    expect((await new ComposeLocator('linux', undefined, probe).choose(null)).flavor).toBe('v2');
    expect(asked).toEqual(['docker']);
    asked.length = 0;
    expect((await new ComposeLocator('linux', undefined, probe).choose('1.29.2')).flavor).toBe('v1');
    expect(asked).toEqual(['docker-compose']);
    await expect(new ComposeLocator('linux', { v1: null, v2: null }).choose(null)).rejects.toMatchObject({
      code: 'COMPOSE_MISSING',
    });
  });

  it('prefers v2, falls back to v1, and fails clearly with neither', () => {
    expect(chooseCompose({ v2, v1 })).toBe(v2);
    expect(chooseCompose({ v2: null, v1 })).toBe(v1);
    expect(() => chooseCompose({ v2: null, v1: null })).toThrowError(
      expect.objectContaining({ code: 'COMPOSE_MISSING' }),
    );
  });

  it('keeps the Compose that created the running project, and flags a mismatch', () => {
    expect(chooseCompose({ v2, v1 }, '1.29.2')).toBe(v1);
    expect(chooseCompose({ v2, v1 }, '2.26.1')).toBe(v2);
    expect(chooseCompose({ v2, v1: null }, '1.29.2')).toBe(v2);
    expect(composeMismatch(v2, '1.29.2')).toBe(true);
    expect(composeMismatch(v1, '1.29.2')).toBe(false);
    expect(composeMismatch(v2, null)).toBe(false);
  });

  it('always names the project, the file and the project directory', () => {
    const args = composeArgs(
      v2,
      {
        dir: 'D:\\dify\\docker',
        composeFile: 'D:\\dify\\docker\\docker-compose.yaml',
        projectName: 'docker',
      },
      ['up', '-d'],
    );
    expect(args).toEqual([
      'compose',
      '--project-name',
      'docker',
      '--file',
      'D:\\dify\\docker\\docker-compose.yaml',
      '--project-directory',
      'D:\\dify\\docker',
      '--ansi',
      'never',
      'up',
      '-d',
    ]);
  });
});

describe('compose failures', () => {
  it('says "this Dify needs Compose v2" when v1 refuses a newer file', () => {
    const err = composeFailure(v1, 'up', {
      code: 1,
      stdout: '',
      stderr:
        "ERROR: The Compose file './docker-compose.yaml' is invalid because:\nservices.api.depends_on contains unsupported option: 'required'",
    });
    expect(err.code).toBe('COMPOSE_V2_REQUIRED');
    expect(err.message).toContain('Compose v2');
    expect(err.message).toContain('1.29.2');
    expect(err.detail).toContain("unsupported option: 'required'");
  });

  it('keeps compose’s own text as the detail otherwise', () => {
    const err = composeFailure(v2, 'up', {
      code: 17,
      stdout: '',
      stderr: 'Error response from daemon: pull access denied for nope',
    });
    expect(err.code).toBe('COMPOSE_FAILED');
    expect(err.params).toEqual({ command: 'up', exitCode: 17 });
    expect(err.detail).toBe('Error response from daemon: pull access denied for nope');
  });
});

describe.skipIf(process.platform === 'win32')('runCompose environment', () => {
  it('never passes DIFY_PASSWORD on to Compose (it would hand it to the services)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-env-'));
    try {
      const script = path.join(dir, 'fake-compose');
      writeFileSync(script, '#!/bin/sh\nenv\n', { mode: 0o755 });
      const bin = { flavor: 'v2' as const, version: '2.26.1', command: script, prefixArgs: [] };
      const result = await runCompose(
        bin,
        { dir, composeFile: path.join(dir, 'c.yaml'), projectName: 'p' },
        [],
        {
          env: { PATH: process.env.PATH, DIFY_PASSWORD: 'hunter2', KEEP_ME: '1' },
        },
      );
      expect(result.stdout).toContain('KEEP_ME=1');
      expect(result.stdout).not.toContain('hunter2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
