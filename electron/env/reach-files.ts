/**
 * The project's configuration files on disk, as the reach resolver needs them: which env files are
 * candidates for a key (`.env`, `envs/**\/*.env`, every `env_file:` entry inside the folder), their
 * parsed contents, the compose YAML, and the keys each `*.env.example` documents.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { EnvDocument } from './env-file';
import { envFilesUnder } from './envs-folder';
import { toRel, type CandidateFile, type ReachProject } from './reach-model';
import { envFilesOf, parseComposeYaml, type ComposeYaml } from './reach-yaml';

/** The file's parsed contents; null when it cannot be read. */
export async function readDoc(file: string): Promise<EnvDocument | null> {
  try {
    return EnvDocument.parse(await fsp.readFile(file), { name: file });
  } catch {
    return null;
  }
}

function inside(dir: string, abs: string): boolean {
  const rel = path.relative(dir, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The last compose text parsed: every view reads the compose file, and parsing Dify's takes ~10 ms. */
let lastParsed: { text: string; yaml: ComposeYaml } | null = null;

/** The compose file as plain data; null when it cannot be read or is not valid YAML. */
export async function readComposeYaml(file: string): Promise<ComposeYaml> {
  const text = await fsp.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  if (lastParsed?.text !== text) lastParsed = { text, yaml: parseComposeYaml(text) };
  return lastParsed.yaml;
}

/** `.env`, existing `envs/**\/*.env`, and every `env_file:` entry inside the project folder. */
export async function listCandidates(project: ReachProject): Promise<CandidateFile[]> {
  const found = new Map<string, CandidateFile>();
  const add = async (abs: string, referenced: boolean) => {
    const rel = toRel(project.dir, abs);
    const existing = found.get(rel);
    if (existing) {
      existing.referenced ||= referenced;
      return;
    }
    const exists = (await fsp.stat(abs).catch(() => null))?.isFile() ?? false;
    found.set(rel, { rel, abs, exists, referenced });
  };
  await add(project.envFile, false);
  for (const f of await envFilesUnder(path.join(project.dir, 'envs'))) await add(f, false);
  const yaml = await readComposeYaml(project.composeFile);
  for (const svc of Object.values(yaml?.services ?? {})) {
    for (const p of envFilesOf(svc)) {
      const abs = path.resolve(project.dir, p);
      if (inside(project.dir, abs)) await add(abs, true);
    }
  }
  const envRel = toRel(project.dir, project.envFile);
  return [...found.values()].sort(
    (a, b) => Number(b.rel === envRel) - Number(a.rel === envRel) || a.rel.localeCompare(b.rel),
  );
}

/**
 * Keys a `*.env.example` documents, as `KEY=…` or commented out (`# KEY=…`): Dify ≥ 1.14.1 ships
 * `envs/**\/<name>.env.example` beside each optional file, and where it documents a key is Dify's
 * own placement of that key (facts.md, "Where a key belongs in Layout B").
 */
export function documentedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (m) keys.add(m[1] as string);
  }
  return keys;
}

/** Candidate (relative) → keys documented by the `.example` beside it; candidates without one are absent. */
export async function readDocumentedKeys(
  candidates: readonly CandidateFile[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const c of candidates) {
    const text = await fsp.readFile(`${c.abs}.example`, 'utf8').catch(() => null);
    if (text !== null) out.set(c.rel, documentedKeys(text));
  }
  return out;
}
