/**
 * Every timeout / time-limit setting of a Dify docker stack, with what the panel needs to explain,
 * validate and preset it. Static knowledge from ../shared/facts.md, checked against Dify's api config
 * (pydantic types), the plugin daemon's config (Go types) and Dify's .env.example.
 *
 * `consumers` are the DOCUMENTED readers: the services whose program reads the value. Which services
 * a value actually reaches in the user's own compose files is computed elsewhere with Compose itself;
 * the two together tell "reaches sandbox, which reads it" from "reaches web, which ignores it".
 *
 * Ranges are sanity bounds, not Dify's own: the reading program's type (positive integer, positive
 * float…) narrowed to durations that make sense (at most 7 days), so a typo like 108000000 is caught.
 */
import { AppError } from '../core/errors';
import { translate } from '../core/i18n';

export type TimeoutGroup = 'workflow' | 'plugins' | 'tools' | 'code' | 'http' | 'web';

export const TIMEOUT_GROUPS: readonly TimeoutGroup[] = [
  'workflow',
  'plugins',
  'tools',
  'code',
  'http',
  'web',
];

/** The unit the number is written in; `nginx` is nginx's time syntax (`3600s`, `60m`, bare = seconds). */
export type TimeoutUnit = 's' | 'ms' | 'min' | 'nginx';

/** How the reading program parses it: Go/pydantic `int` rejects `600.0`, pydantic `float` takes both. */
export type TimeoutValueKind = 'int' | 'float' | 'nginxTime';

/**
 * `env`: Dify's `.env` (Layout A) or one of the `envs/…` files (Layout B) carries it.
 * `override`: not in Dify's files; it works only when passed to the service explicitly
 * (e.g. an `environment:` entry in a compose override file).
 */
export type TimeoutLocation = 'env' | 'override';

export interface TimeoutConsumer {
  service: string;
  /** The variable's name inside the container when compose maps it to another name. */
  as?: string;
}

export interface TimeoutKeyInfo {
  key: string;
  group: TimeoutGroup;
  unit: TimeoutUnit;
  kind: TimeoutValueKind;
  /** Dify's default, written the way .env.example writes it. */
  defaultValue: string;
  /** Bounds in the key's unit (seconds for nginx times). */
  min: number;
  max: number;
  consumers: readonly TimeoutConsumer[];
  location: TimeoutLocation;
  titleKey: string;
  explanationKey: string;
}

const WEEK_S = 7 * 24 * 3600;
const HOUR_S = 3600;

type Spec = Omit<TimeoutKeyInfo, 'key' | 'titleKey' | 'explanationKey' | 'location'> & {
  location?: TimeoutLocation;
};

const API_WORKER: readonly TimeoutConsumer[] = [{ service: 'api' }, { service: 'worker' }];

const SPECS: Record<string, Spec> = {
  // Workflow
  WORKFLOW_MAX_EXECUTION_TIME: {
    group: 'workflow',
    unit: 's',
    kind: 'int',
    defaultValue: '1200',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },
  // AppQueueManager.listen() stops (and aborts) a run delivered to a client after this long; for
  // advanced-chat apps newer Dify uses WORKFLOW_MAX_EXECUTION_TIME there instead.
  APP_MAX_EXECUTION_TIME: {
    group: 'workflow',
    unit: 's',
    kind: 'int',
    defaultValue: '1200',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },

  // Plugins
  PLUGIN_MAX_EXECUTION_TIMEOUT: {
    group: 'plugins',
    unit: 's',
    kind: 'int', // the daemon's envconfig `int`: "600.0" stops it from starting
    defaultValue: '600',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'plugin_daemon' }],
  },
  // facts.md names api; the worker loads the same config class and calls the daemon for workflow
  // runs it executes (triggers, async runs), so it reads the value too.
  PLUGIN_DAEMON_TIMEOUT: {
    group: 'plugins',
    unit: 's',
    kind: 'float',
    defaultValue: '600.0',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },
  PLUGIN_PYTHON_ENV_INIT_TIMEOUT: {
    group: 'plugins',
    unit: 's',
    kind: 'int',
    defaultValue: '120',
    min: 1,
    max: 24 * HOUR_S,
    consumers: [{ service: 'plugin_daemon', as: 'PYTHON_ENV_INIT_TIMEOUT' }],
  },
  PLUGIN_INSTALL_TIMEOUT: {
    group: 'plugins',
    unit: 'min',
    kind: 'int',
    defaultValue: '15',
    min: 1,
    max: 24 * 60,
    consumers: [{ service: 'plugin_daemon' }],
    location: 'override',
  },
  DIFY_BACKWARDS_INVOCATION_READ_TIMEOUT: {
    group: 'plugins',
    unit: 'ms',
    kind: 'int',
    defaultValue: '240000',
    min: 1000,
    max: WEEK_S * 1000,
    consumers: [{ service: 'plugin_daemon' }],
    location: 'override',
  },

  // Custom API tools
  API_TOOL_DEFAULT_CONNECT_TIMEOUT: {
    group: 'tools',
    unit: 's',
    kind: 'int',
    defaultValue: '10',
    min: 1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  API_TOOL_DEFAULT_READ_TIMEOUT: {
    group: 'tools',
    unit: 's',
    kind: 'int',
    defaultValue: '60',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },

  // Code nodes
  CODE_EXECUTION_CONNECT_TIMEOUT: {
    group: 'code',
    unit: 's',
    kind: 'float',
    defaultValue: '10',
    min: 1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  CODE_EXECUTION_READ_TIMEOUT: {
    group: 'code',
    unit: 's',
    kind: 'float',
    defaultValue: '60',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },
  CODE_EXECUTION_WRITE_TIMEOUT: {
    group: 'code',
    unit: 's',
    kind: 'float',
    defaultValue: '10',
    min: 1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  SANDBOX_WORKER_TIMEOUT: {
    group: 'code',
    unit: 's',
    kind: 'int',
    defaultValue: '15',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'sandbox', as: 'WORKER_TIMEOUT' }],
  },

  // HTTP
  HTTP_REQUEST_MAX_CONNECT_TIMEOUT: {
    group: 'http',
    unit: 's',
    kind: 'int',
    defaultValue: '10',
    min: 1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  HTTP_REQUEST_MAX_READ_TIMEOUT: {
    group: 'http',
    unit: 's',
    kind: 'int',
    defaultValue: '600',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },
  HTTP_REQUEST_MAX_WRITE_TIMEOUT: {
    group: 'http',
    unit: 's',
    kind: 'int',
    defaultValue: '600',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },
  SSRF_DEFAULT_TIME_OUT: {
    group: 'http',
    unit: 's',
    kind: 'float',
    defaultValue: '5',
    min: 0.1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  SSRF_DEFAULT_CONNECT_TIME_OUT: {
    group: 'http',
    unit: 's',
    kind: 'float',
    defaultValue: '5',
    min: 0.1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  SSRF_DEFAULT_READ_TIME_OUT: {
    group: 'http',
    unit: 's',
    kind: 'float',
    defaultValue: '5',
    min: 0.1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  SSRF_DEFAULT_WRITE_TIME_OUT: {
    group: 'http',
    unit: 's',
    kind: 'float',
    defaultValue: '5',
    min: 0.1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  ATTACHMENT_IMAGE_DOWNLOAD_TIMEOUT: {
    group: 'http',
    unit: 's',
    kind: 'int',
    defaultValue: '60',
    min: 1,
    max: HOUR_S,
    consumers: API_WORKER,
  },
  // Not a connection timeout: how long signed file URLs stay valid.
  FILES_ACCESS_TIMEOUT: {
    group: 'http',
    unit: 's',
    kind: 'int',
    defaultValue: '300',
    min: 1,
    max: WEEK_S,
    consumers: API_WORKER,
  },

  // Web server & proxy
  GUNICORN_TIMEOUT: {
    group: 'web',
    unit: 's',
    kind: 'int',
    defaultValue: '360',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'api' }],
  },
  // Dify versions with the api_websocket service feed its Gunicorn from this key.
  API_WEBSOCKET_GUNICORN_TIMEOUT: {
    group: 'web',
    unit: 's',
    kind: 'int',
    defaultValue: '360',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'api_websocket', as: 'GUNICORN_TIMEOUT' }],
  },
  NGINX_PROXY_READ_TIMEOUT: {
    group: 'web',
    unit: 'nginx',
    kind: 'nginxTime',
    defaultValue: '3600s',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'nginx' }],
  },
  NGINX_PROXY_SEND_TIMEOUT: {
    group: 'web',
    unit: 'nginx',
    kind: 'nginxTime',
    defaultValue: '3600s',
    min: 1,
    max: WEEK_S,
    consumers: [{ service: 'nginx' }],
  },
  // 0 is valid for nginx: it switches keep-alive off.
  NGINX_KEEPALIVE_TIMEOUT: {
    group: 'web',
    unit: 'nginx',
    kind: 'nginxTime',
    defaultValue: '65',
    min: 0,
    max: HOUR_S,
    consumers: [{ service: 'nginx' }],
  },
  TEXT_GENERATION_TIMEOUT_MS: {
    group: 'web',
    unit: 'ms',
    kind: 'int',
    defaultValue: '60000',
    min: 1000,
    max: WEEK_S * 1000,
    consumers: [{ service: 'web' }],
  },
};

export const TIMEOUT_CATALOG: readonly TimeoutKeyInfo[] = Object.entries(SPECS).map(([key, spec]) => ({
  key,
  ...spec,
  location: spec.location ?? 'env',
  titleKey: `timeouts.keys.${key}.title`,
  explanationKey: `timeouts.keys.${key}.explanation`,
}));

const BY_KEY = new Map(TIMEOUT_CATALOG.map((info) => [info.key, info]));

export function getTimeoutKey(key: string): TimeoutKeyInfo | undefined {
  return BY_KEY.get(key);
}

export function isTimeoutKey(key: string): boolean {
  return BY_KEY.has(key);
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface TranslatedError {
  /** i18n key under `timeouts.validation`. */
  key: string;
  params: Record<string, string | number>;
}

export type TimeoutValidation =
  { ok: true; value: string; seconds: number } | { ok: false; error: TranslatedError };

const NGINX_UNITS: Record<string, number> = {
  y: 365 * 24 * 3600,
  M: 30 * 24 * 3600,
  w: 7 * 24 * 3600,
  d: 24 * 3600,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};
const NGINX_ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];

/**
 * nginx's time syntax (ngx_parse_time): number+unit parts from the largest unit down, each unit at
 * most once, e.g. `1h30m`; a bare number is seconds. Spaces would split nginx's argument in Dify's
 * config template (`proxy_read_timeout ${NGINX_PROXY_READ_TIMEOUT};`), so none are allowed.
 */
export function parseNginxTime(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = /^(?:\d+(?:ms|[yMwdhms]))+$/.test(text) ? text.match(/\d+(?:ms|[yMwdhms])/g) : null;
  if (!parts) return null;
  let seconds = 0;
  let lastRank = -1;
  for (const part of parts) {
    const m = /^(\d+)(ms|[yMwdhms])$/.exec(part) as RegExpExecArray;
    const unit = m[2] as string;
    const rank = NGINX_ORDER.indexOf(unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    seconds += Number(m[1]) * (NGINX_UNITS[unit] as number);
  }
  return seconds;
}

function unitSeconds(unit: TimeoutUnit): number {
  return unit === 'ms' ? 0.001 : unit === 'min' ? 60 : 1;
}

function fail(key: string, params: Record<string, string | number> = {}): TimeoutValidation {
  return { ok: false, error: { key: `timeouts.validation.${key}`, params } };
}

/**
 * Checks a value typed for `key` the way the reading program will parse it, and its range.
 * `value` is the text to write (trimmed); `seconds` the duration it means.
 */
export function validateTimeoutValue(key: string, input: string): TimeoutValidation {
  const info = BY_KEY.get(key);
  if (!info) return fail('unknownKey', { key });
  const text = input.trim();
  if (text === '') return fail('empty');

  let amount: number;
  if (info.kind === 'nginxTime') {
    const seconds = parseNginxTime(text);
    if (seconds === null) return fail('badNginxTime');
    amount = seconds;
  } else if (/^\d+$/.test(text)) {
    amount = Number(text);
  } else if (/^(\d+\.\d*|\.\d+)$/.test(text)) {
    // Python's float() reads "600.0", "600." and ".5"; Go's and pydantic's int read none of them.
    if (info.kind === 'int') return fail('notInteger');
    amount = Number(text);
  } else if (/^-\d+(\.\d*)?$/.test(text)) {
    return fail('belowMin', { min: info.min, unit: info.unit === 'nginx' ? 's' : info.unit });
  } else if (/^\d+(\.\d+)?\s*(ms|s|sec|m|min|h)$/i.test(text)) {
    return fail('noUnit');
  } else {
    return fail('notNumber');
  }

  const unit = info.unit === 'nginx' ? 's' : info.unit;
  if (amount < info.min) return fail('belowMin', { min: info.min, unit });
  if (amount > info.max) return fail('aboveMax', { max: info.max, unit });
  return { ok: true, value: text, seconds: info.unit === 'nginx' ? amount : amount * unitSeconds(info.unit) };
}

/**
 * For callers that must refuse outright (CLI `env set`, Apply): throws ENV_VALUE_INVALID, with the
 * validator's reason in English as detail; returns the text to write.
 */
export function assertValidTimeoutValue(key: string, input: string): string {
  const result = validateTimeoutValue(key, input);
  if (result.ok) return result.value;
  throw new AppError('ENV_VALUE_INVALID', {
    params: { key, value: input },
    detail: translate('en', result.error.key, result.error.params),
  });
}

/** The duration a key's effective value means; empty or absent → Dify's default. Null if invalid. */
export function effectiveSeconds(key: string, value: string | undefined): number | null {
  const info = BY_KEY.get(key);
  if (!info) return null;
  const text = value === undefined || value.trim() === '' ? info.defaultValue : value;
  const result = validateTimeoutValue(key, text);
  return result.ok ? result.seconds : null;
}

// ---------------------------------------------------------------------------------------------
// Presets

export type TimeoutPresetId = 'difyDefaults' | 'longImageGeneration';

export interface TimeoutPreset {
  id: TimeoutPresetId;
  titleKey: string;
  descriptionKey: string;
  /** Key → value to write. */
  values: Readonly<Record<string, string>>;
}

const THREE_HOURS = 3 * HOUR_S;
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
