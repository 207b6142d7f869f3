/**
 * Which nvidia-smi to run. Windows: the driver installs it in System32 (facts.md), newer DCH drivers
 * only in their DriverStore folder (`System32\DriverStore\FileRepository\nv…\nvidia-smi.exe`, one folder
 * per installed driver package — the newest is the driver in use), and PATH last. Elsewhere: PATH.
 * A path set by the user wins and is the only place looked at, so a wrong setting is reported as such.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { findOnPath, resolveExecutable, taskkillPath } from '../core/child-process';

export interface LocateOptions {
  /** The `nvidiaSmiPath` setting; empty = look in the usual places. */
  setting: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isFile?: (file: string) => boolean;
  /** The folders inside `dir` (names); [] when it cannot be read. */
  listDir?: (dir: string) => string[];
  /** When a folder was last changed (ms); picks the newest DriverStore folder. */
  modifiedAt?: (dir: string) => number;
}

export interface Located {
  path: string | null;
  /** Where it looked, in order (shown when it is not found). */
  looked: string[];
}

const EXE = 'nvidia-smi.exe';

const defaultIsFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const defaultListDir = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
};

const defaultModifiedAt = (dir: string): number => {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
};

export function locateNvidiaSmi(opts: LocateOptions): Located {
  const isFile = opts.isFile ?? defaultIsFile;
  const resolve = { platform: opts.platform, env: opts.env, isFile };
  const win = opts.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const setting = opts.setting.trim().replace(/^"(.*)"$/, '$1');

  if (setting) {
    if (p.isAbsolute(setting)) return { path: isFile(setting) ? setting : null, looked: [setting] };
    // A relative path would depend on the working folder: not run.
    if (/[\\/]/.test(setting)) return { path: null, looked: [setting] };
    // A bare name: PATH's absolute entries only (never the working folder, core/child-process.ts).
    const found = win ? resolveExecutable(setting, resolve) : findOnPath([setting], resolve);
    return { path: found, looked: [`PATH (${setting})`] };
  }

  if (!win) return { path: findOnPath(['nvidia-smi'], resolve), looked: ['PATH'] };

  // The same system folder taskkill comes from: %SystemRoot% (any case), else %WINDIR%, else C:\Windows.
  const system32 = path.win32.dirname(taskkillPath(opts.env));
  const inSystem32 = path.win32.join(system32, EXE);
  const repository = path.win32.join(system32, 'DriverStore', 'FileRepository');
  const looked = [inSystem32, path.win32.join(repository, 'nv*', EXE), 'PATH'];
  if (isFile(inSystem32)) return { path: inSystem32, looked };

  const modifiedAt = opts.modifiedAt ?? defaultModifiedAt;
  const inStore = (opts.listDir ?? defaultListDir)(repository)
    .filter((name) => /^nv/i.test(name))
    .map((name) => path.win32.join(repository, name))
    .filter((dir) => isFile(path.win32.join(dir, EXE)))
    .map((dir) => ({ dir, at: modifiedAt(dir) }))
    .sort((a, b) => b.at - a.at)[0];
  if (inStore) return { path: path.win32.join(inStore.dir, EXE), looked };

  return { path: findOnPath([EXE], resolve), looked };
}
