/**
 * The plugin-debug tests' set-up: a copy of the debug-echo fixture with its offline wheel, a venv made
 * once per test file and copied into each folder (a venv moves fine when, as here, pip is run as
 * `python -m pip`), and "which processes still run in this folder" for the no-leftovers checks.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildWheel } from './python-wheel';

const run = promisify(execFile);
export const DEBUG_FIXTURE = path.resolve(__dirname, '../fixtures/plugins/debug-echo');
export const HELPER = 'debug-echo-helper';

/** Builds the helper's wheel `version` into the folder's `wheels/`. */
export function addHelperWheel(dir: string, version: string): Promise<string> {
  return buildWheel(path.join(dir, 'wheels'), { name: HELPER, version });
}

/** A fresh copy of the fixture in `dir` with the 1.0.0 wheel (no venv: the session makes it). */
export async function copyDebugFixture(dir: string): Promise<string> {
  await cp(DEBUG_FIXTURE, dir, { recursive: true });
  await addHelperWheel(dir, '1.0.0');
  return dir;
}

/** A copy of `template`'s folder, venv included: the session then only runs pip (fast). */
export async function copyPrepared(template: string, dir: string): Promise<string> {
  await cp(template, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** A template folder with `.venv` made by python3 (no packages in it yet). */
export async function prepareTemplate(dir: string): Promise<string> {
  await copyDebugFixture(dir);
  await run('python3', ['-m', 'venv', '.venv'], { cwd: dir });
  return dir;
}

/** requirements.txt asking for another version of the helper (and its wheel built). */
export async function requireHelper(dir: string, version: string): Promise<void> {
  await addHelperWheel(dir, version);
  const file = path.join(dir, 'requirements.txt');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/debug-echo-helper==\S+/, `${HELPER}==${version}`));
}

/** Linux: pids whose working folder is `dir` or inside it (the plugin, pip, their children). */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${name}/cwd`);
    } catch {
      continue;
    }
    if (cwd === dir || cwd.startsWith(dir + path.sep)) found.push(Number(name));
  }
  return found;
}
