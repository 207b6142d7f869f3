/**
 * "Make this call fit": the fewest key changes so that nothing in a scenario's chain cuts a call of a
 * target duration, and what no key can change (a plugin's hard-coded `timeout=`, the fixed limits).
 * Pure: the files the changes go to and the services to recreate come from the preview
 * (TimeoutService.previewChanges), which takes `changes` as they are.
 *
 * Rules: a total or watchdog limit must be ≥ the target; a gap limit ≥ the longest silence, which for a
 * plugin that sends nothing until it is done is the whole call; a waiting side ≥ the new value of what
 * it waits for. A key already long enough is left alone, so the set is minimal.
 */
import type { RuleSetId } from './dify-release';
import { getTimeoutKey } from './timeout-catalog';
import { computeTimeoutChain, type ChainInput, type ChainLink, type CodeLocation } from './timeout-chain';
import type { ChainScenario, LinkCondition, LinkEffect } from './timeout-scenarios';

export interface FitInput extends ChainInput {
  targetSeconds: number;
  /** The longest stretch without a byte; default: the whole call (a tool that reports only at the end). */
  silenceSeconds?: number;
}

export interface FitStep {
  key: string;
  /** The value in effect now (null: not set, Dify's default). */
  from: string | null;
  fromSeconds: number | null;
  to: string;
  toSeconds: number;
  /** What it would do to the call if left as it is. */
  effect: LinkEffect;
}

export interface FitBlocker {
  id: string;
  /** plugin: hard-coded in the plugin's code; fixed: in Dify / the daemon / the SDK; unknown: the plugin's code was not read. */
  kind: 'plugin' | 'fixed' | 'unknown' | 'aboveMax';
  seconds: number | null;
  effect: LinkEffect;
  condition: LinkCondition | null;
  at?: CodeLocation;
}

export interface FitResult {
  scenario: ChainScenario;
  targetSeconds: number;
  ruleSet: RuleSetId;
  assumed: boolean;
  /** Key → value to write: what the preview and Apply take. */
  changes: Record<string, string>;
  steps: FitStep[];
  cannotChange: FitBlocker[];
  /** fits: nothing left cuts before the target; blocked: something no key changes does; unknown: the plugin's own limit was not read. */
  verdict: 'fits' | 'blocked' | 'unknown';
}

/** `seconds` written in the key's unit and the style Dify's files use for it. */
export function formatForKey(key: string, seconds: number): string {
  const info = getTimeoutKey(key);
  const s = Math.ceil(seconds);
  if (!info) return String(s);
  switch (info.unit) {
    case 'ms':
      return String(s * 1000);
    case 'min':
      return String(Math.ceil(seconds / 60));
    case 'nginx':
      return `${s}s`;
    default:
      // Python floats are written as Dify's .env writes them (`600.0`); integers without a point.
      return info.kind === 'float' && info.defaultValue.includes('.') ? `${s}.0` : String(s);
  }
}

function secondsOfWritten(key: string, seconds: number): number {
  const info = getTimeoutKey(key);
  if (info?.unit === 'min') return Math.ceil(seconds / 60) * 60;
  return Math.ceil(seconds);
}

export function fitChain(scenario: ChainScenario, input: FitInput): FitResult {
  const chain = computeTimeoutChain(scenario, input);
  const target = input.targetSeconds;
  const silence = Math.min(input.silenceSeconds ?? target, target);
  const newSeconds = new Map<string, number>();
  const steps: FitStep[] = [];
  const cannotChange: FitBlocker[] = [];
  const secondsNow = (l: ChainLink) => newSeconds.get(l.id) ?? l.seconds;

  for (const link of chain.links) {
    let need = link.measure === 'gap' ? silence : target;
    if (link.guards) {
      const guarded = chain.links.find((l) => l.id === link.guards);
      const guardedSeconds = guarded ? secondsNow(guarded) : null;
      if (guardedSeconds !== null) need = Math.max(need, guardedSeconds);
    }
    if (link.kind !== 'env') {
      const short = link.seconds === null || link.seconds < need;
      if (!short) continue;
      cannotChange.push({
        id: link.id,
        kind: link.kind === 'plugin' ? (link.seconds === null ? 'unknown' : 'plugin') : 'fixed',
        seconds: link.seconds,
        effect: link.effect,
        condition: link.condition,
        ...(link.at ? { at: link.at } : {}),
      });
      continue;
    }
    if (link.seconds !== null && link.seconds >= need) continue;
    const info = getTimeoutKey(link.id);
    const to = formatForKey(link.id, need);
    const toSeconds = secondsOfWritten(link.id, need);
    if (
      info &&
      toSeconds > (info.unit === 'ms' ? info.max / 1000 : info.unit === 'min' ? info.max * 60 : info.max)
    ) {
      cannotChange.push({
        id: link.id,
        kind: 'aboveMax',
        seconds: link.seconds,
        effect: link.effect,
        condition: null,
      });
      continue;
    }
    newSeconds.set(link.id, toSeconds);
    steps.push({
      key: link.id,
      from: link.raw,
      fromSeconds: link.seconds,
      to,
      toSeconds,
      effect: link.effect,
    });
  }

  // Code-dependent limits (heartbeat, calls back) are listed but decide nothing for a plain long call.
  const hard = cannotChange.filter((b) => b.condition === null);
  const verdict = hard.some((b) => b.kind !== 'unknown') ? 'blocked' : hard.length > 0 ? 'unknown' : 'fits';
  return {
    scenario,
    targetSeconds: target,
    ruleSet: chain.ruleSet,
    assumed: chain.assumed,
    changes: Object.fromEntries(steps.map((s) => [s.key, s.to])),
    steps,
    cannotChange,
    verdict,
  };
}

/** `90s`, `30m`, `3h`, `1h30m`, or plain seconds → seconds; null when not a duration. */
export function parseTargetDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) > 0 ? Number(t) : null;
  if (!/^(?:\d+(?:\.\d+)?[hms])+$/.test(t)) return null;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([hms])/g))
    total += Number(m[1]) * (units[m[2] as string] as number);
  return total > 0 ? total : null;
}
