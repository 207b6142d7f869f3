/**
 * CLI start benchmark (issue 8: "The CLI is slower than the command it replaces"). Every row is a
 * fresh process, as a user runs it, against the running Dify-shaped test stack:
 *   - `node -e 0` (Node's own start) and `dify-stack --version`: target ≤ 2× Node's start;
 *   - `docker compose ps` and `dify-stack status` (table and --json) on the same stack: target
 *     status ≤ 0.7× compose ps;
 *   - `dify-stack status` with nothing remembered yet (the first run after the compose file or .env
 *     changed): the full read with Compose, for comparison.
 * The rows are run in turns (one of each, then again) so that the load of a shared machine falls on
 * all of them alike; medians of BENCH_RUNS (default 21) runs after two warm-up rounds. `dify-stack`
 * is dist/cli.js, as `npm run bench` has just built it.
 *
 * Node reads the file named by NODE_EXTRA_CA_CERTS at every start; when the environment sets it, the
 * verdict says so and gives Node's start without it (the processes themselves keep the environment).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTempDir, removeTempDir } from '../../test/helpers/temp-dir';
import { createTestStack } from '../../test/helpers/test-stack';
import { type BenchResult, type BenchRow, median, printResult, runAsScript } from './stats';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
/** The full read takes a second or more: fewer runs of it. */
const COLD_RUNS = Math.max(3, Math.round(RUNS / 4));
const CLI = resolve(__dirname, '../../dist/cli.js');

interface Row {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs before each timed run, untimed. */
  before?: () => Promise<void>;
  note?: string;
}

export async function runCliStartBench(): Promise<BenchResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run bench builds it)`);
  const stack = createTestStack({ prefix: 'benchclistart' });
  const home = await createTempDir('bench-cli-home-');
  try {
    await stack.up('v2');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      // The docker CLI finds Compose v2 under its config folder, ~/.docker by default (not the temp HOME's).
      DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
      LANG: 'en_US.UTF-8',
      LC_ALL: '',
    };
    const remembered = join(home, '.config', 'dify-stack-tray', 'cache', 'status-models.json');
    const node = (name: string, args: string[], extra: Partial<Row> = {}): Row => ({
      name,
      command: process.execPath,
      args,
      env,
      cwd: home,
      ...extra,
    });
    const status = ['status', '--dify-dir', stack.dir];
    const rows: Row[] = [
      node('node -e 0', ['-e', '0'], { note: 'baseline' }),
      node('dify-stack --version', [CLI, '--version']),
      {
        name: 'docker compose ps',
        command: 'docker',
        args: ['compose', 'ps'],
        env,
        cwd: stack.dir,
        note: 'baseline',
      },
      node('dify-stack status', [CLI, ...status]),
      node('dify-stack status --json', [CLI, ...status, '--json']),
    ];
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa) {
      const plain = { ...env };
      delete plain.NODE_EXTRA_CA_CERTS;
      rows.push(node('node -e 0 (no NODE_EXTRA_CA_CERTS)', ['-e', '0'], { env: plain, note: 'information' }));
      rows.push(
        node('dify-stack status (no NODE_EXTRA_CA_CERTS)', [CLI, ...status], {
          env: plain,
          note: 'information',
        }),
      );
    }
    await untilRunning(rows[4] as Row);
    // Fills the memory the quick status answers from, and checks that both ways print the same.
    await rm(remembered, { force: true });
    const full = await runRow(rows[3] as Row);
    if (!existsSync(remembered)) throw new Error('the first status remembered no project model');
    const quick = await runRow(rows[3] as Row);
    if (quick.stdout !== full.stdout)
      throw new Error(`quick status differs:\n${full.stdout}\n---\n${quick.stdout}`);

    const times = await timeInTurns(rows, RUNS);
    const cold = node('dify-stack status, nothing remembered', [CLI, ...status], {
      before: () => rm(remembered, { force: true }),
      note: `the full read (${COLD_RUNS} runs)`,
    });
    const coldTimes = await timeInTurns([cold], COLD_RUNS, 1);

    const med = (i: number): number => median(times[i] as number[]);
    const [nodeMs, versionMs, psMs, statusMs, jsonMs] = [0, 1, 2, 3, 4].map(med) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const versionRatio = versionMs / nodeMs;
    const statusRatio = statusMs / psMs;
    const jsonRatio = jsonMs / psMs;
    const benchRows: BenchRow[] = rows.map((r, i) => ({
      name: r.name,
      medianMs: med(i),
      runs: RUNS,
      ...(r.note ? { note: r.note } : {}),
    }));
    benchRows.push({
      name: cold.name,
      medianMs: median(coldTimes[0] as number[]),
      runs: COLD_RUNS,
      note: cold.note,
    });
    const verdict = [
      `--version: ${versionRatio.toFixed(2)}× node -e 0 (target ≤ 2×): ${versionRatio <= 2 ? 'met' : 'NOT met'}`,
      `status: ${statusRatio.toFixed(2)}× docker compose ps (target ≤ 0.7×): ${statusRatio <= 0.7 ? 'met' : 'NOT met'}`,
      `status --json: ${jsonRatio.toFixed(2)}× docker compose ps (target ≤ 0.7×): ${jsonRatio <= 0.7 ? 'met' : 'NOT met'}`,
    ];
    if (extraCa) {
      verdict.push(
        `NODE_EXTRA_CA_CERTS is set (${extraCa}): every Node start above reads it; Node starts in ` +
          `${med(5).toFixed(1)} ms without it, and status takes ${(med(6) / psMs).toFixed(2)}× compose ps`,
      );
    }
    return {
      title: 'CLI start (fresh processes, Compose v2, 11 running services)',
      rows: benchRows,
      verdict,
      ok: versionRatio <= 2 && statusRatio <= 0.7 && jsonRatio <= 0.7,
    };
  } finally {
    await stack.dispose();
    await removeTempDir(home);
  }
}

/** `compose up -d` returns before health checks pass: the status must not change during the runs. */
async function untilRunning(statusJson: Row): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { stdout } = await runRow(statusJson);
    const dify = (JSON.parse(stdout) as { components: Array<{ id: string; state: string }> }).components.find(
      (c) => c.id === 'dify',
    );
    if (dify?.state === 'running') return;
    if (Date.now() > deadline) throw new Error(`the test stack did not come up: ${stdout}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `status` exits 3 while Dify is not fully running (README): that is an answer, not a failure. */
async function runRow(row: Row): Promise<{ stdout: string }> {
  try {
    const { stdout } = await run(row.command, row.args, { env: row.env, cwd: row.cwd, timeout: 120_000 });
    return { stdout };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string };
    if (err.code === 3 && typeof err.stdout === 'string') return { stdout: err.stdout };
    throw e;
  }
}

/** Wall time of each row's process, one of each per turn; the first `warmup` turns are not kept. */
async function timeInTurns(rows: Row[], runs: number, warmup = 2): Promise<number[][]> {
  const times: number[][] = rows.map(() => []);
  for (let turn = 0; turn < warmup + runs; turn++) {
    for (const [i, row] of rows.entries()) {
      await row.before?.();
      const start = process.hrtime.bigint();
      await runRow(row);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (turn >= warmup) times[i]?.push(ms);
    }
  }
  return times;
}

if (require.main === module) runAsScript(runCliStartBench, printResult);
