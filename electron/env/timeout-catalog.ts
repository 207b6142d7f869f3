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
 * Checking a value against them is timeout-validation.ts's job; named sets of values are in
 * timeout-presets.ts.
 */

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
  // A wall-clock watchdog on the app's queue: every app up to 1.16.0, chat/completion/agent only after
  // Dify #39602 (facts.md); workflows then rely on WORKFLOW_MAX_EXECUTION_TIME (dify-release.ts).
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
  // The longest gap between bytes of the daemon's stream, not a total; streamed runs execute in the
  // worker since 1.13, so both read it. Default 300 and absent from .env up to 1.11.1 (dify-release.ts).
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
  // gevent workers: a worker heartbeat timeout, not a request limit — it cuts no long answer, so it is
  // in no chain (timeout-scenarios.ts).
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
