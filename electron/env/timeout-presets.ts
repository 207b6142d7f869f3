/**
 * Named sets of timeout values the panel offers in one click, each with the reasoning behind every
 * value: a preset must get a whole call chain through (timeout-chain.ts), not one limit.
 */
import { TIMEOUT_CATALOG } from './timeout-catalog';

export type TimeoutPresetId = 'difyDefaults' | 'longImageGeneration';

export interface TimeoutPreset {
  id: TimeoutPresetId;
  titleKey: string;
  descriptionKey: string;
  /** Key → value to write. */
  values: Readonly<Record<string, string>>;
}

const THREE_HOURS = 3 * 3600;
/** Outer "waiting" limits get a minute more than the limit they wait for, so the inner one reports. */
const SLACK = 60;

/**
 * "Long image generation (3 h)": the values the user set by hand (GUNICORN_TIMEOUT 3600,
 * API_TOOL_DEFAULT_READ_TIMEOUT, SANDBOX_WORKER_TIMEOUT and WORKFLOW_MAX_EXECUTION_TIME at 3 h) plus
 * what a 3-hour plugin tool call in a workflow needs to get through every limit of its chain
 * (timeout-chain.ts):
 *  - PLUGIN_MAX_EXECUTION_TIMEOUT 10800: the daemon would end the call after 600 s.
 *  - PLUGIN_DAEMON_TIMEOUT 10860.0: api/worker must wait at least as long as the daemon; a minute
 *    more lets the daemon's own timeout error arrive instead of a bare read timeout.
 *  - APP_MAX_EXECUTION_TIME 10800: Dify stops listening to (and aborts) a run delivered to a client
 *    after this (1200 s by default) — a 3-hour WORKFLOW_MAX_EXECUTION_TIME alone is not enough.
 *  - NGINX_PROXY_READ_TIMEOUT 10860s: a blocking call sends nothing until the end; nginx must not
 *    give up before the workflow does.
 *  - CODE_EXECUTION_READ_TIMEOUT 10860: a 3-hour SANDBOX_WORKER_TIMEOUT is useless while api/worker
 *    stop waiting for the sandbox after 60 s.
 * GUNICORN_TIMEOUT stays at the user's 3600, so answers streamed to a browser are still cut after
 * 1 h (facts.md); the preset's description says so, and the chain view shows it.
 */
export const TIMEOUT_PRESETS: readonly TimeoutPreset[] = [
  {
    id: 'difyDefaults',
    titleKey: 'timeouts.presets.difyDefaults.title',
    descriptionKey: 'timeouts.presets.difyDefaults.description',
    values: Object.fromEntries(
      TIMEOUT_CATALOG.filter((info) => info.location === 'env').map((info) => [info.key, info.defaultValue]),
    ),
  },
  {
    id: 'longImageGeneration',
    titleKey: 'timeouts.presets.longImageGeneration.title',
    descriptionKey: 'timeouts.presets.longImageGeneration.description',
    values: {
      GUNICORN_TIMEOUT: '3600',
      API_TOOL_DEFAULT_READ_TIMEOUT: String(THREE_HOURS),
      SANDBOX_WORKER_TIMEOUT: String(THREE_HOURS),
      WORKFLOW_MAX_EXECUTION_TIME: String(THREE_HOURS),
      APP_MAX_EXECUTION_TIME: String(THREE_HOURS),
      PLUGIN_MAX_EXECUTION_TIMEOUT: String(THREE_HOURS),
      PLUGIN_DAEMON_TIMEOUT: `${THREE_HOURS + SLACK}.0`,
      NGINX_PROXY_READ_TIMEOUT: `${THREE_HOURS + SLACK}s`,
      CODE_EXECUTION_READ_TIMEOUT: String(THREE_HOURS + SLACK),
    },
  },
];

export function getTimeoutPreset(id: TimeoutPresetId): TimeoutPreset {
  return TIMEOUT_PRESETS.find((p) => p.id === id) as TimeoutPreset;
}
