import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * Every `*.env` under `dir` (Dify ≥ 1.14.1's `envs/` folder), hidden entries skipped, in the order the
 * folder lists them. Apart from reach-files.ts, which reads the compose YAML too: the CLI's repeated
 * `timeouts` (timeouts-view-cache.ts) looks at the folder without loading the YAML parser.
 */
export async function envFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  await walk(dir, out);
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) await walk(abs, out);
    else if (e.isFile() && e.name.endsWith('.env')) out.push(abs);
  }
}
