/**
 * The "Ollama & AUTOMATIC1111" settings as the form holds them (text as typed), what is wrong with
 * them before anything is saved, and the settings patch they become. Pure: unit tested.
 */
import type { ComponentId, InvokeInput, SettingsView } from '../../../../electron/contract';
import { STACK_ORDER } from '../../lib/processes';
import { checkDifyUrl } from './dify-url';

type Settings = SettingsView['settings'];
type SettingsPatch = InvokeInput<'settings:update'>;

export interface ProcessForm {
  ollamaPath: string;
  ollamaHost: string;
  /** `NAME=value` lines. */
  ollamaEnv: string;
  a1111Dir: string;
  /** As typed; a number only once it is one. */
  a1111Port: string;
  a1111Args: string;
  a1111Listen: boolean;
  stackComponents: ComponentId[];
  autoRestart: boolean;
  ollamaUrlFromDify: string;
  a1111UrlFromDify: string;
}

export function processFormOf(settings: Settings): ProcessForm {
  return {
    ollamaPath: settings.ollamaPath,
    ollamaHost: settings.ollamaHost,
    ollamaEnv: formatEnvLines(settings.ollamaEnv),
    a1111Dir: settings.a1111Dir,
    a1111Port: String(settings.a1111Port),
    a1111Args: settings.a1111Args,
    a1111Listen: settings.a1111Listen,
    stackComponents: [...settings.stackComponents],
    autoRestart: settings.autoRestart,
    ollamaUrlFromDify: settings.ollamaUrlFromDify,
    a1111UrlFromDify: settings.a1111UrlFromDify,
  };
}

export function sameProcessForm(a: ProcessForm, b: ProcessForm): boolean {
  return (Object.keys(a) as Array<keyof ProcessForm>).every((k) =>
    Array.isArray(a[k]) ? JSON.stringify(a[k]) === JSON.stringify(b[k]) : a[k] === b[k],
  );
}

export function formatEnvLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

/** The settings schema's rule for a variable name (electron/settings/schema.ts). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_MAX = 128;
const ENV_VALUE_MAX = 4096;

export type EnvLineProblem = 'noEquals' | 'badName' | 'duplicate' | 'tooLong';

export interface EnvParse {
  env: Record<string, string>;
  /** The first problem found, with its 1-based line number. */
  problem: { line: number; kind: EnvLineProblem; name?: string } | null;
}

/**
 * `NAME=value` lines → environment. Blank lines are skipped; the value is everything after the first
 * `=`, kept as typed (Ollama strips quotes itself, facts.md). A name given twice is refused rather than
 * silently keeping one of them.
 */
export function parseEnvLines(text: string): EnvParse {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    const where = index + 1;
    if (at === -1) return { env, problem: { line: where, kind: 'noEquals' } };
    const name = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (!ENV_NAME.test(name)) return { env, problem: { line: where, kind: 'badName', name } };
    if (name.length > ENV_NAME_MAX || value.length > ENV_VALUE_MAX)
      return { env, problem: { line: where, kind: 'tooLong', name } };
    if (Object.hasOwn(env, name)) return { env, problem: { line: where, kind: 'duplicate', name } };
    env[name] = value;
  }
  return { env, problem: null };
}

/** A port as typed: the number, or null when it is not a whole number in 1–65535. */
export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

/** Why a "URL Dify uses" is not usable; empty is fine (the default is used). */
export function checkOptionalUrl(text: string): 'invalid' | 'protocol' | null {
  const problem = text.trim() === '' ? null : checkDifyUrl(text);
  return problem === 'empty' ? null : problem;
}

/**
 * Notes on an OLLAMA_HOST value (facts.md, Ollama section): 'everyInterface' — 0.0.0.0 or :: makes
 * Ollama reachable from the network; 'port80' — `http://host` without a port binds port 80, not 11434;
 * 'spaces' — not a host at all.
 */
export function ollamaHostNotes(text: string): Array<'everyInterface' | 'port80' | 'spaces'> {
  const value = text.trim();
  if (value === '') return [];
  if (/\s/.test(value)) return ['spaces'];
  const notes: Array<'everyInterface' | 'port80'> = [];
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  const rest = scheme ? value.slice(scheme[0].length) : value;
  const host = rest.replace(/\/.*$/, '');
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  if (hostname === '0.0.0.0' || hostname === '::') notes.push('everyInterface');
  const hasPort = host.startsWith('[') ? /\]:\d+$/.test(host) : /:\d+$/.test(host);
  if (scheme?.[1]?.toLowerCase() === 'http' && !hasPort) notes.push('port80');
  return notes;
}

export interface ProcessFormProblems {
  ollamaEnv: EnvParse['problem'];
  a1111Port: 'invalid' | null;
  ollamaUrlFromDify: 'invalid' | 'protocol' | null;
  a1111UrlFromDify: 'invalid' | 'protocol' | null;
  ollamaHost: 'spaces' | null;
}

/** What keeps the form from being saved, per field (all null: it can be). */
export function processFormProblems(form: ProcessForm): ProcessFormProblems {
  return {
    ollamaEnv: parseEnvLines(form.ollamaEnv).problem,
    a1111Port: parsePort(form.a1111Port) === null ? 'invalid' : null,
    ollamaUrlFromDify: checkOptionalUrl(form.ollamaUrlFromDify),
    a1111UrlFromDify: checkOptionalUrl(form.a1111UrlFromDify),
    ollamaHost: ollamaHostNotes(form.ollamaHost).includes('spaces') ? 'spaces' : null,
  };
}

export function hasProblems(problems: ProcessFormProblems): boolean {
  return Object.values(problems).some((p) => p !== null);
}

/** The settings patch of a form without problems (call `processFormProblems` first). */
export function processPatchOf(form: ProcessForm): SettingsPatch {
  return {
    ollamaPath: form.ollamaPath.trim(),
    ollamaHost: form.ollamaHost.trim(),
    ollamaEnv: parseEnvLines(form.ollamaEnv).env,
    a1111Dir: form.a1111Dir.trim(),
    a1111Port: parsePort(form.a1111Port) ?? 7860,
    a1111Args: form.a1111Args.trim(),
    a1111Listen: form.a1111Listen,
    stackComponents: STACK_ORDER.filter((id) => form.stackComponents.includes(id)),
    autoRestart: form.autoRestart,
    ollamaUrlFromDify: form.ollamaUrlFromDify.trim(),
    a1111UrlFromDify: form.a1111UrlFromDify.trim(),
  };
}

export function toggleComponent(chosen: readonly ComponentId[], id: ComponentId, on: boolean): ComponentId[] {
  const next = new Set(chosen);
  if (on) next.add(id);
  else next.delete(id);
  return STACK_ORDER.filter((c) => next.has(c));
}
