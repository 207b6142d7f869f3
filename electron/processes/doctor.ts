/**
 * The connectivity doctor: can Dify's containers reach the host's Ollama and AUTOMATIC1111 at the URLs
 * Dify was given? The most common failure of this stack (facts.md): Ollama listens on 127.0.0.1 by
 * default, A1111 needs --listen (and --api for /sdapi), Windows' firewall drops the traffic, the URL
 * has the wrong port, and on Linux `host.docker.internal` resolves only with `host-gateway`.
 * Host-side checks (our own GET on the loopback URL) tell "not running" from "not reachable from Docker";
 * container-side checks run the tools the image has (`docker exec`), so they see Docker's own DNS,
 * routes and the firewall exactly as Dify does.
 */
import { AppError, messageOf } from '../core/errors';
import { translate } from '../core/i18n';
import type { DoctorCheck, DoctorReport, SupervisedId } from './contract';
import {
  containerCause,
  hostAnswerOk,
  hostCause,
  hostState,
  type Cause,
  type HostAnswer,
  type HostCheckKind,
  type HostView,
} from './doctor-causes';
import { ContainerProber, PROBE_TIMEOUT_S, type ContainerExec } from './doctor-probe';

export interface DoctorTargets {
  /** As Dify uses them; default http://host.docker.internal:11434 and :<a1111Port>. */
  ollamaUrl: string;
  a1111Url: string;
}

export interface DoctorInput {
  /** The Dify project's containers (running ones are used: api first, else plugin_daemon). */
  containers: { id: string; service: string; state: string }[];
  targets: DoctorTargets;
  /** Which components to check (configured ones). */
  components: ('ollama' | 'a1111')[];
  /** How the HOST reaches them (our own view: loopback URLs), to tell "not running" from "not reachable from Docker". */
  local: { ollamaUrl: string | null; a1111Url: string | null };
  exec: ContainerExec;
  /** Host-side HTTP GET (status + body), injectable; default global fetch with a timeout, redirect manual. */
  get?: (url: string, timeoutMs: number) => Promise<HostAnswer>;
  platform?: NodeJS.Platform;
  now?: () => number;
}

/**
 * The services the checks may run in, in order of preference: in Dify 1.x the calls to Ollama and A1111
 * come from their model/tool plugins, which run inside plugin_daemon; api is the fallback.
 */
export const DOCTOR_SERVICES = ['plugin_daemon', 'api'] as const;
const HOST_TIMEOUT_MS = 3000;
const OUTPUT_CHARS = 2000;

const PATHS = {
  ollamaRoot: '/',
  ollamaTags: '/api/tags',
  a1111Ping: '/internal/ping',
  a1111Models: '/sdapi/v1/sd-models',
};

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const platform = input.platform ?? process.platform;
  const get = input.get ?? defaultGet;
  const now = input.now ?? Date.now;
  const components = DOCTOR_COMPONENTS.filter((c) => input.components.includes(c));

  const hostChecks = await Promise.all(components.map((c) => hostChecksFor(c, input.local, get)));
  const hostViews = new Map(components.map((c, i) => [c, hostChecks[i]!.view]));
  const checks: DoctorCheck[] = hostChecks.flatMap((h) => h.checks);

  const container = pickContainer(input.containers);
  let error: DoctorReport['error'] = null;
  if (!container) {
    error = new AppError('DOCTOR_NO_CONTAINER').toInfo();
    for (const c of components) {
      checks.push(skipped(c, 'container', targetOf(c, input.targets), { key: 'noContainer' }));
    }
  } else if (components.length > 0) {
    const prober = new ContainerProber(input.exec, container);
    for (const c of components) {
      checks.push(
        await containerCheck(c, targetOf(c, input.targets), prober, hostViews.get(c) ?? null, platform),
      );
    }
  }
  return {
    ok: checks.every((c) => c.outcome !== 'failed'),
    container: container?.id ?? null,
    checks,
    error,
    finishedAt: now(),
  };
}

const DOCTOR_COMPONENTS: readonly SupervisedId[] = ['ollama', 'a1111'];

function pickContainer(containers: DoctorInput['containers']): DoctorInput['containers'][number] | null {
  for (const service of DOCTOR_SERVICES) {
    const found = containers.find((c) => c.service === service && c.state === 'running');
    if (found) return found;
  }
  return null;
}

function targetOf(component: SupervisedId, targets: DoctorTargets): string {
  return component === 'ollama'
    ? join(targets.ollamaUrl, PATHS.ollamaTags)
    : join(targets.a1111Url, PATHS.a1111Models);
}

/** `base` + `path` with one slash between (Dify's URL may end in `/`). */
function join(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

// ---- host side ----

interface HostResult {
  checks: DoctorCheck[];
  view: HostView | null;
}

async function hostChecksFor(
  component: SupervisedId,
  local: DoctorInput['local'],
  get: NonNullable<DoctorInput['get']>,
): Promise<HostResult> {
  const base = component === 'ollama' ? local.ollamaUrl : local.a1111Url;
  if (component === 'ollama') {
    if (!base)
      return { checks: [skipped('ollama', 'host', '', noLocal('ollama'), 'ollama.local')], view: null };
    const url = join(base, PATHS.ollamaRoot);
    const answer = await get(url, HOST_TIMEOUT_MS);
    return {
      checks: [hostCheck('ollama', 'ollama.local', 'ollamaRoot', url, answer)],
      view: { url: base, state: hostState([{ kind: 'ollamaRoot', answer }]) },
    };
  }
  if (!base) {
    return {
      checks: [
        skipped('a1111', 'host', '', noLocal('a1111'), 'a1111.ping'),
        skipped('a1111', 'host', '', noLocal('a1111'), 'a1111.localApi'),
      ],
      view: null,
    };
  }
  const pingUrl = join(base, PATHS.a1111Ping);
  const apiUrl = join(base, PATHS.a1111Models);
  const [ping, api] = await Promise.all([get(pingUrl, HOST_TIMEOUT_MS), get(apiUrl, HOST_TIMEOUT_MS)]);
  const apiOk = hostAnswerOk('a1111Api', api);
  // facts.md: `--nowebui` serves the API without /internal/ping: the API answering is enough then.
  const pingCheck =
    apiOk && 'status' in ping && ping.status === 404
      ? skipped('a1111', 'host', pingUrl, { key: 'nowebui', params: { url: pingUrl } }, 'a1111.ping', 404)
      : hostCheck('a1111', 'a1111.ping', 'a1111Ping', pingUrl, ping);
  return {
    checks: [pingCheck, hostCheck('a1111', 'a1111.localApi', 'a1111Api', apiUrl, api)],
    view: {
      url: base,
      state: hostState([
        { kind: 'a1111Ping', answer: ping },
        { kind: 'a1111Api', answer: api },
      ]),
    },
  };
}

function noLocal(component: SupervisedId): Cause {
  return { key: 'noLocalUrl', params: { component: component === 'ollama' ? 'Ollama' : 'AUTOMATIC1111' } };
}

function hostCheck(
  component: SupervisedId,
  id: string,
  kind: HostCheckKind,
  url: string,
  answer: HostAnswer,
): DoctorCheck {
  const cause = hostCause(component, kind, url, answer, HOST_TIMEOUT_MS / 1000);
  const status = 'status' in answer ? answer.status : null;
  return {
    id,
    component,
    from: 'host',
    url,
    outcome: cause ? 'failed' : 'ok',
    status,
    tool: null,
    cause,
    detail: cause ? causeText(cause) : okText(id, 'host', status),
    output: trimOutput('status' in answer ? answer.body : answer.error),
  };
}

/** Our own GET: no redirects (a port that redirects elsewhere is not the server we look for). */
async function defaultGet(url: string, timeoutMs: number): Promise<HostAnswer> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: (await res.text()).slice(0, 64 * 1024) };
  } catch (e) {
    // fetch's own error is "fetch failed"; the errno (ECONNREFUSED…) is on its cause.
    const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : e instanceof Error ? e.name : '';
    return { error: [code, typeof cause?.message === 'string' ? cause.message : messageOf(e)].join(': ') };
  }
}

// ---- container side ----

async function containerCheck(
  component: SupervisedId,
  url: string,
  prober: ContainerProber,
  host: HostView | null,
  platform: NodeJS.Platform,
): Promise<DoctorCheck> {
  const id = component === 'ollama' ? 'ollama.tags' : 'a1111.sdModels';
  const service = prober.container.service;
  const probed = await prober.probe(url);
  if (probed === null) return skipped(component, service, url, { key: 'noTool', params: { service } }, id);
  if ('error' in probed) {
    return skipped(
      component,
      service,
      url,
      { key: 'execFailed', params: { service, error: probed.error } },
      id,
    );
  }
  const { tool, observation, output } = probed;
  const status = observation.kind === 'http' ? observation.status : null;
  const cause = containerCause({
    component,
    observation,
    targetUrl: url,
    host,
    platform,
    service,
    timeoutSeconds: PROBE_TIMEOUT_S,
  });
  const inconclusive = observation.kind === 'unknown' || observation.kind === 'toolMissing';
  return {
    id,
    component,
    from: service,
    url,
    outcome: inconclusive ? 'skipped' : cause ? 'failed' : 'ok',
    status,
    tool,
    cause,
    detail: cause ? causeText(cause) : okText(id, service, status),
    output: trimOutput(output),
  };
}

// ---- shapes ----

function skipped(
  component: SupervisedId,
  from: string,
  url: string,
  cause: Cause,
  id = component === 'ollama' ? 'ollama.tags' : 'a1111.sdModels',
  status: number | null = null,
): DoctorCheck {
  return {
    id,
    component,
    from,
    url,
    outcome: 'skipped',
    status,
    tool: null,
    cause,
    detail: causeText(cause),
  };
}

function causeText(cause: Cause): string {
  return translate('en', `doctor.causes.${cause.key}`, cause.params);
}

function okText(id: string, from: string, status: number | null): string {
  return `${translate('en', `doctor.checks.${id}`, { from })}: HTTP ${status ?? '-'}`;
}

/** The end of what the tool printed: its verdict comes last (curl -v, wget). */
function trimOutput(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return t.length > OUTPUT_CHARS ? `…${t.slice(-OUTPUT_CHARS)}` : t;
}
