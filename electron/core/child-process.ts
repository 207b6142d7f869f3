/**
 * What every program we start gets: an environment without our own secrets, and (on Windows) an
 * absolute path to the executable.
 *
 * Windows: libuv looks for a bare command name in the child's working folder before PATH, and we
 * run Compose with the Dify folder as the working folder — a `docker.exe` planted there would run
 * instead of Docker's. So on Windows a command is resolved here against the absolute PATH entries
 * only (relative and empty entries skipped, PATHEXT honoured), and taskkill comes from System32.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';

/** Variables that carry our secrets: no child needs them (Compose would even pass them to services). */
const PRIVATE_VARIABLES = ['DIFY_PASSWORD'];

/** `env` without our secrets, for a child process. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (PRIVATE_VARIABLES.includes(name.toUpperCase())) continue;
    out[name] = value;
  }
  return out;
}

export interface ResolveOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Is there a file at this absolute path? (tests inject one) */
  isFile?: (file: string) => boolean;
}

const defaultIsFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Windows variables are case-insensitive; Node keeps their original case in `process.env`. */
function winVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The first of `names` in an absolute PATH entry (a relative or empty entry means the working folder). */
export function findOnPath(names: readonly string[], options: ResolveOptions): string | null {
  const p = options.platform === 'win32' ? path.win32 : path.posix;
  const isFile = options.isFile ?? defaultIsFile;
  const pathVar = (options.platform === 'win32' ? winVar(options.env, 'PATH') : options.env.PATH) ?? '';
  for (const entry of pathVar.split(options.platform === 'win32' ? ';' : ':')) {
    const dir = entry.trim().replace(/^"(.*)"$/, '$1');
    if (!dir || !p.isAbsolute(dir)) continue;
    for (const name of names) {
      const file = p.join(dir, name);
      if (isFile(file)) return file;
    }
  }
  return null;
}

/**
 * The executable to spawn for `command`: unchanged elsewhere than Windows (execvp never looks in the
 * working folder unless PATH says so); on Windows the first match in an absolute PATH entry, or null
 * when there is none (the caller says "not installed").
 */
export function resolveExecutable(command: string, options: ResolveOptions): string | null {
  if (options.platform !== 'win32') return command;
  if (path.win32.isAbsolute(command)) return command;
  const exts = (winVar(options.env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e.startsWith('.'));
  const names = path.win32.extname(command) ? [command] : exts.map((e) => command + e.toLowerCase());
  return findOnPath(names, options);
}

/** taskkill from the system folder, never from PATH or the working folder. */
export function taskkillPath(env: NodeJS.ProcessEnv): string {
  const root = winVar(env, 'SYSTEMROOT') ?? winVar(env, 'WINDIR') ?? 'C:\\Windows';
  return path.win32.join(root, 'System32', 'taskkill.exe');
}
