/**
 * The approximate fallback, for when Compose cannot resolve the project (only Compose v1 installed,
 * or `config` fails): where a value written in each candidate file would arrive, read from the
 * compose YAML itself — anchors, merge keys, `${KEY}` references, `env_file:` lists. Pure: the
 * resolver reads the file (reach-files.ts) and marks results built from here "approximate".
 */
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { toRel, walkLeaves, type Arrival, type ReachProject, type ResolvedFiles } from './reach-model';

export type ComposeYaml = { services?: Record<string, unknown> } | null;

/** The compose file as plain data with anchors and merge keys applied; null when it is not valid YAML. */
export function parseComposeYaml(text: string): ComposeYaml {
  try {
    const doc = parseDocument(text, { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) return null;
    return doc.toJS({ maxAliasCount: -1 }) as ComposeYaml;
  } catch {
    return null;
  }
}

/** `env_file:` entries of every service, as written (string, list of strings, or `{path, required}`). */
export function envFilesOf(service: unknown): string[] {
  const raw = (service as { env_file?: unknown } | null)?.env_file;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list
    .map((e) => (typeof e === 'string' ? e : (e as { path?: unknown } | null)?.path))
    .filter((p): p is string => typeof p === 'string' && p !== '' && !p.includes('$'));
}

export function yamlServiceNames(yaml: ComposeYaml): string[] {
  return Object.keys(yaml?.services ?? {});
}

/** Whether `text` interpolates `key` (`$KEY`, `${KEY}`, `${KEY:-default}`…; `$$KEY` is a literal). */
export function refersTo(text: string, key: string): boolean {
  const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<!\\$)\\$(?:\\{${k}(?:[:?+-][^}]*)?\\}|${k}(?![A-Za-z0-9_]))`).test(text);
}

/**
 * Where a value written in each candidate file would arrive, read from the YAML: `.env` feeds
 * `${KEY}` interpolation everywhere; any file listed under a service's `env_file:` reaches it under
 * its own name unless a later listed file sets the key too or the service's `environment:` names it.
 */
export function yamlArrivals(
  yaml: ComposeYaml,
  project: ReachProject,
  snap: Pick<ResolvedFiles, 'candidates' | 'docs'>,
  key: string,
): Map<string, Arrival[]> {
  const out = new Map<string, Arrival[]>(snap.candidates.map((c) => [c.rel, []]));
  const envRel = toRel(project.dir, project.envFile);
  for (const [service, raw] of Object.entries(yaml?.services ?? {})) {
    const svc = raw as { environment?: unknown } | null;
    const envNames = new Set(environmentEntries(svc).map(([name]) => name));
    // Interpolation from .env.
    walkLeaves(svc, [], (at, text) => {
      if (at[0] === 'env_file' || !refersTo(text, key)) return;
      const isEnv = at[0] === 'environment' && at.length === 2;
      const name = isEnv ? (typeof at[1] === 'number' ? (text.split('=')[0] ?? null) : String(at[1])) : null;
      (out.get(envRel) as Arrival[]).push(
        name !== null ? { service, name } : { service, name: null, field: at.join('.') },
      );
    });
    if (envNames.has(key)) continue;
    const listed = envFilesOf(svc).map((p) => toRel(project.dir, path.resolve(project.dir, p)));
    listed.forEach((rel, i) => {
      const later = listed.slice(i + 1).some((r) => snap.docs.get(r)?.has(key));
      if (!later) out.get(rel)?.push({ service, name: key });
    });
  }
  return out;
}

/** Candidate file (relative) → services listing it under `env_file:`. */
export function loadersOf(yaml: ComposeYaml, project: ReachProject): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [service, svc] of Object.entries(yaml?.services ?? {})) {
    for (const p of envFilesOf(svc)) {
      const rel = toRel(project.dir, path.resolve(project.dir, p));
      out.set(rel, [...(out.get(rel) ?? []), service]);
    }
  }
  return out;
}

/** Service → the variables its `environment:` has an entry for (by name; these win over every env_file). */
export function environmentNamesOf(yaml: ComposeYaml): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [service, raw] of Object.entries(yaml?.services ?? {})) {
    out.set(service, new Set(environmentEntries(raw).map(([name]) => name)));
  }
  return out;
}

/** Service → the variables its `environment:` names or interpolates (`KEY: ${KEY:-d}`, `- KEY=$KEY`). */
export function environmentVarsOf(yaml: ComposeYaml): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [service, raw] of Object.entries(yaml?.services ?? {})) {
    const vars = new Set<string>();
    for (const [name, value] of environmentEntries(raw)) {
      vars.add(name);
      for (const m of (value ?? '').matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
        vars.add(m[1] as string);
    }
    out.set(service, vars);
  }
  return out;
}

/** A service's `environment:` as `[name, value]` pairs, from either form (`- K=v` list or `K: v` map). */
function environmentEntries(service: unknown): Array<[string, string | null]> {
  const env = (service as { environment?: unknown } | null)?.environment;
  if (Array.isArray(env)) {
    return env.map((item) => {
      const [name, ...rest] = String(item).split('=');
      return [name ?? '', rest.length > 0 ? rest.join('=') : null];
    });
  }
  if (env && typeof env === 'object') {
    return Object.entries(env).map(([name, value]) => [
      name,
      value === null || value === undefined ? null : String(value),
    ]);
  }
  return [];
}
