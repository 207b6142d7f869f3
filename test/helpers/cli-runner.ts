/**
 * Running `dify-stack` from tests, two ways:
 * - `runCliProcess`: as a user runs it, a fresh Node process on a bundle of the current sources, with
 *   its own HOME, settings folder and language (integration tests);
 * - `runCliInProcess`: `runCli` in this process with captured output, for unit tests that inject
 *   services (a fake stack, the Dify double).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCli, type CliIo } from '../../electron/cli/cli';
import { pidAlive } from '../../electron/core/pid-alive';
import { bundleForNode } from './node-bundle';
import { removeTempDir } from './temp-dir';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let bundle: Promise<string> | undefined;
const BUNDLES = join(ROOT, 'test-results', 'cli-bundle');

/**
 * The CLI bundled from the current sources, once per test process: `dist/` may be stale, and a test
 * must exercise the code it sits next to. The bundle lives under `test-results/` because its
 * dependencies stay external and resolve from the repo's node_modules; the folder is unique to the
 * process because other test processes may bundle other sources at the same moment.
 */
export function bundledCli(): Promise<string> {
  bundle ??= (async () => {
    await removeOrphanBundles();
    const dir = join(BUNDLES, `${process.pid}-${randomUUID().slice(0, 8)}`);
    const file = join(dir, 'cli.js');
    await bundleForNode(join(ROOT, 'electron/cli/cli.ts'), file);
    return file;
  })();
  return bundle;
}

/**
 * Vitest ends its workers without running exit handlers, so a process cannot remove its own bundle:
 * the next one removes the bundles of processes that are gone.
 */
async function removeOrphanBundles(): Promise<void> {
  const names = await readdir(BUNDLES).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => !pidAlive(Number(name.split('-')[0])))
      .map((name) => removeTempDir(join(BUNDLES, name))),
  );
}

export interface CliProcessOptions {
  /** The child's HOME (the default settings file and `~` expansions live under it). */
  home: string;
  /** Defaults to `<home>/.config`, so the settings file never lands in the developer's own folder. */
  xdgConfigHome?: string;
  /** Defaults to en_US.UTF-8; LC_ALL is cleared so LANG decides. */
  lang?: string;
  /**
   * What the child inherits beneath HOME/LANG. Defaults to PATH alone, so a DIFY_PASSWORD or LANG of
   * the developer's shell cannot change an outcome; tests that drive Docker pass `process.env`.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** Applied last: wins over everything above. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child after this long (default 60 s); the run then reports code -1. */
  timeoutMs?: number;
}

/** The child's environment: HOME, settings folder and language of the test's choosing. */
function cliEnv(options: CliProcessOptions): NodeJS.ProcessEnv {
  return {
    ...(options.baseEnv ?? { PATH: process.env.PATH ?? '' }),
    HOME: options.home,
    XDG_CONFIG_HOME: options.xdgConfigHome ?? join(options.home, '.config'),
    // The docker CLI finds its plugins (Compose v2) under its own config folder, ~/.docker by default:
    // a test HOME must not hide `docker compose` and silently leave the run on Compose v1.
    DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
    LANG: options.lang ?? 'en_US.UTF-8',
    LC_ALL: '',
    ...options.env,
  };
}

/**
 * A long-running `dify-stack` (a `--watch`, `plugin debug`) in a fresh Node process, its output
 * piped for the test to read while it runs; the test ends it (SIGINT, as Ctrl+C does).
 */
export async function spawnCliProcess(
  args: string[],
  options: Omit<CliProcessOptions, 'timeoutMs'>,
): Promise<ChildProcessWithoutNullStreams> {
  const cli = await bundledCli();
  return spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? options.home, env: cliEnv(options) });
}

/** The current `dify-stack` in a fresh Node process; a non-zero exit is a result, not a throw. */
export async function runCliProcess(args: string[], options: CliProcessOptions): Promise<CliRun> {
  const cli = await bundledCli();
  const timeout = options.timeoutMs ?? 60_000;
  const env = cliEnv(options);
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? options.home,
      env,
      timeout,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; killed?: boolean; stdout?: string; stderr?: string };
    // A killed child has no exit code; say why in stderr so the failing assertion shows it.
    const note = err.killed
      ? `\n[cli-runner] killed after ${timeout} ms: dify-stack ${args.join(' ')}\n`
      : '';
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: (err.stderr ?? '') + note,
    };
  }
}

export interface InProcessCliOptions {
  /** The CLI's working folder (relative paths and `--config` resolve against it). */
  cwd: string;
  /** The CLI's whole environment (default: LANG=en_US.UTF-8 alone). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `<cwd>/home`. */
  homedir?: string;
  /** Defaults to linux: the tests compare paths with Linux separators. */
  platform?: NodeJS.Platform;
  createServices?: CliIo['createServices'];
  onInterrupt?: CliIo['onInterrupt'];
}

/** `runCli` with stdout/stderr captured as text. */
export async function runCliInProcess(argv: string[], options: InProcessCliOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? { LANG: 'en_US.UTF-8' },
    cwd: options.cwd,
    platform: options.platform ?? 'linux',
    homedir: options.homedir ?? join(options.cwd, 'home'),
    ...(options.onInterrupt && { onInterrupt: options.onInterrupt }),
    ...(options.createServices && { createServices: options.createServices }),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/**
 * A file to preload into a CLI process (`NODE_OPTIONS=--require FILE`): on exit it writes one line to
 * stderr naming the packages the process loaded. Written into `dir`.
 */
export async function loadedPackagesHook(dir: string): Promise<string> {
  const hook = join(dir, 'loaded-hook.js');
  await writeFile(
    hook,
    `process.on('exit', () => {
      const names = Object.keys(require.cache).map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f)?.[1]).filter(Boolean);
      process.stderr.write('\\nLOADED ' + JSON.stringify([...new Set(names)]) + '\\n');
    });`,
  );
  return hook;
}

/** runCliProcess with the hook above: the packages the run loaded, and its stderr without the hook's line. */
export async function runCliProcessLoaded(
  args: string[],
  hook: string,
  options: CliProcessOptions,
): Promise<CliRun & { loaded: string[] }> {
  const r = await runCliProcess(args, {
    ...options,
    env: { NODE_OPTIONS: `--require ${hook}`, ...options.env },
  });
  const line = /\nLOADED (.*)\n$/.exec(r.stderr);
  return {
    ...r,
    stderr: line ? r.stderr.slice(0, line.index) : r.stderr,
    loaded: line ? (JSON.parse(line[1] as string) as string[]) : [],
  };
}
