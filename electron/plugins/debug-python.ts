/**
 * Which Python runs a plugin's debug session: the interpreter the settings name (`pythonPath`), else
 * what a user of that platform types — `py -3` (the Python launcher) then `python` on Windows, `python3`
 * then `python` elsewhere. Each candidate is asked for its version by running it, because a name on
 * PATH proves nothing on Windows: the Microsoft Store's `python.exe` alias exists on every fresh
 * install and only prints "Python was not found" (exit code 9009).
 *
 * The version is compared with the manifest's `meta.runner.version` (e.g. "3.12"): the plugin daemon
 * runs the plugin with that Python, so code that works only on a newer one would fail after packaging.
 */
import { spawn } from 'node:child_process';
import { childEnv, resolveExecutable } from '../core/child-process';
import { AppError } from '../core/errors';

export interface PythonCommand {
  /** The executable (absolute on Windows) and the arguments before the script's own (`-3` for py). */
  command: string;
  args: string[];
}

export interface FoundPython extends PythonCommand {
  /** e.g. "3.11.7". */
  version: string;
  /** `sys.executable`: the real interpreter behind a launcher, for messages. */
  executable: string;
}

export interface ProbeResult {
  code: number | null;
  stdout: string;
}

export interface LocatePythonOptions {
  /** The `pythonPath` setting; empty: the platform's usual commands. */
  configured: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Runs a command and collects its stdout (tests inject one). */
  probe?: (command: string, args: string[]) => Promise<ProbeResult>;
  isFile?: (file: string) => boolean;
}

/** What each candidate prints: its version and the interpreter that really runs. */
const PROBE_SCRIPT = 'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)';

/** The candidates in the order they are tried; a configured path is the only one when set. */
export function pythonCandidates(configured: string, platform: NodeJS.Platform): PythonCommand[] {
  if (configured.trim()) return [{ command: configured.trim(), args: [] }];
  return platform === 'win32'
    ? [
        { command: 'py', args: ['-3'] },
        { command: 'python', args: [] },
      ]
    : [
        { command: 'python3', args: [] },
        { command: 'python', args: [] },
      ];
}

/** The first candidate that runs and says which Python it is; PLUGIN_DEBUG_PYTHON_NOT_FOUND otherwise. */
export async function locatePython(options: LocatePythonOptions): Promise<FoundPython> {
  const probe = options.probe ?? ((command, args) => runProbe(command, args, options.env));
  const tried: string[] = [];
  for (const candidate of pythonCandidates(options.configured, options.platform)) {
    const label = [candidate.command, ...candidate.args].join(' ');
    tried.push(label);
    const command = resolveExecutable(candidate.command, {
      platform: options.platform,
      env: options.env,
      isFile: options.isFile,
    });
    if (!command) continue;
    const found = await askVersion({ command, args: candidate.args }, probe);
    if (found) return found;
  }
  throw new AppError('PLUGIN_DEBUG_PYTHON_NOT_FOUND', { params: { tried: tried.join(', ') } });
}

/** Runs `python -c …` and reads its version; null when it does not run or prints something else. */
export async function askVersion(
  python: PythonCommand,
  probe: (command: string, args: string[]) => Promise<ProbeResult>,
): Promise<FoundPython | null> {
  const result = await probe(python.command, [...python.args, '-c', PROBE_SCRIPT]).catch(() => null);
  if (!result || result.code !== 0) return null;
  const [version = '', executable = ''] = result.stdout.split(/\r?\n/).map((l) => l.trim());
  if (!/^\d+\.\d+\.\d+$/.test(version)) return null;
  return { ...python, version, executable: executable || python.command };
}

/**
 * PLUGIN_DEBUG_PYTHON_TOO_OLD when `found` is below `required` ("3.12": major.minor, as manifests
 * write it). A requirement that is not a version (missing, "latest") asks nothing.
 */
export function checkPythonVersion(found: FoundPython, required: string | null, where: string): void {
  const want = parseVersion(required);
  const have = parseVersion(found.version);
  if (!want || !have) return;
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a > b) return;
    if (a < b) {
      throw new AppError('PLUGIN_DEBUG_PYTHON_TOO_OLD', {
        params: { found: found.version, required: String(required), python: found.executable, where },
      });
    }
  }
}

function parseVersion(text: string | null): number[] | null {
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text ?? '');
  if (!m) return null;
  return m
    .slice(1)
    .filter((p) => p !== undefined)
    .map(Number);
}

const PROBE_TIMEOUT_MS = 15_000;

/**
 * A short run with a time limit: a hung interpreter (a broken alias) must not hang the start. The
 * limit is our own timer rather than spawn's `timeout`, whose timer outlives a command that could not
 * be started at all and keeps a CLI run alive for its whole length.
 */
export function runProbe(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
      env: childEnv(env),
    });
    const timer = setTimeout(() => child.kill(), PROBE_TIMEOUT_MS);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < 4096) stdout += chunk;
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}
