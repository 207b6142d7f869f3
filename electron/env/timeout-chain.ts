/**
 * The chain of limits a long call passes through, and which one really ends it. Pure.
 *
 * From facts.md: a plugin tool call inside a workflow is cut by the smallest of the plugin's own HTTP
 * timeout, its MAX_REQUEST_TIMEOUT, PLUGIN_MAX_EXECUTION_TIMEOUT (daemon), PLUGIN_DAEMON_TIMEOUT
 * (api/worker waiting for the daemon) and WORKFLOW_MAX_EXECUTION_TIME; answers streamed to a browser
 * also by GUNICORN_TIMEOUT and NGINX_PROXY_READ_TIMEOUT. Added from Dify's source: APP_MAX_EXECUTION_TIME,
 * after which AppQueueManager stops listening to a run delivered to a client and aborts it.
 *
 * Warnings are for values that cannot matter: a limit raised above Dify's default while a smaller
 * limit elsewhere in the chain ends the call first ("you raised X, but Y cuts at …"), and a waiting
 * side shorter than what it waits for (PLUGIN_DAEMON_TIMEOUT < PLUGIN_MAX_EXECUTION_TIMEOUT).
 */
import { getTimeoutKey } from './timeout-catalog';
import { effectiveSeconds } from './timeout-validation';

export type ChainScenario = 'workflowPluginTool' | 'streamedChat' | 'codeNode' | 'apiTool';

export const CHAIN_SCENARIOS: readonly ChainScenario[] = [
  'workflowPluginTool',
  'streamedChat',
  'codeNode',
  'apiTool',
];

/** Limits set in the plugin's own code, not in Dify's files. */
export type PluginLimitId = 'PLUGIN_TOOL_HTTP_TIMEOUT' | 'PLUGIN_MAX_REQUEST_TIMEOUT';

interface LinkDef {
  id: string;
  kind: 'env' | 'plugin';
  /** This limit is a side waiting for `guards`; it must not be shorter than it. */
  guards?: string;
}

const PLUGIN_CALL: readonly LinkDef[] = [
  { id: 'PLUGIN_TOOL_HTTP_TIMEOUT', kind: 'plugin' },
  { id: 'PLUGIN_MAX_REQUEST_TIMEOUT', kind: 'plugin' },
  { id: 'PLUGIN_MAX_EXECUTION_TIMEOUT', kind: 'env' },
  { id: 'PLUGIN_DAEMON_TIMEOUT', kind: 'env', guards: 'PLUGIN_MAX_EXECUTION_TIMEOUT' },
];
const RUN: readonly LinkDef[] = [
  { id: 'WORKFLOW_MAX_EXECUTION_TIME', kind: 'env' },
  { id: 'APP_MAX_EXECUTION_TIME', kind: 'env' },
];

/** Innermost first: the order in which a call passes the limits on its way out. */
const SCENARIOS: Record<ChainScenario, readonly LinkDef[]> = {
  workflowPluginTool: [...PLUGIN_CALL, ...RUN],
  streamedChat: [
    ...PLUGIN_CALL,
    ...RUN,
    { id: 'GUNICORN_TIMEOUT', kind: 'env' },
    { id: 'NGINX_PROXY_READ_TIMEOUT', kind: 'env' },
  ],
  codeNode: [
    { id: 'SANDBOX_WORKER_TIMEOUT', kind: 'env' },
    { id: 'CODE_EXECUTION_READ_TIMEOUT', kind: 'env', guards: 'SANDBOX_WORKER_TIMEOUT' },
    ...RUN,
  ],
  apiTool: [{ id: 'API_TOOL_DEFAULT_READ_TIMEOUT', kind: 'env' }, ...RUN],
};

const PLUGIN_INPUT: Record<PluginLimitId, 'toolHttpTimeout' | 'maxRequestTimeout'> = {
  PLUGIN_TOOL_HTTP_TIMEOUT: 'toolHttpTimeout',
  PLUGIN_MAX_REQUEST_TIMEOUT: 'maxRequestTimeout',
};

export interface ChainInput {
  /** Effective values as Compose resolves them for the reading service; absent or empty → default. */
  values: Readonly<Record<string, string | undefined>>;
  /** Limits read from the plugin's code, in seconds, when known. */
  plugin?: { maxRequestTimeout?: number | null; toolHttpTimeout?: number | null };
}

export type ChainLinkSource = 'value' | 'default' | 'invalid' | 'plugin' | 'unknown';

export interface ChainLink {
  id: string;
  kind: 'env' | 'plugin';
  /** The duration, or null when unknown or invalid (then it is left out of the minimum). */
  seconds: number | null;
  /** The value as given (env links). */
  raw: string | null;
  source: ChainLinkSource;
  /** i18n key of the link's name. */
  titleKey: string;
  /** Documented readers (env links). */
  services: string[];
  guards?: string;
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
  links: ChainLink[];
  /** The smallest known limit and every link that sets it (innermost first). */
  effective: { seconds: number; by: string[] } | null;
  warnings: ChainMessage[];
  notes: ChainMessage[];
}

function linkTitleKey(def: LinkDef): string {
  return def.kind === 'plugin' ? `timeouts.chain.links.${def.id}` : `timeouts.keys.${def.id}.title`;
}

function buildLink(def: LinkDef, input: ChainInput): ChainLink {
  const base = {
    id: def.id,
    kind: def.kind,
    titleKey: linkTitleKey(def),
    ...(def.guards ? { guards: def.guards } : {}),
  };
  if (def.kind === 'plugin') {
    const given = input.plugin?.[PLUGIN_INPUT[def.id as PluginLimitId]];
    const known = typeof given === 'number' && Number.isFinite(given) && given > 0;
    return {
      ...base,
      seconds: known ? given : null,
      raw: null,
      source: known ? 'plugin' : 'unknown',
      services: [],
    };
  }
  const info = getTimeoutKey(def.id);
  const raw = input.values[def.id];
  const isDefault = raw === undefined || raw.trim() === '';
  const seconds = effectiveSeconds(def.id, raw);
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
  const defs = SCENARIOS[scenario];
  const links = defs.map((def) => buildLink(def, input));
  const known = links.filter((l): l is ChainLink & { seconds: number } => l.seconds !== null);

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
    const defaultSeconds = effectiveSeconds(link.id, undefined);
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
  const unknownPlugin = links.filter((l) => l.source === 'unknown');
  if (unknownPlugin.length > 0) {
    notes.push({
      code: 'pluginLimitsUnknown',
      link: (unknownPlugin[0] as ChainLink).id,
      messageKey: 'timeouts.chain.notes.pluginLimitsUnknown',
      params: {},
    });
  }
  return { scenario, links, effective, warnings, notes };
}
