/**
 * How AUTOMATIC1111 is started with our flags (checked against stable-diffusion-webui v1.10):
 *
 * - Windows: `webui-user.bat` is a few `set` lines (PYTHON, GIT, VENV_DIR, COMMANDLINE_ARGS — the last
 *   OVERWRITES any inherited value) and `call webui.bat` without forwarding arguments. `webui.bat` runs
 *   `%PYTHON% launch.py %*` and then `pause`. So we run webui.bat ourselves, with the user's set lines as
 *   environment and our flags as its arguments, through cmd.exe (a .bat needs a shell).
 * - Linux: `webui.sh` sources `webui-user.sh` and runs `python -u launch.py "$@"`; it refuses to run as
 *   root unless its first argument is `-f` (which A1111's argparse accepts and ignores).
 * - Both: `modules/paths_internal.py` appends `shlex.split(COMMANDLINE_ARGS)` to sys.argv, and argparse
 *   keeps the LAST value of a repeated option — so a `--port` in COMMANDLINE_ARGS would beat ours. That
 *   is why the flags the app's settings decide are taken out of the COMMANDLINE_ARGS we pass.
 */
import * as path from 'node:path';
import { childEnv, taskkillPath } from '../core/child-process';
import { envValue, overlayEnv } from './launch-env';
import type { LaunchSpec } from './supervisor';

/**
 * `set NAME=value`, `set "NAME=value"`, case-insensitive `SET`, `@echo off`, `rem`/`::` comments, CRLF, BOM,
 * `%NAME%` references to earlier variables expanded; only the set lines (PYTHON, GIT, VENV_DIR, COMMANDLINE_ARGS kept).
 * Every `set` line counts (users add PYTORCH_CUDA_ALLOC_CONF, `PATH=%PATH%;…`); other commands do not run.
 * A value of '' means the line clears the variable (`set PYTHON=` in the shipped file: webui.bat then
 * uses its default). Names are given in upper case (Windows names are case-insensitive).
 * `context.env` answers references to variables the file did not set; `context.dir` is `%~dp0`'s folder.
 */
export function parseWebuiUserBat(
  text: string,
  context: { env?: NodeJS.ProcessEnv; dir?: string } = {},
): Record<string, string> {
  const vars: Record<string, string> = {};
  const lookup = (name: string): string | undefined => {
    const upper = name.toUpperCase();
    if (upper in vars) return vars[upper];
    return context.env ? envValue(context.env, upper, 'win32') : undefined;
  };
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)) {
    const line = raw.replace(/^[\s@]+/, '');
    if (/^(rem(\s|$)|::)/i.test(line)) continue;
    // Lines after `call webui.bat` run only once webui.bat has ended.
    if (/^call\s+("?)[^"]*webui\.bat\1/i.test(line)) break;
    const set = /^set(?=[\s"])\s*(.*)$/i.exec(line);
    if (!set) continue;
    const assignment = parseSet(expand(set[1] ?? '', lookup, context.dir));
    if (assignment) vars[assignment.name.toUpperCase()] = assignment.value;
  }
  return vars;
}

/** `NAME=value` or `"NAME=value"` (text after the closing quote ignored); `/A`, `/P` and listings are not assignments. */
function parseSet(arg: string): { name: string; value: string } | null {
  let body = arg;
  if (body.startsWith('"')) {
    const close = body.lastIndexOf('"');
    body = close > 0 ? body.slice(1, close) : body.slice(1);
  }
  if (body.startsWith('/')) return null;
  const eq = body.indexOf('=');
  if (eq <= 0) return null;
  return { name: body.slice(0, eq), value: body.slice(eq + 1) };
}

/** cmd's percent expansion in a batch file: `%%` → `%`, `%~dp0` → the file's folder, an unset `%NAME%` → nothing. */
function expand(text: string, lookup: (name: string) => string | undefined, dir: string | undefined): string {
  return text.replace(/%%|%~dp0|%([^%\r\n]+)%/gi, (match, name: string | undefined) => {
    if (match === '%%') return '%';
    if (name === undefined) return dir ? dir.replace(/\\?$/, '\\') : match;
    return lookup(name) ?? '';
  });
}

/** The launcher that must exist: win32 webui.bat (+ webui-user.bat for the user's set lines), else webui.sh. */
export function a1111Launcher(
  dir: string,
  platform: NodeJS.Platform,
): { launcher: string; userFile: string } {
  if (platform === 'win32')
    return { launcher: path.win32.join(dir, 'webui.bat'), userFile: path.win32.join(dir, 'webui-user.bat') };
  return { launcher: path.posix.join(dir, 'webui.sh'), userFile: path.posix.join(dir, 'webui-user.sh') };
}

/**
 * Our flags as ARGUMENTS (webui-user.bat overwrites COMMANDLINE_ARGS and forwards no arguments — facts.md):
 * win32: `%SystemRoot%\System32\cmd.exe /d /s /c ""<dir>\webui.bat" --api --port N [--listen]"` with
 * windowsVerbatimArguments, env = childEnv(base) + the user's set lines + COMMANDLINE_ARGS = user's + extraArgs
 * with any --port/--listen/--nowebui (and --server-name, which overrides --listen) in them removed (ours win;
 * `dropped` says which), PYTHONUNBUFFERED=1 (webui.bat runs python without -u: piped output would be
 * block-buffered); posix: `bash <dir>/webui.sh [-f] --api --port N [--listen] <extraArgs split like a shell>`
 * with PYTHONUNBUFFERED=1, `-f` when we run as root (`asRoot`, default: our uid is 0).
 * webui-user.sh may still set COMMANDLINE_ARGS itself: launch.py appends it after our arguments, so a
 * --port there would win — it cannot be taken out without running the user's script.
 */
export function a1111LaunchSpec(opts: {
  dir: string;
  platform: NodeJS.Platform;
  baseEnv: NodeJS.ProcessEnv;
  port: number;
  listen: boolean;
  extraArgs: string;
  userBatText?: string | null;
  asRoot?: boolean;
}): { spec: LaunchSpec; dropped: string[] } {
  const { dir, platform, port, listen } = opts;
  const ours = ['--api', '--port', String(port), ...(listen ? ['--listen'] : [])];
  const extra = withoutOurFlags(opts.extraArgs);

  if (platform === 'win32') {
    const user = opts.userBatText ? parseWebuiUserBat(opts.userBatText, { env: opts.baseEnv, dir }) : {};
    // Without webui-user.bat, webui.bat alone would see the inherited COMMANDLINE_ARGS.
    const userArgs = withoutOurFlags(
      user.COMMANDLINE_ARGS ?? envValue(opts.baseEnv, 'COMMANDLINE_ARGS', platform) ?? '',
    );
    const commandLineArgs = [userArgs.kept, extra.kept].filter((s) => s !== '').join(' ');
    const env = overlayEnv(
      childEnv(opts.baseEnv),
      [
        ...Object.entries(user).map(([name, value]): [string, string | null] => [
          name,
          value === '' ? null : value,
        ]),
        ['COMMANDLINE_ARGS', commandLineArgs === '' ? null : commandLineArgs],
        ['PYTHONUNBUFFERED', '1'],
      ],
      platform,
    );
    // cmd.exe from System32 like taskkill (child-process.ts), never from PATH or the working folder.
    const cmd = path.win32.join(path.win32.dirname(taskkillPath(opts.baseEnv)), 'cmd.exe');
    const bat = path.win32.join(dir, 'webui.bat');
    return {
      spec: {
        command: cmd,
        // /d: no AutoRun commands from the registry; /s /c "…": cmd strips just the outer quotes.
        args: ['/d', '/s', '/c', `""${bat}" ${ours.join(' ')}"`],
        // webui.bat uses relative paths (launch.py, tmp\) and %~dp0: it must run in its folder.
        cwd: dir,
        env,
        windowsVerbatimArguments: true,
        kind: 'child',
      },
      dropped: [...userArgs.dropped, ...extra.dropped],
    };
  }

  const asRoot = opts.asRoot ?? process.getuid?.() === 0;
  // An inherited COMMANDLINE_ARGS reaches launch.py unless webui-user.sh sets its own: cleaned the same way.
  const inherited = withoutOurFlags(envValue(opts.baseEnv, 'COMMANDLINE_ARGS', platform) ?? '');
  return {
    spec: {
      command: 'bash',
      // `-f` must come first: webui.sh reads it with getopts, which stops at the first other argument.
      args: [
        path.posix.join(dir, 'webui.sh'),
        ...(asRoot ? ['-f'] : []),
        ...ours,
        ...extra.tokens.map((t) => t.value),
      ],
      // webui.sh treats the working folder as the install when it holds .git; elsewhere it would clone a new one.
      cwd: dir,
      env: overlayEnv(
        childEnv(opts.baseEnv),
        [
          ['COMMANDLINE_ARGS', inherited.kept === '' ? null : inherited.kept],
          ['PYTHONUNBUFFERED', '1'],
        ],
        platform,
      ),
      kind: 'child',
    },
    dropped: [...inherited.dropped, ...extra.dropped],
  };
}

export interface ShlexToken {
  value: string;
  raw: string;
}

/** Flags the app's settings decide; `true`: the flag takes a value (`--port 7861` or `--port=7861`). */
const OUR_FLAGS: Record<string, boolean> = {
  '--port': true,
  '--listen': false,
  '--nowebui': false,
  '--server-name': true,
};

/** `args` without our flags: the remaining tokens (their raw text joined, quoting kept) and what was dropped. */
function withoutOurFlags(args: string): { kept: string; tokens: ShlexToken[]; dropped: string[] } {
  const tokens = shlexSplit(args);
  const keep: ShlexToken[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ShlexToken;
    const [flag, inline] = splitOnce(token.value, '=');
    const takesValue = OUR_FLAGS[flag];
    if (takesValue === undefined) {
      keep.push(token);
      continue;
    }
    const next = tokens[i + 1];
    if (takesValue && inline === null && next) {
      dropped.push(`${token.raw} ${next.raw}`);
      i++;
    } else dropped.push(token.raw);
  }
  return { kept: keep.map((t) => t.raw).join(' '), tokens: keep, dropped };
}

function splitOnce(s: string, sep: string): [string, string | null] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + sep.length)];
}

/**
 * Python's `shlex.split` (POSIX mode), which launch.py applies to COMMANDLINE_ARGS: whitespace separates,
 * '…' is literal, "…" lets `\` escape `"` and `\` only, and outside quotes `\` escapes any character
 * (so an unquoted `D:\models` becomes `D:models` — in A1111 too). Each token keeps its raw text.
 */
export function shlexSplit(text: string): ShlexToken[] {
  const tokens: ShlexToken[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    while (i < text.length && !/\s/.test(text[i] as string)) {
      const c = text[i] as string;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        const close = end < 0 ? text.length : end;
        value += text.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
          value += text[i];
          i++;
        }
        i++;
      } else if (c === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    tokens.push({ value, raw: text.slice(start, Math.min(i, text.length)) });
  }
  return tokens;
}
