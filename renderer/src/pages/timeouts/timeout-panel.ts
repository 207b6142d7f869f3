/**
 * Pure helpers of the timeout panel: which drafts are real changes, what a preset changes, and the
 * values the chain is computed from.
 */
import type { InvokeOutput } from '../../../../electron/contract';
import type { TimeoutKeyView, TimeoutsView } from '../../../../electron/env/contract';

export type PluginLimits = InvokeOutput<'plugins:timeouts'>[number];

/**
 * A plugin's own limit for the chain: the longest `timeout=` in its tool code (files under tools/,
 * else any but the provider's, whose credential check is a short call of its own), with where it is
 * written — as plugins/plugin-timeouts.ts's toolCallTimeout picks it. MAX_REQUEST_TIMEOUT is left out:
 * it does not limit a local or remote-debug tool call (facts.md).
 */
export function pluginChainInput(p: PluginLimits): {
  toolHttpTimeout: number | null;
  at: { file: string; line: number; text: string } | null;
} {
  const known = p.httpTimeouts.filter((t) => t.seconds !== null && t.seconds > 0);
  const inTools = known.filter((t) => /(^|[\\/])tools[\\/]/.test(t.file));
  const candidates =
    inTools.length > 0 ? inTools : known.filter((t) => !/(^|[\\/])provider[\\/]/.test(t.file));
  const best = candidates.reduce<(typeof candidates)[number] | null>(
    (a, t) => (a === null || (t.seconds as number) > (a.seconds as number) ? t : a),
    null,
  );
  return {
    toolHttpTimeout: best?.seconds ?? null,
    at: best ? { file: best.file, line: best.line, text: best.text } : null,
  };
}

/** Values typed as a duration for "make this call fit": 90s, 30m, 3h, 1h30m or plain seconds. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) > 0 ? Number(t) : null;
  if (!/^(?:\d+(?:\.\d+)?[hms])+$/.test(t)) return null;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([hms])/g)) total += Number(m[1]) * (units[m[2] as string] ?? 0);
  return total > 0 ? total : null;
}

/** The fit's changes as drafts: only those that differ from what is in effect now. */
export function fitDrafts(
  keys: readonly TimeoutKeyView[],
  changes: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = changes[key.key];
    if (value !== undefined && value !== currentText(key)) out[key.key] = value;
  }
  return out;
}

export type Drafts = Readonly<Record<string, string>>;

/** The value shown as "current": what the readers get, else (not passed) Dify's default. */
export function currentText(key: TimeoutKeyView): string {
  return key.value ?? key.defaultValue;
}

/** Drafts that differ from what is in effect now (trimmed, since that is what gets written). */
export function changedDrafts(keys: readonly TimeoutKeyView[], drafts: Drafts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const draft = drafts[key.key];
    if (draft === undefined) continue;
    if (draft.trim() !== currentText(key)) out[key.key] = draft;
  }
  return out;
}

/** A preset as drafts: only the keys whose value it changes. */
export function presetDrafts(view: TimeoutsView, presetId: string): Record<string, string> {
  const preset = view.presets.find((p) => p.id === presetId);
  if (!preset) return {};
  const out: Record<string, string> = {};
  for (const key of view.keys) {
    const value = preset.values[key.key];
    if (value !== undefined && value !== currentText(key)) out[key.key] = value;
  }
  return out;
}

/** Values for the chain and validation: what is in effect, with the drafts on top. */
export function valuesWithDrafts(keys: readonly TimeoutKeyView[], drafts: Drafts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const draft = drafts[key.key];
    if (draft !== undefined) out[key.key] = draft;
    else if (key.value !== null) out[key.key] = key.value;
  }
  return out;
}

/** "sandbox (WORKER_TIMEOUT)" when a reader gets the value under another name. */
export function readerLabel(key: TimeoutKeyView, service: string): string {
  const name = key.readerNames[service];
  return name && name !== key.key ? `${service} (${name})` : service;
}
