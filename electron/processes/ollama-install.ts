/**
 * Where Ollama is installed and how to start it.
 *
 * Windows (ollama/ollama v0.33): the installer (`app/ollama.iss`) puts `ollama.exe` and the desktop app
 * `ollama app.exe` side by side in `%LOCALAPPDATA%\Programs\Ollama` (or a folder the user chose); the
 * app runs `ollama.exe serve` itself and restarts it a second after any exit (facts.md), so when the app
 * is there, Ollama is started through it. Linux: `ollama` on PATH (usually /usr/local/bin from the
 * install script, often with a systemd unit that already serves).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { statSync } from 'node:fs';
import { childEnv, findOnPath, taskkillPath } from '../core/child-process';
import { AppError } from '../core/errors';
import { envValue, overlayEnv } from './launch-env';
import { ollamaVar } from './ollama-host';
import type { LaunchSpec } from './supervisor';

export interface OllamaInstall {
  serve: string | null;
  /** win32: `ollama app.exe` beside it (the desktop app owns serve) */
  desktopApp: string | null;
  /** Every place looked at, in order (`PATH` for the PATH search), for OLLAMA_NOT_FOUND. */
  looked: string[];
}

const DESKTOP_APP = 'ollama app.exe';

const defaultIsFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * setting (a file, or a folder holding ollama(.exe)) → win32: %LOCALAPPDATA%\Programs\Ollama\ollama.exe → PATH.
 * A setting that points nowhere is reported as not found rather than replaced by another Ollama.
 * Injected platform/env/isFile so win32 is unit-tested with path.win32 and paths with spaces.
 */
export function findOllama(opts: {
  setting: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isFile?: (f: string) => boolean;
}): OllamaInstall {
  const { platform, env } = opts;
  const isFile = opts.isFile ?? defaultIsFile;
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exe = win ? 'ollama.exe' : 'ollama';
  const looked: string[] = [];
  const found = (serve: string | null, desktopApp: string | null = null): OllamaInstall => ({
    serve,
    desktopApp: desktopApp ?? (win && serve ? besideIfFile(p.join(p.dirname(serve), DESKTOP_APP)) : null),
    looked,
  });
  const besideIfFile = (file: string): string | null => (isFile(file) ? file : null);
  const tryFile = (file: string): string | null => {
    looked.push(file);
    return isFile(file) ? file : null;
  };

  // Explorer's "Copy as path" puts quotes around the path.
  const setting = opts.setting.trim().replace(/^"(.*)"$/, '$1');
  if (setting) {
    // A relative path would depend on our working folder (on Windows libuv even searches it first).
    if (!p.isAbsolute(setting)) {
      looked.push(setting);
      return found(null);
    }
    if (isFile(setting)) {
      looked.push(setting);
      // The desktop app itself chosen: its serve is the ollama.exe beside it.
      if (win && p.basename(setting).toLowerCase() === DESKTOP_APP)
        return found(besideIfFile(p.join(p.dirname(setting), exe)), setting);
      return found(setting);
    }
    return found(tryFile(p.join(setting, exe)));
  }

  if (win) {
    const localAppData = envValue(env, 'LOCALAPPDATA', platform);
    if (localAppData && p.isAbsolute(localAppData)) {
      const serve = tryFile(p.join(localAppData, 'Programs', 'Ollama', exe));
      if (serve) return found(serve);
    }
  }
  looked.push('PATH');
  const onPath = findOnPath([exe], { platform, env, isFile });
  if (onPath) return found(onPath);
  // A desktop session's PATH may lack /usr/local/bin, where Ollama's install script puts it.
  if (!win) return found(tryFile('/usr/local/bin/ollama'));
  return found(null);
}

/**
 * win32: where Ollama's desktop app has its `serve` log (`%LOCALAPPDATA%\\Ollama\\server.log`, rotated to
 * server-1.log … at each start of the app: facts.md); null elsewhere, or without LOCALAPPDATA. A
 * `serve` started by anyone else logs to its own stderr, not there.
 */
export function ollamaServerLog(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform !== 'win32') return null;
  const localAppData = envValue(env, 'LOCALAPPDATA', platform);
  return localAppData && path.win32.isAbsolute(localAppData)
    ? path.win32.join(localAppData, 'Ollama', 'server.log')
    : null;
}

function requireFile(file: string | null, install: OllamaInstall): string {
  if (file === null)
    throw new AppError('OLLAMA_NOT_FOUND', { params: { looked: install.looked.join(', ') } });
  return file;
}

/**
 * `ollama serve` with OLLAMA_HOST set to hostValue and the settings' extra env (quotes around values stripped like
 * Ollama does), on top of childEnv(base). cwd: the user's home or the executable's folder.
 */
export function ollamaServeSpec(
  install: OllamaInstall,
  opts: {
    hostValue: string;
    extraEnv: Record<string, string>;
    baseEnv: NodeJS.ProcessEnv;
    platform: NodeJS.Platform;
  },
): LaunchSpec {
  const command = requireFile(install.serve, install);
  const { platform } = opts;
  // OLLAMA_HOST last: it wins even when the extra env names it, since we connect where hostValue says.
  const env = overlayEnv(
    childEnv(opts.baseEnv),
    [
      ...Object.entries(opts.extraEnv).map(([name, value]): [string, string] => [name, ollamaVar(value)]),
      ['OLLAMA_HOST', opts.hostValue],
    ],
    platform,
  );
  const home = envValue(opts.baseEnv, platform === 'win32' ? 'USERPROFILE' : 'HOME', platform);
  const p = platform === 'win32' ? path.win32 : path.posix;
  return {
    command,
    args: ['serve'],
    // Not our own working folder: on Windows a process keeps its working folder from being deleted.
    cwd: home && p.isAbsolute(home) ? home : p.dirname(command),
    env,
    kind: 'child',
  };
}

/**
 * The desktop app, started the way Ollama's own CLI starts it (`cmd/start_windows.go`: `--hide
 * --fast-startup` — no window, and a pending update is not installed in the middle of our Start).
 */
export function ollamaDesktopSpec(install: OllamaInstall, opts: { baseEnv: NodeJS.ProcessEnv }): LaunchSpec {
  const command = requireFile(install.desktopApp, install);
  return {
    command,
    args: ['--hide', '--fast-startup'],
    cwd: path.win32.dirname(command),
    env: childEnv(opts.baseEnv),
    kind: 'desktop-app',
  };
}

type Run = (file: string, args: string[]) => Promise<string>;

const runFile: Run = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { windowsHide: true, timeout: 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/**
 * win32 only: pids of running `ollama app.exe` via `tasklist /FI "IMAGENAME eq ollama app.exe" /FO CSV /NH`
 * (tasklist by absolute System32 path), `run` injectable; [] elsewhere.
 * tasklist prints `"ollama app.exe","1234","Console","1","45,012 K"` per process and, when none runs, a
 * localized "INFO: …" line: only CSV rows naming the image count.
 */
export async function desktopAppPids(opts: {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  run?: (file: string, args: string[]) => Promise<string>;
}): Promise<number[]> {
  if (opts.platform !== 'win32') return [];
  // The same System32 as taskkill's: never a tasklist.exe from PATH or the working folder.
  const tasklist = path.win32.join(path.win32.dirname(taskkillPath(opts.env)), 'tasklist.exe');
  const out = await (opts.run ?? runFile)(tasklist, [
    '/FI',
    `IMAGENAME eq ${DESKTOP_APP}`,
    '/FO',
    'CSV',
    '/NH',
  ]);
  const pids: number[] = [];
  for (const line of out.split(/\r?\n/)) {
    const m = /^"([^"]*)","(\d+)"/.exec(line.trim());
    if (m && m[1]?.toLowerCase() === DESKTOP_APP) pids.push(Number(m[2]));
  }
  return pids;
}
