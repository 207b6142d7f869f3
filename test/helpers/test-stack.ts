import { execFile, execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTempDirSync, removeTempDir } from './temp-dir';
import { ensureTestImage } from './test-image';

const run = promisify(execFile);
/** Layout A: one big .env for interpolation (Dify ≤ 1.14.0); B: short .env + envs/ via env_file (≥ 1.14.1). */
const FIXTURES = {
  A: resolve(__dirname, '../fixtures/dify-stack'),
  B: resolve(__dirname, '../fixtures/dify-stack-b'),
};
/** What both layouts' plugin_daemon runs (it prints in the real daemon's format; see the script). */
const PLUGIN_DAEMON_SCRIPT = resolve(__dirname, '../fixtures/plugin-daemon.sh');

export type ComposeKind = 'v2' | 'v1';

export interface TestStackOptions {
  /** Folder name = default compose project name; made unique per stack. */
  prefix?: string;
  layout?: 'A' | 'B';
  /** Extra services appended to the compose file (e.g. Dify 1.16's api_websocket). */
  extraServices?: string[];
  /** Text appended verbatim to the compose file's `services:` map. */
  extraServiceYaml?: string;
}

export interface TestStack {
  /** The Dify `docker` folder of this stack. */
  dir: string;
  projectName: string;
  compose(kind: ComposeKind, args: string[]): Promise<{ stdout: string; stderr: string }>;
  up(kind?: ComposeKind): Promise<void>;
  down(kind?: ComposeKind): Promise<void>;
  /** Removes containers/networks (tolerating the dockerd 20.10 leaked-endpoint bug) and the folder. */
  dispose(): Promise<void>;
}

/** A fresh copy of the Dify-shaped fixture in its own folder, hence its own project and network. */
export function createTestStack(options: TestStackOptions = {}): TestStack {
  ensureTestImage();
  const parent = createTempDirSync('dst-stack-');
  const projectName = `${options.prefix ?? 'difytest'}${Math.random().toString(36).slice(2, 8)}`;
  const dir = join(parent, projectName);
  cpSync(FIXTURES[options.layout ?? 'A'], dir, { recursive: true });
  cpSync(PLUGIN_DAEMON_SCRIPT, join(dir, 'plugin-daemon.sh'));
  const composeFile = join(dir, 'docker-compose.yaml');
  let yaml = readFileSync(composeFile, 'utf8');
  for (const name of options.extraServices ?? []) yaml += `\n  ${name}:\n    <<: *idle\n`;
  if (options.extraServiceYaml) yaml += `\n${options.extraServiceYaml}`;
  writeFileSync(composeFile, yaml);

  const compose = async (kind: ComposeKind, args: string[]) => {
    const [cmd, prefix] = kind === 'v2' ? ['docker', ['compose']] : ['docker-compose', []];
    return run(cmd, [...prefix, '-p', projectName, '--ansi', 'never', ...args], {
      cwd: dir,
      timeout: 240_000,
    });
  };

  return {
    dir,
    projectName,
    compose,
    up: async (kind = 'v2') => {
      await compose(kind, ['up', '-d']);
    },
    down: async (kind = 'v2') => {
      await downTolerant(compose, kind, projectName);
    },
    dispose: async () => {
      // Compose 2.26's `down` can fail outright ("could not find web: not found" after a test removed
      // a service's container with `rm -s`): then remove what carries the project's label ourselves,
      // so no test leaves containers running.
      await downTolerant(compose, 'v2', projectName).catch(() => removeByLabel(projectName));
      await removeTempDir(parent);
    },
  };
}

/** Every container and network of the project, by its compose label (best effort). */
async function removeByLabel(projectName: string): Promise<void> {
  const filter = `label=com.docker.compose.project=${projectName}`;
  const ids = (await run('docker', ['ps', '-aq', '--filter', filter]).catch(() => ({ stdout: '' }))).stdout
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
  const nets = (
    await run('docker', ['network', 'ls', '-q', '--filter', filter]).catch(() => ({ stdout: '' }))
  ).stdout
    .split('\n')
    .filter(Boolean);
  if (nets.length > 0) await run('docker', ['network', 'rm', ...nets]).catch(() => undefined);
}

/** facts.md: on dockerd 20.10 `down` may exit 1 with "has active endpoints" though every container is gone. */
async function downTolerant(
  compose: TestStack['compose'],
  kind: ComposeKind,
  projectName: string,
): Promise<void> {
  try {
    await compose(kind, ['down', '--remove-orphans', '-t', '2']);
  } catch (e) {
    const text = String((e as { stderr?: string }).stderr ?? e);
    const left = await run('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${projectName}`,
    ]);
    if (!/active endpoints/.test(text) || left.stdout.trim() !== '') throw e;
  }
}

/** Container id per service of the stack right now (all states), straight from the engine. */
export function containerIds(stack: Pick<TestStack, 'projectName'>): Record<string, string> {
  const out = execFileSync('docker', [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${stack.projectName}`,
    '--format',
    '{{.Label "com.docker.compose.service"}} {{.ID}}',
  ]).toString();
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}

/** The services whose container changed between two `containerIds` readings (recreated), sorted. */
export function recreatedServices(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after)
    .filter((s) => before[s] !== after[s])
    .sort();
}

/**
 * Makes the stack's plugin_daemon log a plugin that fails to start (test/fixtures/plugin-daemon.sh):
 * its relayed Python traceback, then the daemon's WARN and ERROR records about it.
 */
export async function failPluginDaemon(stack: Pick<TestStack, 'projectName'>): Promise<void> {
  const id = containerIds(stack).plugin_daemon;
  if (!id) throw new Error(`${stack.projectName} has no plugin_daemon container`);
  await run('docker', ['kill', '--signal', 'USR1', id]);
}
