/**
 * Pure: what a request tool printed (inside a Dify container, or our own fetch on the host) → what
 * happened → the likely cause and its fix, as an i18n key under `doctor.causes` and its params.
 * The patterns are the tools' real texts: curl 7.88 (`-v -sS`), GNU Wget 1.21, BusyBox 1.35 wget and
 * Python 3 urllib (our probe script prints `Type: message`); test/unit/processes/doctor-causes.test.ts
 * holds the outputs they were taken from.
 */
import type { ExecResult } from '../docker/container-exec';
import type { SupervisedId } from './contract';

/** How a request is made inside a container; `busybox-wget` takes other flags than GNU wget. */
export type ProbeTool = 'curl' | 'wget' | 'busybox-wget' | 'python3';

export type NetworkFailure =
  | 'resolve'
  | 'unreachable'
  | 'refused'
  | 'reset'
  | 'readTimeout'
  | 'connectTimeout'
  /** Timed out, phase unknown (our own deadline, or a tool that does not say). */
  | 'timeout';

export type Observation =
  | { kind: 'http'; status: number }
  | { kind: 'network'; failure: NetworkFailure }
  /** The executable is not in the container (the engine's own error, exit 126/127). */
  | { kind: 'toolMissing' }
  /** The tool ran but said nothing we understand (crashed, unknown version). */
  | { kind: 'unknown' };

export interface Cause {
  key: string;
  params?: Record<string, string | number>;
}

// Order matters: a read timeout's text contains "Connection timed out" too (GNU wget), and curl's
// "Resolving timed out" is a name-resolution failure, not a connection one.
const FAILURE_PATTERNS: readonly { failure: NetworkFailure; pattern: RegExp }[] = [
  {
    failure: 'resolve',
    pattern:
      /Could not resolve host|Resolving timed out|bad address|unable to resolve host address|Name or service not known|Name does not resolve|Temporary failure in name resolution|No address associated with hostname|nodename nor servname|getaddrinfo|ENOTFOUND|EAI_AGAIN/,
  },
  {
    failure: 'unreachable',
    pattern: /No route to host|Network is unreachable|Host is unreachable|EHOSTUNREACH|ENETUNREACH/,
  },
  { failure: 'refused', pattern: /Connection refused|ECONNREFUSED/ },
  {
    failure: 'reset',
    pattern: /Connection reset by peer|Empty reply from server|RemoteDisconnected|ECONNRESET|UND_ERR_SOCKET/,
  },
  {
    failure: 'readTimeout',
    pattern:
      /Operation timed out after \d+ milliseconds with \d+|Read error \(Connection timed out\)|^(?:TimeoutError|timeout): timed out/m,
  },
  {
    failure: 'connectTimeout',
    pattern: /Connection timed out|urlopen error timed out|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT/,
  },
  { failure: 'timeout', pattern: /TimeoutError|timed out/ },
];

/** curl's exit codes when its message says no more (man curl, EXIT CODES). */
const CURL_EXIT: Record<number, NetworkFailure> = {
  6: 'resolve',
  7: 'refused',
  28: 'timeout',
  52: 'reset',
  56: 'reset',
};
/** Our busybox-wget wrapper kills wget at its deadline (BusyBox 1.35's `-T` crashes: exit 139): 128 + SIGTERM. */
const KILLED_BY_DEADLINE = 143;

function failureIn(text: string): NetworkFailure | null {
  return FAILURE_PATTERNS.find((p) => p.pattern.test(text))?.failure ?? null;
}

/** The engine's answer when `Cmd[0]` is not in the container (dockerd 20.10: exit 126, text on stdout). */
export function isMissingExecutable(result: ExecResult): boolean {
  return (
    (result.exitCode === 126 || result.exitCode === 127) &&
    /executable file not found|no such file or directory|not found/i.test(result.stdout + result.stderr)
  );
}

/** What one probe inside a container found. */
export function readProbe(tool: ProbeTool, result: ExecResult): Observation {
  if (result.timedOut) return { kind: 'network', failure: 'timeout' };
  if (isMissingExecutable(result)) return { kind: 'toolMissing' };
  const all = `${result.stdout}\n${result.stderr}`;
  if (tool === 'curl' || tool === 'python3') {
    // Both print only the status code on stdout (curl `-w '%{http_code}'`, `000` when none came back).
    const code = /^\s*(\d{3})\s*$/.exec(result.stdout)?.[1];
    if (code && code !== '000') return { kind: 'http', status: Number(code) };
  } else {
    // `-S` prints each response's status line; the first is our URL's (a redirect's target comes later).
    const code = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/m.exec(all)?.[1];
    if (code) return { kind: 'http', status: Number(code) };
  }
  const failure = failureIn(all);
  if (failure) return { kind: 'network', failure };
  if (tool === 'curl' && result.exitCode !== null && CURL_EXIT[result.exitCode]) {
    return { kind: 'network', failure: CURL_EXIT[result.exitCode]! };
  }
  if (tool === 'busybox-wget' && result.exitCode === KILLED_BY_DEADLINE) {
    return { kind: 'network', failure: 'timeout' };
  }
  return { kind: 'unknown' };
}

/** Our own host-side GET's error (an errno code like ECONNREFUSED, or an error's name/text). */
export function readHostError(error: string): NetworkFailure | null {
  return failureIn(error);
}

/** Where the host's own check stands for one component. */
export interface HostView {
  /** The loopback URL we reach it at. */
  url: string;
  /**
   * `answers`: as itself (Ollama's `GET /`, A1111's ping or API); `refused`: nothing listens (not
   * running); `silent`: it accepted but did not answer in time; `other`: anything else.
   */
  state: 'answers' | 'refused' | 'silent' | 'other';
}

export interface ContainerVerdictInput {
  component: SupervisedId;
  observation: Observation;
  /** The URL Dify uses (the base, e.g. http://host.docker.internal:11434). */
  targetUrl: string;
  /** null: we do not know where it runs on this computer (no local URL). */
  host: HostView | null;
  platform: NodeJS.Platform;
  /** The container's compose service (`api`, `plugin_daemon`). */
  service: string;
  timeoutSeconds: number;
}

const COMPONENT_NAME: Record<SupervisedId, string> = { ollama: 'Ollama', a1111: 'AUTOMATIC1111' };
const DOCKER_HOST_NAME = 'host.docker.internal';

/** http: 80, https: 443 when the URL names none. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function isLoopbackName(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h === '0.0.0.0' || /^127\./.test(h);
}

interface Facts {
  input: ContainerVerdictInput;
  target: URL;
  status: number | null;
  failure: NetworkFailure | null;
  hostAnswers: boolean;
  hostRefused: boolean;
  hostSilent: boolean;
  portsDiffer: boolean;
  params: Record<string, string | number>;
}

/**
 * The container check's verdicts, first match wins. Why this order: a URL pointing at the container
 * itself or at a name that does not resolve is wrong whatever else is true; a wrong port explains a
 * refusal better than "loopback only"; a refusal says whether the host check worked (listening on
 * 127.0.0.1 only — Ollama's default, A1111 without --listen) or not (not running).
 */
const CONTAINER_RULES: readonly { when: (f: Facts) => boolean; key: (f: Facts) => string }[] = [
  { when: (f) => f.status !== 200 && isLoopbackName(f.target.hostname), key: () => 'loopbackUrl' },
  {
    when: (f) => f.failure === 'resolve',
    key: (f) =>
      f.target.hostname.toLowerCase() !== DOCKER_HOST_NAME
        ? 'nameNotResolved'
        : f.input.platform === 'linux'
          ? 'nameNotResolvedLinux'
          : 'nameNotResolvedDesktop',
  },
  {
    when: (f) => f.hostAnswers && f.portsDiffer && (f.failure !== null || f.status === 404),
    key: () => 'wrongPort',
  },
  {
    when: (f) => f.failure === 'refused' || f.failure === 'reset',
    key: (f) =>
      f.hostAnswers ? `${f.input.component}LoopbackOnly` : f.hostRefused ? 'notRunning' : 'refused',
  },
  { when: (f) => f.failure === 'readTimeout', key: () => 'noResponse' },
  { when: (f) => f.failure !== null && f.hostRefused, key: () => 'notRunning' },
  // A hung program times out from both sides: that says more than "a firewall drops it".
  {
    when: (f) => f.hostSilent && (f.failure === 'connectTimeout' || f.failure === 'timeout'),
    key: () => 'noResponse',
  },
  {
    when: (f) => f.failure !== null,
    key: (f) => (f.input.platform === 'win32' ? 'firewallWindows' : 'firewallOther'),
  },
  { when: (f) => f.status === 401 && f.input.component === 'a1111', key: () => 'apiAuth' },
  { when: (f) => f.status === 404 && f.input.component === 'a1111', key: () => 'noApi' },
  { when: (f) => f.status !== null && f.status !== 200, key: () => 'unexpectedStatus' },
];

/** The likely cause of a container check's failure; null when it passed (HTTP 200). */
export function containerCause(input: ContainerVerdictInput): Cause | null {
  const { observation: o } = input;
  if (o.kind === 'toolMissing' || o.kind === 'unknown') {
    return { key: 'probeFailed', params: { service: input.service } };
  }
  if (o.kind === 'http' && o.status === 200) return null;
  const target = new URL(input.targetUrl);
  const localPort = input.host ? portOf(new URL(input.host.url)) : null;
  const facts: Facts = {
    input,
    target,
    status: o.kind === 'http' ? o.status : null,
    failure: o.kind === 'network' ? o.failure : null,
    hostAnswers: input.host?.state === 'answers',
    hostRefused: input.host?.state === 'refused',
    hostSilent: input.host?.state === 'silent',
    portsDiffer: localPort !== null && localPort !== portOf(target),
    params: {
      component: COMPONENT_NAME[input.component],
      url: input.targetUrl,
      host: target.hostname,
      port: portOf(target),
      service: input.service,
      seconds: input.timeoutSeconds,
      ...(localPort !== null ? { localPort } : {}),
      ...(o.kind === 'http' ? { status: o.status } : {}),
    },
  };
  const rule = CONTAINER_RULES.find((r) => r.when(facts));
  return { key: rule ? rule.key(facts) : 'unexpectedStatus', params: facts.params };
}

/** What one host-side check is after: Ollama's `GET /`, A1111's ping, A1111's API. */
export type HostCheckKind = 'ollamaRoot' | 'a1111Ping' | 'a1111Api';

export type HostAnswer = { status: number; body: string } | { error: string };

/** Whether the host-side answer is the component itself answering. */
export function hostAnswerOk(kind: HostCheckKind, answer: HostAnswer): boolean {
  if (!('status' in answer) || answer.status !== 200) return false;
  // facts.md: `GET /` → 200 "Ollama is running" — anything else on the port is another program.
  return kind !== 'ollamaRoot' || /Ollama is running/.test(answer.body);
}

/** One component's host-side answers (Ollama: `GET /`; A1111: ping and API) → where it stands. */
export function hostState(
  answers: readonly { kind: HostCheckKind; answer: HostAnswer }[],
): HostView['state'] {
  if (answers.some((a) => hostAnswerOk(a.kind, a.answer))) return 'answers';
  const failures = answers.map((a) => ('error' in a.answer ? readHostError(a.answer.error) : null));
  if (failures.some((f) => f === 'refused' || f === 'reset')) return 'refused';
  if (failures.some((f) => f === 'timeout' || f === 'connectTimeout' || f === 'readTimeout')) return 'silent';
  return 'other';
}

/** The likely cause of a host check's failure; null when it passed. */
export function hostCause(
  component: SupervisedId,
  kind: HostCheckKind,
  url: string,
  answer: HostAnswer,
  timeoutSeconds: number,
): Cause | null {
  if (hostAnswerOk(kind, answer)) return null;
  const params: Record<string, string | number> = { component: COMPONENT_NAME[component], url };
  if ('error' in answer) {
    const failure = readHostError(answer.error);
    if (failure === 'refused' || failure === 'reset') return { key: 'notRunning', params };
    if (failure === 'readTimeout' || failure === 'connectTimeout' || failure === 'timeout') {
      return { key: 'noResponse', params: { ...params, seconds: timeoutSeconds } };
    }
    return { key: 'hostError', params: { ...params, error: answer.error } };
  }
  params.status = answer.status;
  if (kind === 'a1111Api' && answer.status === 404) return { key: 'noApi', params };
  if (kind === 'a1111Api' && answer.status === 401) return { key: 'apiAuth', params };
  return { key: 'unexpectedStatus', params };
}
