/**
 * The virtual environment a plugin's debug run uses: `.venv` in the plugin folder. That is where the
 * plugin daemon makes its own (local_runtime/setup_python_environment.go: `python -m venv .venv`, or
 * `uv venv .venv`), where editors and `uv sync` look for one, and what our packager and the official
 * one's templates leave out of a package — so a folder the user already set up is reused as it is.
 *
 * `pip install -r requirements.txt` runs only when the file changed since the last install into this
 * venv: its SHA-256 (with the interpreter's version: a venv rebuilt by another Python needs the
 * packages again) is recorded inside the venv after a successful install. A new venv has no record,
 * so the first run installs; deleting `.venv` starts over.
 *
 * pyproject.toml without requirements.txt is left to the user (`uv sync` fills the same `.venv`): pip
 * cannot install "the dependencies of a project that is not a package" without building it.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AppError } from '../core/errors';
import type { FoundPython } from './debug-python';
import { runIntoLog, writeLogNote, type SpawnIntoLogOptions } from './debug-spawn';

export const VENV_DIR = '.venv';
export const REQUIREMENTS_FILE = 'requirements.txt';
/** Inside the venv: deleting the venv forgets it too. */
const RECORD_FILE = 'dify-stack-requirements.sha256';

/** The venv's interpreter: Scripts\python.exe on Windows, bin/python elsewhere. */
export function venvPython(dir: string, platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return platform === 'win32'
    ? p.join(dir, VENV_DIR, 'Scripts', 'python.exe')
    : p.join(dir, VENV_DIR, 'bin', 'python');
}

export interface VenvContext {
  dir: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  spawn?: SpawnIntoLogOptions;
  platform?: NodeJS.Platform;
}

/** Creates `.venv` with `base` unless its interpreter is there. True when it was created now. */
export async function ensureVenv(base: FoundPython, ctx: VenvContext): Promise<boolean> {
  const python = venvPython(ctx.dir, ctx.platform);
  if (await isFile(python)) return false;
  await writeLogNote(ctx.logFile, `Creating ${VENV_DIR} with Python ${base.version} (${base.executable})`);
  const code = await runIntoLog(
    { command: base.command, args: [...base.args, '-m', 'venv', VENV_DIR], cwd: ctx.dir, env: ctx.env },
    ctx.logFile,
    ctx.signal,
    ctx.spawn,
  );
  if (code !== 0 || !(await isFile(python))) {
    throw new AppError('PLUGIN_DEBUG_VENV_FAILED', {
      params: { dir: path.join(ctx.dir, VENV_DIR), code: String(code) },
    });
  }
  return true;
}

/** sha256 of requirements.txt and the Python version; null when the folder has no requirements.txt. */
export async function requirementsStamp(dir: string, pythonVersion: string): Promise<string | null> {
  const bytes = await fsp.readFile(path.join(dir, REQUIREMENTS_FILE)).catch(() => null);
  if (!bytes) return null;
  return createHash('sha256').update(bytes).update(`\0${pythonVersion}`).digest('hex');
}

/** Does the venv need `pip install -r requirements.txt` (the file changed since the last install)? */
export async function requirementsChanged(dir: string, pythonVersion: string): Promise<boolean> {
  const stamp = await requirementsStamp(dir, pythonVersion);
  if (stamp === null) return false;
  const recorded = await fsp.readFile(path.join(dir, VENV_DIR, RECORD_FILE), 'utf8').catch(() => '');
  return recorded.trim() !== stamp;
}

/**
 * pip install -r requirements.txt into the venv (output into the log); the record is written after
 * it succeeded only, so a failed install is tried again at the next start or save.
 */
export async function installRequirements(venvVersion: string, ctx: VenvContext): Promise<void> {
  const stamp = await requirementsStamp(ctx.dir, venvVersion);
  if (stamp === null) return;
  await writeLogNote(ctx.logFile, `pip install -r ${REQUIREMENTS_FILE}`);
  const code = await runIntoLog(
    {
      command: venvPython(ctx.dir, ctx.platform),
      args: ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', REQUIREMENTS_FILE],
      cwd: ctx.dir,
      // No prompt can be answered here (an index asking for a password would hang the run).
      env: { ...ctx.env, PIP_NO_INPUT: '1', PYTHONUNBUFFERED: '1' },
    },
    ctx.logFile,
    ctx.signal,
    ctx.spawn,
  );
  if (code !== 0) {
    throw new AppError('PLUGIN_DEBUG_DEPS_FAILED', {
      params: { code: String(code), file: REQUIREMENTS_FILE },
    });
  }
  await writeFileAtomic(path.join(ctx.dir, VENV_DIR, RECORD_FILE), stamp + '\n');
}

async function isFile(file: string): Promise<boolean> {
  return (await fsp.stat(file).catch(() => null))?.isFile() ?? false;
}
