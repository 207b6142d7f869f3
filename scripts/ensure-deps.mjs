#!/usr/bin/env node
// Runs first in `npm start` and `npm test` (package.json prestart / pretest), so a fresh clone on a
// machine with only Node and git needs nothing but those two commands:
//   node scripts/ensure-deps.mjs          installs the dependencies when node_modules is missing or
//                                         stale, then Electron's binary when it is missing (npm start)
//   node scripts/ensure-deps.mjs --test   the same without Electron, then what the integration and
//                                         E2E tests need (scripts/setup-test-env.sh) outside CI
// Plain Node with builtins only: it runs exactly when node_modules may not exist yet.
//
// "Stale" is decided from the packages in node_modules against package-lock.json, not from a hash we
// store: `.ci/run` and a developer's own `npm install` install without this script, and a hash they
// never wrote would make the next `npm test` install everything a second time. node_modules is
// missing when npm never completed an install there (no node_modules/.package-lock.json, which
// `npm ci` and `npm install` write last), and stale when a package the lock file lists is not in
// node_modules or its package.json has another version. Each package's own package.json is read, not
// npm's record in .package-lock.json: `npm install --package-lock-only` rewrites that record to the
// new lock file while node_modules keeps the old packages. Optional packages npm skipped for this
// platform (rollup's other builds) are not missing; packages no longer in the lock file are left to
// the next `npm ci` (they are never loaded).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Compares package-lock.json's packages with those in node_modules.
 * @param {Record<string, { version?: string, optional?: boolean, link?: boolean }>} lockPackages
 * @param {(dir: string) => string | null} installedVersion the version in dir/package.json, null when
 *   there is none
 * @returns {string | null} why node_modules differs from the lock file, or null when it does not
 */
export function lockDrift(lockPackages, installedVersion) {
  for (const [dir, wanted] of Object.entries(lockPackages)) {
    if (!dir.startsWith('node_modules/')) continue;
    const version = installedVersion(dir);
    if (version === null) {
      if (wanted.optional) continue;
      return `${dir} is not installed`;
    }
    // A link (a workspace or file: folder) has the version of whatever it points to.
    if (!wanted.link && version !== wanted.version) {
      return `${dir} is ${version}, package-lock.json wants ${wanted.version}`;
    }
  }
  return null;
}

/** @returns {{ state: 'missing' | 'stale' | 'fresh', reason: string }} */
export function dependencyState(root) {
  const lock = readJson(path.join(root, 'package-lock.json'));
  if (!lock?.packages) return { state: 'missing', reason: 'package-lock.json cannot be read' };
  if (!existsSync(path.join(root, 'node_modules'))) {
    return { state: 'missing', reason: 'node_modules does not exist' };
  }
  if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    return { state: 'missing', reason: 'no completed npm install in node_modules' };
  }
  const drift = lockDrift(lock.packages, (dir) => {
    const manifest = readJson(path.join(root, dir, 'package.json'));
    return typeof manifest?.version === 'string' ? manifest.version : null;
  });
  return drift ? { state: 'stale', reason: drift } : { state: 'fresh', reason: 'up to date' };
}

/**
 * npm as the running `npm start` / `npm test` invoked it (npm_execpath), else the one on PATH
 * (npm.cmd on Windows needs a shell).
 */
function npmCommand(env, args) {
  if (env.npm_execpath && env.npm_execpath.endsWith('.js')) {
    return { command: process.execPath, args: [env.npm_execpath, ...args], shell: false };
  }
  return { command: 'npm', args, shell: process.platform === 'win32' };
}

/** The real runner: inherits the terminal and the environment (ELECTRON_SKIP_BINARY_DOWNLOAD too). */
export function runCommand({ command, args, shell = false }, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell, ...options });
  return result.status ?? 1;
}

/**
 * Runs `npm ci` when node_modules is missing or stale.
 * @returns {number} 0 when the dependencies are in place
 */
export function ensureDependencies({ root, env, run, log }) {
  const { state, reason } = dependencyState(root);
  if (state === 'fresh') return 0;
  log(`[ensure-deps] dependencies ${state} (${reason}): running npm ci`);
  const status = run(npmCommand(env, ['ci', '--no-audit', '--no-fund']), { cwd: root, env });
  if (status !== 0) {
    log(`[ensure-deps] npm ci failed (exit ${status})`);
    return status;
  }
  const after = dependencyState(root);
  if (after.state !== 'fresh') {
    log(`[ensure-deps] still ${after.state} after npm ci: ${after.reason}`);
    return 1;
  }
  return 0;
}

/**
 * `npm start` launches Electron, whose binary npm ci leaves out under ELECTRON_SKIP_BINARY_DOWNLOAD
 * (or when a download failed): fetch it with Electron's own installer, or say why the start will fail.
 */
export function ensureElectronBinary({ root, env, run, log }) {
  const electronDir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(electronDir) || existsSync(path.join(electronDir, 'path.txt'))) return 0;
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    log(
      '[ensure-deps] Electron’s binary is not downloaded because ELECTRON_SKIP_BINARY_DOWNLOAD is set: ' +
        'unset it and run npm start again',
    );
    return 1;
  }
  log('[ensure-deps] downloading Electron’s binary');
  return run({ command: process.execPath, args: [path.join(electronDir, 'install.js')] }, { cwd: root, env });
}

function succeeds(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** What the integration and E2E tests need, as test/helpers/docker-available.ts checks it. */
export function missingTestPrerequisites(env, check = succeeds, exists = existsSync) {
  const missing = [];
  if (!check('docker', ['version', '--format', '{{.Server.Version}}'])) {
    missing.push('a running Docker engine');
  }
  if (!check('docker', ['compose', 'version', '--short'])) missing.push('Compose v2');
  if (!check('docker-compose', ['version', '--short'])) missing.push('Compose v1');
  if (!exists(env.CHROMIUM_PATH ?? '/usr/bin/chromium')) missing.push('Chromium');
  return missing;
}

/**
 * Outside CI, installs what the tests need with scripts/setup-test-env.sh (Debian, root), asking for
 * root in one line when a terminal can answer; otherwise says which tests will skip. In CI `.ci/run`
 * has run the set-up already and a missing prerequisite must fail the tests, not be installed here.
 * Never fails `npm test` itself: the tests report what they could not run.
 * @param {{ root: string, env: NodeJS.ProcessEnv, run: Function, log: Function,
 *   missing: string[], platform: string, isRoot: boolean, interactive: boolean,
 *   has: (command: string) => boolean }} options
 */
export function prepareTestEnvironment(options) {
  const { root, env, run, log, missing, platform, isRoot, interactive, has } = options;
  if (env.CI === 'true' || missing.length === 0) return 0;
  const what = missing.join(', ');
  const script = path.join('scripts', 'setup-test-env.sh');
  const skipLine = `[ensure-deps] ${what} missing: the tests that need them will skip`;
  if (env.DIFY_STACK_NO_TEST_SETUP) {
    log(`${skipLine} (DIFY_STACK_NO_TEST_SETUP is set)`);
    return 0;
  }
  if (platform !== 'linux' || !has('apt-get')) {
    log(`${skipLine} (${script} installs them on Debian)`);
    return 0;
  }
  let command;
  if (isRoot) {
    log(`[ensure-deps] ${what} missing: running ${script}`);
    command = { command: 'bash', args: [script] };
  } else if (interactive && has('sudo')) {
    log(
      `[ensure-deps] The tests need ${what}; installing them needs root, so sudo asks for your ` +
        `password now (or set DIFY_STACK_NO_TEST_SETUP=1 to let those tests skip)`,
    );
    command = { command: 'sudo', args: ['bash', script] };
  } else {
    log(`${skipLine} (install them with: sudo bash ${script})`);
    return 0;
  }
  const status = run(command, { cwd: root, env });
  if (status !== 0) log(`${skipLine} (${script} exited ${status})`);
  return 0;
}

function onPath(command) {
  const lookup = process.platform === 'win32' ? 'where' : 'which';
  return spawnSync(lookup, [command], { stdio: 'ignore' }).status === 0;
}

function main(argv) {
  const forTests = argv.includes('--test');
  const base = { root: ROOT, env: process.env, run: runCommand, log: console.error };
  let status = ensureDependencies(base);
  if (status !== 0) return status;
  if (!forTests) return ensureElectronBinary(base);
  if (process.env.CI === 'true') return 0;
  status = prepareTestEnvironment({
    ...base,
    missing: missingTestPrerequisites(process.env),
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    interactive: Boolean(process.stdin.isTTY),
    has: onPath,
  });
  return status;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
