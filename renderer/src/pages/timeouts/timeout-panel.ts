/**
 * Pure helpers of the timeout panel: which drafts are real changes, what a preset changes, and the
 * values the chain is computed from.
 */
import type { InvokeOutput } from '../../../../electron/contract';
import type { TimeoutKeyView, TimeoutsView } from '../../../../electron/env/contract';

export type PluginLimits = InvokeOutput<'plugins:timeouts'>[number];

/**
 * A plugin's own limits for the chain: its MAX_REQUEST_TIMEOUT, and the longest `timeout=` in its tool
 * code (files under tools/ when there are any): the long call is cut by its own timeout, while the
 * shorter ones belong to other calls (e.g. the provider's 10-second credential check).
 */
export function pluginChainInput(p: PluginLimits): {
  maxRequestTimeout: number | null;
  toolHttpTimeout: number | null;
} {
  const inTools = p.httpTimeouts.filter((t) => /(^|[\\/])tools[\\/]/.test(t.file));
  const http = (inTools.length > 0 ? inTools : p.httpTimeouts)
    .map((t) => t.seconds)
    .filter((s): s is number => s !== null && s > 0);
  const max = p.maxRequestTimeout.seconds;
  return {
    maxRequestTimeout: max !== null && max > 0 ? max : null,
    toolHttpTimeout: http.length > 0 ? Math.max(...http) : null,
  };
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
