/**
 * The scenarios of the timeout chain as tables: for each, the limits a long call passes through,
 * innermost first, with what happens when each fires. Checked against the source of Dify, the plugin
 * daemon (0.6.x), the python SDK and the sandbox (facts.md, "Timeout keys"):
 *  - MAX_REQUEST_TIMEOUT (a plugin's main.py) is not here: it limits only the serverless runtime and the
 *    OpenAI-compatible LLM read timeout, not a local or remote-debug tool call;
 *  - GUNICORN_TIMEOUT is not here: gevent workers, a heartbeat timeout that cuts no request;
 *  - NGINX_PROXY_READ_TIMEOUT only in the blocking call: streams send a ping every 10 s;
 *  - PLUGIN_DAEMON_TIMEOUT and the read timeouts are gaps between received bytes, not totals: a plugin
 *    that sends nothing until it is done makes the gap its whole duration.
 */
import type { TimeoutRules } from './dify-release';

/** The contract's `timeouts:fit` takes the same list (z.enum). */
export const CHAIN_SCENARIOS = [
  'workflow-plugin',
  'webapp-workflow-plugin',
  'chat-plugin',
  'blocking-api',
  'http-node',
  'code-node',
] as const;

export type ChainScenario = (typeof CHAIN_SCENARIOS)[number];

export function isChainScenario(text: string): text is ChainScenario {
  return (CHAIN_SCENARIOS as readonly string[]).includes(text);
}

/** `env`: a key of Dify's files; `fixed`: no key changes it; `plugin`: written in the plugin's code. */
export type LinkKind = 'env' | 'fixed' | 'plugin';

/**
 * total: wall-clock from the start of the call; gap: the longest silence between received bytes;
 * nodeEnd / beforeNode: compared with the run's elapsed time when a node finishes / before the next
 * starts (the node itself runs on); watchdog: a wall-clock check on the run while it is in flight.
 */
export type LinkMeasure = 'total' | 'gap' | 'nodeEnd' | 'beforeNode' | 'watchdog';

export type LinkEffect =
  /** The node fails with a timeout error. */
  | 'nodeFails'
  /** The daemon kills the plugin invocation; the node fails. */
  | 'pluginKilled'
  /** The run is stopped in flight. */
  | 'runStopped'
  /** The node runs to its end, then the run is aborted and the node's result thrown away. */
  | 'runAbortedAtNodeEnd'
  /** The node runs to its end; the next node does not start, and the run is aborted. */
  | 'runAbortedBeforeNextNode'
  /** The published web app stops waiting ("responding" ends) while the run goes on. */
  | 'uiStopsWaiting'
  /** The client gets an error from nginx (504) while the run goes on. */
  | 'clientGetsError'
  /** One call of the plugin back into Dify (e.g. an LLM) fails; the tool decides what follows. */
  | 'callBackFails';

/** When a link applies at all. */
export type LinkCondition =
  /** The plugin blocks its event loop (a synchronous call), so the SDK's 10-s heartbeat stops. */
  | 'blocksEventLoop'
  /** The tool calls back into Dify (an LLM, another tool) and that one call takes long. */
  | 'callsBackIntoDify'
  /** The HTTP Request node sets no timeout of its own. */
  | 'nodeSetsNoTimeout';

export interface LinkDef {
  id: string;
  kind: LinkKind;
  measure: LinkMeasure;
  effect: LinkEffect;
  /** Outside work (A1111 generating, the remote server) keeps running; null: there is none. */
  outsideContinues: boolean | null;
  condition?: LinkCondition;
  /** A side waiting for this link; it must not be shorter. */
  guards?: string;
  fixedSeconds?: number;
}

/** The daemon kills a plugin that sent no heartbeat for this long (fixed in the daemon). */
export const DAEMON_HEARTBEAT_SECONDS = 120;
/** The SDK's MAX_INVOCATION_TIMEOUT on one call of a plugin back into Dify. */
export const SDK_BACKWARDS_INVOCATION_SECONDS = 250;

function pluginCall(): LinkDef[] {
  return [
    {
      id: 'PLUGIN_TOOL_HTTP_TIMEOUT',
      kind: 'plugin',
      measure: 'total',
      effect: 'nodeFails',
      outsideContinues: true,
    },
    {
      id: 'DAEMON_HEARTBEAT',
      kind: 'fixed',
      measure: 'gap',
      effect: 'pluginKilled',
      outsideContinues: true,
      condition: 'blocksEventLoop',
      fixedSeconds: DAEMON_HEARTBEAT_SECONDS,
    },
    {
      id: 'SDK_BACKWARDS_INVOCATION',
      kind: 'fixed',
      measure: 'total',
      effect: 'callBackFails',
      outsideContinues: null,
      condition: 'callsBackIntoDify',
      fixedSeconds: SDK_BACKWARDS_INVOCATION_SECONDS,
    },
    // The daemon ends the invocation ("killed by timeout"); the plugin process itself keeps running.
    {
      id: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
      kind: 'env',
      measure: 'total',
      effect: 'pluginKilled',
      outsideContinues: true,
    },
    {
      id: 'PLUGIN_DAEMON_TIMEOUT',
      kind: 'env',
      measure: 'gap',
      effect: 'nodeFails',
      outsideContinues: true,
      guards: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
    },
  ];
}

/** The limits on a workflow run (workflow and advanced-chat apps), by release. */
function workflowRun(rules: TimeoutRules): LinkDef[] {
  const out: LinkDef[] = [];
  if (rules.appMaxWatchdog === 'allApps') {
    out.push({
      id: 'APP_MAX_EXECUTION_TIME',
      kind: 'env',
      measure: 'watchdog',
      effect: 'runStopped',
      outsideContinues: true,
    });
  }
  out.push(
    rules.workflowMaxWatchdog
      ? {
          id: 'WORKFLOW_MAX_EXECUTION_TIME',
          kind: 'env',
          measure: 'watchdog',
          effect: 'runStopped',
          outsideContinues: true,
        }
      : {
          id: 'WORKFLOW_MAX_EXECUTION_TIME',
          kind: 'env',
          measure: rules.workflowMaxCheck,
          effect:
            rules.workflowMaxCheck === 'beforeNode' ? 'runAbortedBeforeNextNode' : 'runAbortedAtNodeEnd',
          outsideContinues: true,
        },
  );
  return out;
}

const TEXT_GENERATION: LinkDef = {
  id: 'TEXT_GENERATION_TIMEOUT_MS',
  kind: 'env',
  measure: 'total',
  effect: 'uiStopsWaiting',
  outsideContinues: true,
};

/** Every scenario's links, innermost first, under the release's rules. */
export function scenarioLinks(scenario: ChainScenario, rules: TimeoutRules): LinkDef[] {
  switch (scenario) {
    case 'workflow-plugin':
      return [...pluginCall(), ...workflowRun(rules)];
    case 'webapp-workflow-plugin':
      return [...pluginCall(), ...workflowRun(rules), TEXT_GENERATION];
    case 'chat-plugin':
      // An agent chat: APP_MAX_EXECUTION_TIME watches chat apps in every release; no workflow limit.
      return [
        ...pluginCall(),
        {
          id: 'APP_MAX_EXECUTION_TIME',
          kind: 'env',
          measure: 'watchdog',
          effect: 'runStopped',
          outsideContinues: true,
        },
      ];
    case 'blocking-api':
      // Nothing is sent until the end, so nginx's read timeout sees the whole call as one gap.
      return [
        ...pluginCall(),
        ...workflowRun(rules),
        {
          id: 'NGINX_PROXY_READ_TIMEOUT',
          kind: 'env',
          measure: 'gap',
          effect: 'clientGetsError',
          outsideContinues: true,
        },
      ];
    case 'http-node':
      return [
        {
          id: 'HTTP_REQUEST_MAX_READ_TIMEOUT',
          kind: 'env',
          measure: 'gap',
          effect: 'nodeFails',
          outsideContinues: true,
          condition: 'nodeSetsNoTimeout',
        },
        ...workflowRun(rules),
      ];
    case 'code-node':
      return [
        // A non-integer becomes 0 in the sandbox, which then falls back to 5 s (catalog: integer only).
        {
          id: 'SANDBOX_WORKER_TIMEOUT',
          kind: 'env',
          measure: 'total',
          effect: 'nodeFails',
          outsideContinues: null,
        },
        {
          id: 'CODE_EXECUTION_READ_TIMEOUT',
          kind: 'env',
          measure: 'gap',
          effect: 'nodeFails',
          outsideContinues: null,
          guards: 'SANDBOX_WORKER_TIMEOUT',
        },
        ...workflowRun(rules),
      ];
  }
}
