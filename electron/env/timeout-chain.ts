/**
 * The chain of limits a long call passes through, what each does when it fires, and which one ends
 * the call first. Pure and table-driven: the scenarios are in timeout-scenarios.ts, the release rules
 * in dify-release.ts; this file puts the values in effect on the links and judges them.
 *
 * Links with a condition (the daemon's heartbeat kill of a plugin that blocks its event loop, the
 * SDK's limit on a plugin's calls back into Dify) are shown but left out of "which cuts first":
 * whether they fire depends on the plugin's code, not on a duration.
 */
import { rulesFor, type RuleSetId, type TimeoutRules } from './dify-release';
import { getTimeoutKey } from './timeout-catalog';
import {
  scenarioLinks,
  type ChainScenario,
  type LinkCondition,
  type LinkDef,
  type LinkEffect,
  type LinkKind,
  type LinkMeasure,
} from './timeout-scenarios';
import { effectiveSeconds } from './timeout-validation';

export { CHAIN_SCENARIOS, type ChainScenario } from './timeout-scenarios';

/** Where a plugin-code limit was found (file relative to the plugin folder, 1-based line). */
export interface CodeLocation {
  file: string;
  line: number;
  text: string;
}

export interface ChainInput {
  /** Effective values as Compose resolves them for the reading service; absent or empty → default. */
  values: Readonly<Record<string, string | undefined>>;
  /** The tool's own HTTP timeout read from the plugin's code, in seconds, when known. */
  plugin?: { toolHttpTimeout?: number | null; at?: CodeLocation | null };
  /** The release's rule set (dify-release.ts); absent → the newest rules, marked assumed. */
  release?: { ruleSet: RuleSetId; assumed: boolean };
}

export type ChainLinkSource = 'value' | 'default' | 'invalid' | 'plugin' | 'unknown' | 'fixed';

export interface ChainLink {
  id: string;
  kind: LinkKind;
  /** The duration, or null when unknown or invalid (then it is left out of the minimum). */
  seconds: number | null;
  /** The value as given (env links). */
  raw: string | null;
  source: ChainLinkSource;
  /** i18n key of the link's name. */
  titleKey: string;
  /** Documented readers (env links). */
  services: string[];
  measure: LinkMeasure;
  effect: LinkEffect;
  /** Outside work (A1111 generating, the remote server) keeps running after the link fires. */
  outsideContinues: boolean | null;
  condition: LinkCondition | null;
  /** Taken into "which cuts first" (links with a code-dependent condition are not). */
  counts: boolean;
  /** This limit is a side waiting for `guards`; it must not be shorter than it. */
  guards?: string;
  /** Plugin links: where the limit is written. */
  at?: CodeLocation;
}

export interface ChainMessage {
  code: 'cutFirst' | 'guardBelow' | 'invalidValue' | 'pluginLimitsUnknown';
  /** The link the message is about. */
  link: string;
  messageKey: string;
  params: Record<string, string | number>;
}

export interface ChainResult {
  scenario: ChainScenario;
  ruleSet: RuleSetId;
  /** The release was not known: the newest rules were assumed. */
  assumed: boolean;
  links: ChainLink[];
  /** The first limit to fire and every link that fires then (chain order). */
  effective: { seconds: number; by: string[] } | null;
  warnings: ChainMessage[];
  notes: ChainMessage[];
}

/** Conditions that depend on what the plugin's code does, not on how long the call takes. */
const CODE_CONDITIONS: ReadonlySet<LinkCondition> = new Set(['blocksEventLoop', 'callsBackIntoDify']);

function titleKeyOf(def: LinkDef): string {
  return def.kind === 'env' ? `timeouts.keys.${def.id}.title` : `timeouts.chain.links.${def.id}`;
}

/** The release's default where it differs from the catalog's (PLUGIN_DAEMON_TIMEOUT ≤ 1.11.1). */
export function releaseDefaultSeconds(key: string, rules: TimeoutRules): number | null {
  if (key === 'PLUGIN_DAEMON_TIMEOUT') return rules.pluginDaemonTimeoutDefault;
  return effectiveSeconds(key, undefined);
}

function buildLink(def: LinkDef, input: ChainInput, rules: TimeoutRules): ChainLink {
  const base = {
    id: def.id,
    kind: def.kind,
    titleKey: titleKeyOf(def),
    measure: def.measure,
    effect: def.effect,
    outsideContinues: def.outsideContinues,
    condition: def.condition ?? null,
    counts: !def.condition || !CODE_CONDITIONS.has(def.condition),
    ...(def.guards ? { guards: def.guards } : {}),
  };
  if (def.kind === 'fixed') {
    return { ...base, seconds: def.fixedSeconds ?? null, raw: null, source: 'fixed', services: [] };
  }
  if (def.kind === 'plugin') {
    const given = input.plugin?.toolHttpTimeout;
    const known = typeof given === 'number' && Number.isFinite(given) && given > 0;
    const at = input.plugin?.at;
    return {
      ...base,
      seconds: known ? given : null,
      raw: null,
      source: known ? 'plugin' : 'unknown',
      services: [],
      ...(known && at ? { at } : {}),
    };
  }
  const info = getTimeoutKey(def.id);
  const raw = input.values[def.id];
  const isDefault = raw === undefined || raw.trim() === '';
  const seconds = isDefault ? releaseDefaultSeconds(def.id, rules) : effectiveSeconds(def.id, raw);
  return {
    ...base,
    seconds,
    raw: raw ?? null,
    source: seconds === null ? 'invalid' : isDefault ? 'default' : 'value',
    services: info ? info.consumers.map((c) => c.service) : [],
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function computeTimeoutChain(scenario: ChainScenario, input: ChainInput): ChainResult {
  const ruleSet = input.release?.ruleSet ?? 'newest';
  const assumed = input.release?.assumed ?? true;
  const rules = rulesFor(ruleSet);
  const links = scenarioLinks(scenario, rules).map((def) => buildLink(def, input, rules));
  const known = links.filter((l): l is ChainLink & { seconds: number } => l.seconds !== null && l.counts);

  const min = known.length > 0 ? Math.min(...known.map((l) => l.seconds)) : null;
  const effective =
    min === null
      ? null
      : { seconds: round(min), by: known.filter((l) => l.seconds === min).map((l) => l.id) };

  const warnings: ChainMessage[] = [];
  for (const link of links) {
    if (link.source === 'invalid') {
      warnings.push({
        code: 'invalidValue',
        link: link.id,
        messageKey: 'timeouts.chain.warnings.invalidValue',
        params: { key: link.id, value: link.raw ?? '' },
      });
    }
  }
  for (const link of links) {
    if (link.kind !== 'env' || link.seconds === null) continue;
    if (link.guards) {
      const guarded = links.find((l) => l.id === link.guards);
      if (guarded?.seconds != null && link.seconds < guarded.seconds) {
        warnings.push({
          code: 'guardBelow',
          link: link.id,
          messageKey: 'timeouts.chain.warnings.guardBelow',
          params: {
            key: link.id,
            value: round(link.seconds),
            guarded: guarded.id,
            limit: round(guarded.seconds),
          },
        });
      }
      // A waiting side is meant to be longer than what it waits for: being longer is not pointless.
      continue;
    }
    const defaultSeconds = releaseDefaultSeconds(link.id, rules);
    if (defaultSeconds === null || link.seconds <= defaultSeconds) continue;
    const others = known.filter((l) => l.id !== link.id);
    if (others.length === 0) continue;
    const limit = Math.min(...others.map((l) => l.seconds));
    if (link.seconds <= limit) continue;
    const cutBy = others.find((l) => l.seconds === limit) as ChainLink;
    warnings.push({
      code: 'cutFirst',
      link: link.id,
      messageKey: 'timeouts.chain.warnings.cutFirst',
      params: { key: link.id, value: round(link.seconds), cutBy: cutBy.id, limit: round(limit) },
    });
  }

  const notes: ChainMessage[] = [];
  const unknownPlugin = links.find((l) => l.source === 'unknown');
  if (unknownPlugin) {
    notes.push({
      code: 'pluginLimitsUnknown',
      link: unknownPlugin.id,
      messageKey: 'timeouts.chain.notes.pluginLimitsUnknown',
      params: {},
    });
  }
  return { scenario, ruleSet, assumed, links, effective, warnings, notes };
}
