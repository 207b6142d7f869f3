/**
 * One Compose run that answers, for every key and every candidate file at once, "where would a value
 * written here arrive?". Pure: the resolver (reach-resolver.ts) writes the plan into a throw-away copy,
 * runs `config --format json` once, and hands the resolved services back to `readProbe`.
 *
 * The run has three kinds of marks (the old way ran Compose once per candidate file — ~35 runs and
 * ~18 s on Dify 1.16's `envs/` layout):
 *  - every file that SETS a key gets its own sentinel for it (reach-sentinels.ts). Nothing else about
 *    the key changes, so each file's sentinel shows up exactly where that file decides the value today —
 *    which is where a new value written there would arrive (env_file order, `.env` last,
 *    `environment:` over all, the shell over `.env` for interpolation: Compose applies it all);
 *  - every candidate gets a load probe (`<P>L<i>=1`): a service whose environment has it loads the file;
 *    and every pair (file, setter of some key) gets an order probe set in both files (`a` in the first,
 *    `b` in the second): in a service loading both, the value it ends with names the later file;
 *  - each key no `.env` line sets (and the shell does not) goes into Compose's own environment as a
 *    sentinel: it arrives wherever `${KEY}` is interpolated, i.e. where a value written into `.env`
 *    would arrive by interpolation.
 * A file that does not set a key is then read off the probes: the value would reach a service that
 * loads the file, unless a later-loaded file sets the key or the service's own `environment:` names it.
 */
import { randomBytes } from 'node:crypto';
import type { Arrival, CandidateFile, ServicesJson } from './reach-model';
import { findSentinels, sentinelBases, sentinelsOver } from './reach-sentinels';

export interface ProbeInput {
  candidates: readonly CandidateFile[];
  /** Relative name of the project's `.env` (the interpolation source). */
  envRel: string;
  keys: readonly string[];
  /** Does candidate `rel` set `key` now? */
  sets(rel: string, key: string): boolean;
  /** The environment Compose runs with (a key there wins over `.env` for interpolation). */
  shellEnv: NodeJS.ProcessEnv;
  /** Every text a resolved value can come from: sentinels must not occur in it. */
  sources: string;
  /** Service → variables its own `environment:` names (from the compose YAML). */
  environmentNames: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface ProbePlan {
  /** Per candidate: `KEY=value` lines to set (keys to sentinels, probes) — existing lines keep their place. */
  writes: Map<string, Map<string, string>>;
  /** Extra variables for Compose's own environment (interpolation sentinels). */
  env: Record<string, string>;
  bases: string[];
  /** Sentinel → `file\u0000key` (a file's value) or `\u0001key` (an interpolation sentinel). */
  sentinels: Map<string, string>;
  loadProbes: Map<string, string>;
  /** `fileA\u0000fileB` → probe name (set to `a` in fileA, `b` in fileB). */
  orderProbes: Map<string, string>;
}

const SHELL = '\u0001';
const SEP = '\u0000';

export function planProbe(input: ProbeInput, nonce: string = randomBytes(4).toString('hex')): ProbePlan {
  const prefix = `DIFY_STACK_TRAY_PROBE_${nonce.toUpperCase()}_`;
  const writes = new Map<string, Map<string, string>>(input.candidates.map((c) => [c.rel, new Map()]));
  const ids: string[] = [];
  for (const key of input.keys) {
    for (const c of input.candidates) if (input.sets(c.rel, key)) ids.push(`${c.rel}${SEP}${key}`);
    if (!input.sets(input.envRel, key) && input.shellEnv[key] === undefined) ids.push(`${SHELL}${key}`);
  }
  const bases = sentinelBases(input.sources, ids.length);
  const sentinels = sentinelsOver(ids, bases);
  const env: Record<string, string> = {};
  for (const [sentinel, id] of sentinels) {
    if (id.startsWith(SHELL)) env[id.slice(1)] = sentinel;
    else {
      const [rel, key] = id.split(SEP) as [string, string];
      writes.get(rel)?.set(key, sentinel);
    }
  }
  const loadProbes = new Map<string, string>();
  input.candidates.forEach((c, i) => {
    const name = `${prefix}L${i}`;
    loadProbes.set(c.rel, name);
    writes.get(c.rel)?.set(name, '1');
  });
  const setters = new Set(
    input.candidates.filter((c) => input.keys.some((k) => input.sets(c.rel, k))).map((c) => c.rel),
  );
  const orderProbes = new Map<string, string>();
  input.candidates.forEach((a, i) => {
    input.candidates.forEach((b, j) => {
      if (j <= i || (!setters.has(a.rel) && !setters.has(b.rel))) return;
      const name = `${prefix}O${i}_${j}`;
      orderProbes.set(`${a.rel}${SEP}${b.rel}`, name);
      writes.get(a.rel)?.set(name, 'a');
      writes.get(b.rel)?.set(name, 'b');
    });
  });
  return { writes, env, bases, sentinels, loadProbes, orderProbes };
}

/** File → key → where a value written in that file would arrive (given the others as they are). */
export function readProbe(
  input: ProbeInput,
  plan: ProbePlan,
  services: ServicesJson,
): Map<string, Map<string, Arrival[]>> {
  const found = findSentinels(services, plan.bases, plan.sentinels);
  const envOf = (service: string): Record<string, unknown> =>
    ((services[service] as { environment?: Record<string, unknown> } | undefined)?.environment ??
      {}) as Record<string, unknown>;
  const loads = (service: string, rel: string): boolean => {
    const probe = plan.loadProbes.get(rel);
    return probe !== undefined && envOf(service)[probe] !== undefined;
  };
  /** In `service` (loading both), does `other` come after `rel`? */
  const loadedAfter = (service: string, rel: string, other: string): boolean => {
    const forward = plan.orderProbes.get(`${rel}${SEP}${other}`);
    if (forward) return envOf(service)[forward] === 'b';
    const backward = plan.orderProbes.get(`${other}${SEP}${rel}`);
    return backward !== undefined && envOf(service)[backward] === 'a';
  };
  const fileSentinel = new Map<string, string>();
  for (const [sentinel, id] of plan.sentinels) fileSentinel.set(id, sentinel);

  const out = new Map<string, Map<string, Arrival[]>>();
  for (const c of input.candidates) {
    const perKey = new Map<string, Arrival[]>();
    out.set(c.rel, perKey);
    for (const key of input.keys) {
      if (input.sets(c.rel, key)) {
        perKey.set(key, found.get(`${c.rel}${SEP}${key}`) ?? []);
        continue;
      }
      const arrivals: Arrival[] = [];
      if (c.rel === input.envRel) arrivals.push(...(found.get(`${SHELL}${key}`) ?? []));
      const setters = input.candidates.filter((s) => s.rel !== c.rel && input.sets(s.rel, key));
      for (const service of Object.keys(services)) {
        if (!loads(service, c.rel)) continue;
        if (namedByEnvironment(service, key)) continue;
        if (setters.some((s) => loads(service, s.rel) && loadedAfter(service, c.rel, s.rel))) continue;
        if (!arrivals.some((a) => a.service === service && a.name === key)) {
          arrivals.push({ service, name: key });
        }
      }
      perKey.set(key, arrivals);
    }
  }
  return out;

  /**
   * The service's own `environment:` has an entry for `key` (it wins over every env_file). The YAML
   * says so; the run also does where the YAML cannot (`extends`, `include`): a value there that is no
   * loaded file's sentinel came from `environment:` itself.
   */
  function namedByEnvironment(service: string, key: string): boolean {
    if (input.environmentNames.get(service)?.has(key)) return true;
    const value = envOf(service)[key];
    if (value === undefined) return false;
    const text = value === null ? '' : String(value);
    return !input.candidates.some(
      (s) =>
        input.sets(s.rel, key) && loads(service, s.rel) && fileSentinel.get(`${s.rel}${SEP}${key}`) === text,
    );
  }
}
