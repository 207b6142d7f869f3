import { spawn, execFile } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { childEnv, resolveExecutable, taskkillPath } from '../core/child-process';
import { AppError } from '../core/errors';

/**
 * Docker Compose as a process. v2 (`docker compose`, what Docker Desktop ships and Dify ≥ 1.13 needs)
 * is preferred; v1 (`docker-compose` 1.29) still runs Dify ≤ 1.12. We always pass the project name,
 * the compose file and the project directory so the result never depends on our working directory.
 */
export type ComposeFlavor = 'v2' | 'v1';

export interface ComposeBinary {
  flavor: ComposeFlavor;
  version: string;
  command: string;
  prefixArgs: string[];
}

export function composeInvocation(
  flavor: ComposeFlavor,
  platform: NodeJS.Platform,
): { command: string; prefixArgs: string[] } {
  const exe = platform === 'win32' ? '.exe' : '';
  return flavor === 'v2'
    ? { command: `docker${exe}`, prefixArgs: ['compose'] }
    : { command: `docker-compose${exe}`, prefixArgs: [] };
}

export interface ComposeAvailability {
  v2: ComposeBinary | null;
  v1: ComposeBinary | null;
}

export type VersionProbe = (command: string, args: string[]) => Promise<string | null>;

/** Runs `<cmd> version --short` with a time limit; null when the command is missing or fails. */
export const probeVersion: VersionProbe = (command, args) =>
  new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: 15_000, windowsHide: true, env: childEnv(process.env) },
      (error, stdout) => {
        const text = String(stdout).trim();
        resolve(error || !text ? null : text.replace(/^v/, ''));
      },
    );
  });

/** Both Composes, asked in parallel (the locator asks lazily; this is for reports and tests). */
export async function detectCompose(
  platform: NodeJS.Platform,
  probe: VersionProbe = probeVersion,
  env: NodeJS.ProcessEnv = process.env,
  isFile?: (file: string) => boolean,
): Promise<ComposeAvailability> {
  const locator = new ComposeLocator(platform, undefined, probe, env, isFile);
  const [v2, v1] = await Promise.all([locator.find('v2'), locator.find('v1')]);
  return { v2, v1 };
}

/**
 * The order in which to try the two Composes. `createdBy` is the `com.docker.compose.version` label
 * of the project's existing containers: v1 and v2 hash service configs differently, so using the
 * other one makes the next `up -d` recreate every container (facts.md). Prefer the one that created
 * the project, else v2.
 */
export function composePreference(createdBy?: string | null): ComposeFlavor[] {
  return createdBy?.startsWith('1.') ? ['v1', 'v2'] : ['v2', 'v1'];
}

/** Pure: the Compose to use among those found. */
export function chooseCompose(found: ComposeAvailability, createdBy?: string | null): ComposeBinary {
  for (const flavor of composePreference(createdBy)) {
    const bin = found[flavor];
    if (bin) return bin;
  }
  throw new AppError('COMPOSE_MISSING');
}

/**
 * Finds Compose lazily: v1 is a Python program that takes about a second to answer `version`, so it
 * is asked only when v2 is missing or the project was created by v1. Each answer is kept for the
 * locator's lifetime (a Compose installed later is found after an app restart).
 */
export class ComposeLocator {
  private readonly found = new Map<ComposeFlavor, Promise<ComposeBinary | null>>();

  constructor(
    private readonly platform: NodeJS.Platform,
    /** Fixed answers instead of probing (tests simulate a v1-only or a Compose-less machine). */
    private readonly fixed?: ComposeAvailability,
    private readonly probe: VersionProbe = probeVersion,
    /** Where the executable is looked up (PATH, PATHEXT). */
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly isFile?: (file: string) => boolean,
  ) {}

  find(flavor: ComposeFlavor): Promise<ComposeBinary | null> {
    let pending = this.found.get(flavor);
    if (!pending) {
      pending = this.fixed ? Promise.resolve(this.fixed[flavor]) : this.ask(flavor);
      this.found.set(flavor, pending);
    }
    return pending;
  }

  async choose(createdBy?: string | null): Promise<ComposeBinary> {
    for (const flavor of composePreference(createdBy)) {
      const bin = await this.find(flavor);
      if (bin) return bin;
    }
    throw new AppError('COMPOSE_MISSING');
  }

  private async ask(flavor: ComposeFlavor): Promise<ComposeBinary | null> {
    const inv = composeInvocation(flavor, this.platform);
    // On Windows an absolute path: never a `docker.exe` in the Dify folder we run it in.
    const command = resolveExecutable(inv.command, {
      platform: this.platform,
      env: this.env,
      isFile: this.isFile,
    });
    if (command === null) return null;
    const version = await this.probe(command, [...inv.prefixArgs, 'version', '--short']);
    return version ? { flavor, version, ...inv, command } : null;
  }
}

/** True when the chosen Compose is not the one that created the running project (all containers will be recreated). */
export function composeMismatch(bin: ComposeBinary, createdBy?: string | null): boolean {
  if (!createdBy) return false;
  return (bin.flavor === 'v1') !== createdBy.startsWith('1.');
}

export interface ComposeProjectRef {
  dir: string;
  composeFile: string;
  projectName: string;
}

export function composeArgs(bin: ComposeBinary, project: ComposeProjectRef, args: string[]): string[] {
  return [
    ...bin.prefixArgs,
    '--project-name',
    project.projectName,
    '--file',
    project.composeFile,
    '--project-directory',
    project.dir,
    '--ansi',
    'never',
    ...args,
  ];
}

export interface ComposeResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/** Runs compose, streaming its output line by line; resolves with the exit code (never rejects on exit ≠ 0). */
export function runCompose(
  bin: ComposeBinary,
  project: ComposeProjectRef,
  args: string[],
  options: RunOptions = {},
): Promise<ComposeResult> {
  const platform = options.platform ?? process.platform;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new AppError('CANCELLED'));
    const child = spawn(bin.command, composeArgs(bin, project, args), {
      cwd: project.dir,
      env: childEnv(options.env ?? process.env),
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
    const pump = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream) => {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const emit = (text: string) => {
        pending += text;
        const parts = pending.split(/\r?\n|\r/);
        pending = parts.pop() ?? '';
        for (const line of parts) deliver(line);
      };
      const deliver = (line: string) => {
        out[stream].push(line);
        if (line.trim()) options.onLine?.(line, stream);
      };
      source.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
      source.on('end', () => {
        emit(decoder.end());
        if (pending) deliver(pending);
        pending = '';
      });
    };
    pump('stdout', child.stdout);
    pump('stderr', child.stderr);

    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      killTree(child.pid, platform, child);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(e.code === 'ENOENT' ? new AppError('COMPOSE_MISSING', { detail: e.message }) : e);
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new AppError('CANCELLED'));
      resolve({ code: code ?? 1, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') });
    });
  });
}

/** Compose v2 stops its work on SIGINT; on Windows the whole tree must go (`child.kill` only ends the direct child). */
function killTree(
  pid: number | undefined,
  platform: NodeJS.Platform,
  child: { kill(signal?: NodeJS.Signals): boolean },
): void {
  if (pid === undefined) return;
  if (platform === 'win32') {
    spawn(taskkillPath(process.env), ['/PID', String(pid), '/T', '/F'], {
      windowsHide: true,
      stdio: 'ignore',
      env: childEnv(process.env),
    }).on('error', () => undefined);
    return;
  }
  child.kill('SIGINT');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
}

const V2_ONLY_PATTERNS = [
  /unsupported option: 'required'/i,
  /Additional properties are not allowed \('(required|name|include|develop)'/i,
  /'(name|include)' was unexpected/i,
  /Version in ".*" is unsupported/i,
];

/** Turns a failed compose run into the error the user sees, keeping compose's own text as the detail. */
export function composeFailure(bin: ComposeBinary, subcommand: string, result: ComposeResult): AppError {
  const text = [result.stderr, result.stdout].filter(Boolean).join('\n').trim();
  const detail = tail(text, 60);
  if (bin.flavor === 'v1' && V2_ONLY_PATTERNS.some((re) => re.test(text))) {
    return new AppError('COMPOSE_V2_REQUIRED', { params: { version: bin.version }, detail });
  }
  return new AppError('COMPOSE_FAILED', { params: { command: subcommand, exitCode: result.code }, detail });
}

export function tail(text: string, lines: number): string {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}
