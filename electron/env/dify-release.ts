/**
 * Which timeout rules hold for the user's Dify release, told by the image tags. The rules that
 * changed between releases (facts.md, "Timeout keys"):
 *  - WORKFLOW_MAX_EXECUTION_TIME is checked before a node starts up to 1.8, when a node finishes later;
 *    newest main also uses it as a wall-clock watchdog for workflow / advanced-chat;
 *  - APP_MAX_EXECUTION_TIME watches every app's queue up to 1.16.0, only chat/completion/agent after
 *    Dify #39602 (newest);
 *  - PLUGIN_DAEMON_TIMEOUT defaults to 300 s and is absent from `.env` up to 1.11.1, 600.0 later;
 *  - PLUGIN_INSTALL_TIMEOUT exists from plugin daemon 0.5.5.
 * An unknown release gets the newest rules, and the answer says they were assumed.
 *
 * The image tag is read as the login reads it (core/image-tag.ts).
 */
import { imageTag } from '../core/image-tag';
import { readComposeYaml } from './reach-files';

export type RuleSetId = 'upTo1.8' | '1.9-1.11.1' | '1.12-1.15' | '1.16.0' | 'newest';

export const RULE_SETS: readonly RuleSetId[] = ['upTo1.8', '1.9-1.11.1', '1.12-1.15', '1.16.0', 'newest'];

export interface TimeoutRules {
  ruleSet: RuleSetId;
  /** When WORKFLOW_MAX_EXECUTION_TIME is compared with the run's elapsed time. */
  workflowMaxCheck: 'beforeNode' | 'nodeEnd';
  /** Newest main: WORKFLOW_MAX_EXECUTION_TIME also stops a workflow / advanced-chat run in flight. */
  workflowMaxWatchdog: boolean;
  /** Which apps APP_MAX_EXECUTION_TIME's wall-clock watchdog covers. */
  appMaxWatchdog: 'allApps' | 'chatOnly';
  /** Dify's default for PLUGIN_DAEMON_TIMEOUT in seconds, and whether its `.env` carries the key. */
  pluginDaemonTimeoutDefault: number;
  pluginDaemonTimeoutInEnv: boolean;
}

export interface ReleaseInfo {
  /** The Dify release read from the api image (null: not known). */
  dify: string | null;
  /** The plugin daemon's release (e.g. `0.5.3`), from its image tag. */
  daemon: string | null;
  rules: TimeoutRules;
  /** No release was known (or it was not a plain x.y.z): the newest rules are assumed. */
  assumed: boolean;
  /** PLUGIN_INSTALL_TIMEOUT exists (daemon ≥ 0.5.5); null when the daemon's release is unknown. */
  pluginInstallTimeout: boolean | null;
}

interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseRelease(text: string | null | undefined): Version | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec((text ?? '').trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const v = (major: number, minor: number, patch: number): Version => ({ major, minor, patch });

/** The era a Dify release belongs to; null for what facts.md does not cover (pre-releases, tags). */
export function ruleSetOf(release: string | null | undefined): RuleSetId | null {
  const r = parseRelease(release);
  if (!r) return null;
  if (compare(r, v(1, 8, 999)) <= 0) return 'upTo1.8';
  if (compare(r, v(1, 11, 1)) <= 0) return '1.9-1.11.1';
  if (compare(r, v(1, 15, 999)) <= 0) return '1.12-1.15';
  if (compare(r, v(1, 16, 0)) === 0) return '1.16.0';
  return 'newest';
}

export function rulesFor(ruleSet: RuleSetId): TimeoutRules {
  const old = ruleSet === 'upTo1.8' || ruleSet === '1.9-1.11.1';
  return {
    ruleSet,
    workflowMaxCheck: ruleSet === 'upTo1.8' ? 'beforeNode' : 'nodeEnd',
    workflowMaxWatchdog: ruleSet === 'newest',
    appMaxWatchdog: ruleSet === 'newest' ? 'chatOnly' : 'allApps',
    pluginDaemonTimeoutDefault: old ? 300 : 600,
    pluginDaemonTimeoutInEnv: !old,
  };
}

export function releaseInfo(dify: string | null, daemon: string | null = null): ReleaseInfo {
  const known = ruleSetOf(dify);
  const daemonVersion = parseRelease(daemon);
  return {
    dify,
    daemon,
    rules: rulesFor(known ?? 'newest'),
    assumed: known === null,
    pluginInstallTimeout: daemonVersion ? compare(daemonVersion, v(0, 5, 5)) >= 0 : null,
  };
}

/**
 * The tag of an image of `repo` (`dify-api`, `dify-plugin-daemon`), e.g. `langgenius/dify-api:1.16.0`
 * → `1.16.0`; a registry prefix or `@sha256:` digest may come along. The daemon's tags carry a
 * suffix (`0.5.3-local`): the x.y.z part is kept. Tags like `latest` tell nothing: null.
 */
export function releaseFromImage(image: string | null | undefined, repo: string): string | null {
  const m = /^v?(\d+\.\d+\.\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(imageTag(image, repo) ?? '');
  return m ? (m[1] as string) : null;
}

export interface ImageSources {
  /** Containers of the project (running first is preferred). */
  containers: ReadonlyArray<{ service: string; state: string; image?: string }>;
  /** The compose file, read when no container tells the release (a stopped, removed stack). */
  composeFile?: string;
}

/** `image:` of each service in a compose file; {} when it cannot be read. */
export async function composeImages(composeFile: string): Promise<Record<string, string>> {
  // The reach resolver's reading (anchors and merge keys applied; parsed once per content).
  const doc = (await readComposeYaml(composeFile)) as {
    services?: Record<string, { image?: unknown } | null>;
  } | null;
  const out: Record<string, string> = {};
  for (const [name, svc] of Object.entries(doc?.services ?? {})) {
    if (typeof svc?.image === 'string') out[name] = svc.image;
  }
  return out;
}

/** The Dify and daemon releases of a project: its containers' images, else its compose file's. */
export async function detectRelease(sources: ImageSources): Promise<ReleaseInfo> {
  const imageOf = (service: string): string | undefined => {
    const all = sources.containers.filter((c) => c.service === service);
    return (all.find((c) => c.state === 'running') ?? all[0])?.image;
  };
  let dify = releaseFromImage(imageOf('api'), 'dify-api');
  let daemon = releaseFromImage(imageOf('plugin_daemon'), 'dify-plugin-daemon');
  if ((dify === null || daemon === null) && sources.composeFile) {
    const images = await composeImages(sources.composeFile);
    dify ??= releaseFromImage(images.api, 'dify-api');
    daemon ??= releaseFromImage(images.plugin_daemon, 'dify-plugin-daemon');
  }
  return releaseInfo(dify, daemon);
}
