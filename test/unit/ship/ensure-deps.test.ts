/**
 * Issue 15, "Fresh clone, two commands": scripts/ensure-deps.mjs, run first by `npm start` and
 * `npm test`, installs the dependencies only when node_modules is missing or stale, and prepares the
 * test machine outside CI. The installer and the set-up script are injected here; the last block runs
 * the script for real, as a new process, on a tiny package of its own.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dependencyState,
  ensureDependencies,
  ensureElectronBinary,
  lockDrift,
  missingTestPrerequisites,
  prepareTestEnvironment,
  type Command,
  type LockEntry,
} from '../../../scripts/ensure-deps.mjs';

const SCRIPT = path.resolve(__dirname, '../../../scripts/ensure-deps.mjs');

const folders: string[] = [];
function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ensure-deps-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const LOCK: Record<string, LockEntry> = {
  '': {},
  'node_modules/esbuild': { version: '0.28.2' },
  'node_modules/@rollup/rollup-win32-x64-msvc': { version: '4.65.0', optional: true },
};

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

/** Packages in node_modules as a completed npm install leaves them (with its .package-lock.json). */
function install(root: string, installed: Record<string, string>): void {
  writeJson(path.join(root, 'node_modules/.package-lock.json'), { packages: {} });
  for (const [dir, version] of Object.entries(installed)) {
    writeJson(path.join(root, dir, 'package.json'), { version });
  }
}

/** A project folder with package-lock.json and, when given, these packages installed. */
function project(installed?: Record<string, string>): string {
  const root = tempFolder();
  writeJson(path.join(root, 'package-lock.json'), { lockfileVersion: 3, packages: LOCK });
  if (installed) install(root, installed);
  return root;
}

function recorder(onRun: (command: Command) => number = () => 0) {
  const runs: Command[] = [];
  const lines: string[] = [];
  return {
    runs,
    lines,
    run: (command: Command) => {
      runs.push(command);
      return onRun(command);
    },
    log: (line: string) => lines.push(line),
  };
}

describe('lockDrift', () => {
  const versions =
    (installed: Record<string, string>) =>
    (dir: string): string | null =>
      installed[dir] ?? null;

  it.each([
    ['the versions the lock file lists', { 'node_modules/esbuild': '0.28.2' }, null],
    ['a package not installed', {}, 'node_modules/esbuild is not installed'],
    [
      'another version',
      { 'node_modules/esbuild': '0.27.0' },
      'node_modules/esbuild is 0.27.0, package-lock.json wants 0.28.2',
    ],
  ])('%s', (_, installed, expected) => {
    expect(lockDrift(LOCK, versions(installed))).toBe(expected);
  });

  it('takes an optional package npm skipped on this platform as in place', () => {
    expect(LOCK['node_modules/@rollup/rollup-win32-x64-msvc']?.optional).toBe(true);
    expect(lockDrift(LOCK, versions({ 'node_modules/esbuild': '0.28.2' }))).toBeNull();
  });

  it('takes a linked folder at whatever version it has', () => {
    const lock = { 'node_modules/mine': { resolved: 'packages/mine', link: true } };
    expect(lockDrift(lock, versions({ 'node_modules/mine': '9.9.9' }))).toBeNull();
    expect(lockDrift(lock, versions({}))).toBe('node_modules/mine is not installed');
  });
});

describe('ensureDependencies', () => {
  const env = { npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js' };

  it.each([
    ['node_modules is missing', () => project(), 'missing', /node_modules does not exist/],
    [
      'node_modules has no completed install',
      () => {
        const root = project();
        mkdirSync(path.join(root, 'node_modules'));
        return root;
      },
      'missing',
      /no completed npm install/,
    ],
    [
      'a package is at another version',
      () => project({ 'node_modules/esbuild': '0.27.0' }),
      'stale',
      /esbuild is 0\.27\.0/,
    ],
  ])('runs npm ci when %s', (_, make, state, reason) => {
    const root = make();
    expect(dependencyState(root)).toMatchObject({ state, reason: expect.stringMatching(reason) });
    const r = recorder(() => {
      install(root, { 'node_modules/esbuild': '0.28.2' });
      return 0;
    });
    expect(ensureDependencies({ root, env, run: r.run, log: r.log })).toBe(0);
    // npm as the running npm start/test found it, with the node running this script.
    expect(r.runs).toEqual([
      {
        command: process.execPath,
        args: [env.npm_execpath, 'ci', '--no-audit', '--no-fund'],
        shell: false,
      },
    ]);
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`dependencies ${state} .*npm ci`))]);
    expect(dependencyState(root).state).toBe('fresh');
  });

  it('does not run npm ci when node_modules matches the lock file', () => {
    const root = project({ 'node_modules/esbuild': '0.28.2' });
    const r = recorder();
    expect(ensureDependencies({ root, env, run: r.run, log: r.log })).toBe(0);
    expect(r.runs).toEqual([]);
    expect(r.lines).toEqual([]);
  });

  it('fails with npm ci’s exit code', () => {
    const root = project();
    const r = recorder(() => 7);
    expect(ensureDependencies({ root, env, run: r.run, log: r.log })).toBe(7);
    expect(r.lines.at(-1)).toBe('[ensure-deps] npm ci failed (exit 7)');
  });

  it('fails when npm ci succeeded but left node_modules stale', () => {
    const root = project();
    const r = recorder();
    expect(ensureDependencies({ root, env, run: r.run, log: r.log })).toBe(1);
    expect(r.lines.at(-1)).toMatch(/still missing after npm ci/);
  });

  it('uses npm from PATH when not started by npm (npm.cmd needs a shell on Windows)', () => {
    const root = project();
    const r = recorder(() => 1);
    ensureDependencies({ root, env: {}, run: r.run, log: r.log });
    expect(r.runs[0]).toEqual({
      command: 'npm',
      args: ['ci', '--no-audit', '--no-fund'],
      shell: process.platform === 'win32',
    });
  });
});

describe('ensureElectronBinary', () => {
  function withElectron(downloaded: boolean): string {
    const root = tempFolder();
    mkdirSync(path.join(root, 'node_modules/electron'), { recursive: true });
    if (downloaded) writeFileSync(path.join(root, 'node_modules/electron/path.txt'), 'electron');
    return root;
  }

  it('leaves a downloaded binary alone', () => {
    const r = recorder();
    expect(ensureElectronBinary({ root: withElectron(true), env: {}, ...r })).toBe(0);
    expect(r.runs).toEqual([]);
  });

  it('downloads a missing binary with Electron’s own installer', () => {
    const root = withElectron(false);
    const r = recorder();
    expect(ensureElectronBinary({ root, env: {}, ...r })).toBe(0);
    expect(r.runs).toEqual([
      {
        command: process.execPath,
        args: [path.join(root, 'node_modules/electron/install.js')],
      },
    ]);
  });

  it('says why npm start will fail when ELECTRON_SKIP_BINARY_DOWNLOAD keeps it away', () => {
    const r = recorder();
    const env = { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
    expect(ensureElectronBinary({ root: withElectron(false), env, ...r })).toBe(1);
    expect(r.runs).toEqual([]);
    expect(r.lines).toEqual([expect.stringMatching(/ELECTRON_SKIP_BINARY_DOWNLOAD is set/)]);
  });
});

describe('missingTestPrerequisites', () => {
  it('names each missing one as the tests check it', () => {
    const calls: string[] = [];
    const missing = missingTestPrerequisites(
      { CHROMIUM_PATH: '/opt/chromium' },
      (command, args) => {
        calls.push([command, ...args].join(' '));
        return command === 'docker' && args[0] === 'version';
      },
      (file) => file !== '/opt/chromium',
    );
    expect(missing).toEqual(['Compose v2', 'Compose v1', 'Chromium']);
    expect(calls).toEqual([
      'docker version --format {{.Server.Version}}',
      'docker compose version --short',
      'docker-compose version --short',
    ]);
  });
});

describe('prepareTestEnvironment', () => {
  const base = {
    root: '/repo',
    env: {},
    missing: ['a running Docker engine', 'Chromium'],
    platform: 'linux',
    isRoot: false,
    interactive: true,
    has: () => true,
  };
  const script = path.join('scripts', 'setup-test-env.sh');

  it('asks for root in one line and runs the set-up through sudo in a terminal', () => {
    const r = recorder();
    expect(prepareTestEnvironment({ ...base, ...r })).toBe(0);
    expect(r.runs).toEqual([{ command: 'sudo', args: ['bash', script] }]);
    expect(r.lines).toEqual([
      '[ensure-deps] The tests need a running Docker engine, Chromium; installing them needs root, ' +
        'so sudo asks for your password now (or set DIFY_STACK_NO_TEST_SETUP=1 to let those tests skip)',
    ]);
  });

  it('runs the set-up directly as root', () => {
    const r = recorder();
    prepareTestEnvironment({ ...base, ...r, isRoot: true });
    expect(r.runs).toEqual([{ command: 'bash', args: [script] }]);
  });

  it('never fails npm test when the set-up fails: the tests skip with their reasons', () => {
    const r = recorder(() => 100);
    expect(prepareTestEnvironment({ ...base, ...r })).toBe(0);
    expect(r.lines.at(-1)).toMatch(/will skip \(.*exited 100\)/);
  });

  it.each([
    ['in CI (.ci/run set it up; a missing one must fail)', { env: { CI: 'true' } }, null],
    ['when nothing is missing', { missing: [] }, null],
    [
      'without a terminal to answer sudo',
      { interactive: false },
      `[ensure-deps] a running Docker engine, Chromium missing: the tests that need them will skip (install them with: sudo bash ${script})`,
    ],
    ['without sudo', { has: (c: string) => c !== 'sudo' }, /will skip \(install them with/],
    ['off Debian', { has: (c: string) => c !== 'apt-get' }, /will skip \(.* installs them on Debian\)/],
    ['on Windows', { platform: 'win32' }, /installs them on Debian/],
    ['when told not to', { env: { DIFY_STACK_NO_TEST_SETUP: '1' } }, /DIFY_STACK_NO_TEST_SETUP is set/],
  ])('runs nothing %s', (_, overrides, line) => {
    const r = recorder();
    expect(prepareTestEnvironment({ ...base, ...r, ...overrides })).toBe(0);
    expect(r.runs).toEqual([]);
    expect(r.lines).toEqual(
      line === null ? [] : [line instanceof RegExp ? expect.stringMatching(line) : line],
    );
  });
});

describe('ensure-deps.mjs as a new process on a tiny package', () => {
  function npm(cwd: string, ...args: string[]): void {
    const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--offline'], {
      cwd,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
  }

  /** A local package packed into a tarball: installing it needs no registry. */
  function packDependency(root: string, version: string): string {
    const dir = path.join(root, `tiny-dep-src-${version}`);
    writeJson(path.join(dir, 'package.json'), { name: 'tiny-dep', version });
    writeFileSync(path.join(dir, 'index.js'), `module.exports = '${version}';\n`);
    npm(dir, 'pack', '--pack-destination', root);
    return `file:tiny-dep-${version}.tgz`;
  }

  function ensure(root: string) {
    const env = { ...process.env };
    delete env.npm_execpath; // as if started without npm: the npm on PATH
    return spawnSync(process.execPath, [path.join(root, 'scripts/ensure-deps.mjs')], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
  }

  it('installs a fresh clone, leaves it alone next time, reinstalls after the lock file moves', () => {
    const root = tempFolder();
    mkdirSync(path.join(root, 'scripts'));
    copyFileSync(SCRIPT, path.join(root, 'scripts/ensure-deps.mjs'));
    const v1 = packDependency(root, '1.0.0');
    writeJson(path.join(root, 'package.json'), {
      name: 'tiny',
      version: '0.0.0',
      private: true,
      dependencies: { 'tiny-dep': v1 },
    });
    npm(root, 'install', '--package-lock-only');

    const first = ensure(root);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/dependencies missing \(node_modules does not exist\): running npm ci/);
    const installed = () => readFileSync(path.join(root, 'node_modules/tiny-dep/index.js'), 'utf8');
    expect(installed()).toContain('1.0.0');

    const second = ensure(root);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toBe('');

    // A pull that moves the dependency on: package.json and the lock file change together. (npm's
    // --package-lock-only also rewrites node_modules/.package-lock.json, which is why the script reads
    // the packages' own package.json.)
    const v2 = packDependency(root, '1.1.0');
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    manifest.dependencies['tiny-dep'] = v2;
    writeJson(path.join(root, 'package.json'), manifest);
    npm(root, 'install', '--package-lock-only');

    const third = ensure(root);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(
      /dependencies stale \(node_modules\/tiny-dep is 1\.0\.0, package-lock\.json wants 1\.1\.0\)/,
    );
    expect(installed()).toContain('1.1.0');
  }, 120_000);
});
