import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import { checkPluginFolder } from './manifest';
import { listPackageFiles } from './packager';

/**
 * The plugin's own limits (facts.md): literal `timeout=` values in its code, e.g. the official Stable
 * Diffusion plugin's `requests.post(..., timeout=120)` — that one cuts a tool call — with file and line,
 * so the user knows where to change it. `DifyPluginEnv(MAX_REQUEST_TIMEOUT=…)` in main.py (SDK default
 * 300 s) is read too, as information only: in the SDK it limits the serverless runtime and the
 * OpenAI-compatible LLM read timeout, not a local or remote-debug tool call, so it is no link of a
 * tool call's chain (`toolCallTimeout` leaves it out).
 * Read-only and best effort: Python is not executed, so only literal numbers are found; a `timeout=`
 * given by a variable is reported without a value. The parsers are pure (text in, findings out);
 * `readPluginTimeouts` only adds the file walk.
 */

/** dify_plugin's DifyPluginEnv default for MAX_REQUEST_TIMEOUT. */
export const SDK_DEFAULT_MAX_REQUEST_TIMEOUT = 300;

export interface TimeoutFinding {
  /** Seconds; null when the value is not a literal number (a variable, an expression). */
  seconds: number | null;
  /** Relative to the plugin folder, forward slashes. */
  file: string;
  line: number;
  /** The source line, trimmed (shown so the user recognises the call). */
  text: string;
}

export interface PluginTimeouts {
  dir: string;
  pluginId: string | null;
  /** From main.py, or the SDK default (file '' and line 0) when main.py does not set it. */
  maxRequestTimeout: TimeoutFinding & { isDefault: boolean };
  /** Literal `timeout=` arguments in the packaged *.py files, in file then line order. */
  httpTimeouts: TimeoutFinding[];
  /** Set when the folder could not be read at all. */
  error: ErrorInfo | null;
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const MAX_REQUEST_RE = new RegExp(String.raw`\bMAX_REQUEST_TIMEOUT\b\s*[=:]\s*(?:int\(\s*)?${NUMBER}?`);
/** `timeout=120`, `timeout = 12.5`, `timeout=(10, 600)` (connect, read: the read part limits a long call). */
const TIMEOUT_ARG_RE = /\btimeout\s*=\s*(?!=)/g;

/** Strips a `#` comment that is not inside a string literal. */
export function stripPythonComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** The MAX_REQUEST_TIMEOUT set in main.py's text, or null when it is not set there. */
export function findMaxRequestTimeout(text: string, file = 'main.py'): TimeoutFinding | null {
  const lines = text.split(/\r\n?|\n/);
  for (let i = 0; i < lines.length; i++) {
    const code = stripPythonComment(lines[i] ?? '');
    const m = MAX_REQUEST_RE.exec(code);
    if (!m) continue;
    return { seconds: m[1] !== undefined ? Number(m[1]) : null, file, line: i + 1, text: code.trim() };
  }
  return null;
}

/** Every `timeout=` keyword argument in Python source, with its literal value when there is one. */
export function findTimeoutArguments(text: string, file: string): TimeoutFinding[] {
  const found: TimeoutFinding[] = [];
  const lines = text.split(/\r\n?|\n/);
  for (let i = 0; i < lines.length; i++) {
    const code = stripPythonComment(lines[i] ?? '');
    for (const m of code.matchAll(TIMEOUT_ARG_RE)) {
      const rest = code.slice((m.index ?? 0) + m[0].length);
      found.push({ seconds: literalSeconds(rest), file, line: i + 1, text: code.trim() });
    }
  }
  return found;
}

/** `120` → 120; `(10, 600)` → 600 (the read timeout); `None` → null; anything else → null. */
function literalSeconds(rest: string): number | null {
  const single = new RegExp(String.raw`^${NUMBER}(?![\w.])`).exec(rest);
  if (single) return Number(single[1]);
  const pair = new RegExp(String.raw`^\(\s*${NUMBER}\s*,\s*${NUMBER}\s*\)`).exec(rest);
  if (pair) return Number(pair[2]);
  return null;
}

/**
 * The timeout that cuts the plugin's long tool call: the longest literal `timeout=` in its tool code
 * — files under tools/, else any file but the provider's (its credential check is a short call of its
 * own, e.g. 10 s) — with where it is written. The shorter ones belong to other calls. Null when the
 * code sets none. MAX_REQUEST_TIMEOUT never counts here (see the header).
 */
export function toolCallTimeout(p: Pick<PluginTimeouts, 'httpTimeouts'>): TimeoutFinding | null {
  const known = p.httpTimeouts.filter((t) => t.seconds !== null && t.seconds > 0);
  const inTools = known.filter((t) => /(^|\/)tools\//.test(t.file));
  const candidates = inTools.length > 0 ? inTools : known.filter((t) => !/(^|\/)provider\//.test(t.file));
  let best: TimeoutFinding | null = null;
  for (const t of candidates) if (best === null || (t.seconds as number) > (best.seconds as number)) best = t;
  return best;
}

/** Reads one registered plugin folder. Never throws: an unreadable folder comes back with `error`. */
export async function readPluginTimeouts(dir: string): Promise<PluginTimeouts> {
  const sdkDefault = {
    seconds: SDK_DEFAULT_MAX_REQUEST_TIMEOUT,
    file: '',
    line: 0,
    text: '',
    isDefault: true,
  };
  const result: PluginTimeouts = {
    dir,
    pluginId: null,
    maxRequestTimeout: sdkDefault,
    httpTimeouts: [],
    error: null,
  };
  try {
    const check = await checkPluginFolder(dir);
    result.pluginId = check.manifest?.pluginId ?? null;
    // The packaged files only: what is ignored never runs in Dify.
    const list = await listPackageFiles(dir);
    const pyFiles = list.files.filter((f) => f.rel.endsWith('.py'));
    for (const f of pyFiles) {
      const text = await fs.readFile(f.abs, 'utf8').catch(() => null);
      if (text === null) continue;
      if (f.rel === (check.manifest?.entrypoint ? `${check.manifest.entrypoint}.py` : 'main.py')) {
        const max = findMaxRequestTimeout(text, f.rel);
        if (max) result.maxRequestTimeout = { ...max, isDefault: false };
      }
      result.httpTimeouts.push(...findTimeoutArguments(text, f.rel));
    }
  } catch (e) {
    result.error = toErrorInfo(e);
  }
  return result;
}

export async function readAllPluginTimeouts(dirs: readonly string[]): Promise<PluginTimeouts[]> {
  return Promise.all(dirs.map((d) => readPluginTimeouts(path.resolve(d))));
}
