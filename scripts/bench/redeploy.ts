/**
 * Redeploy benchmark (issue #3): on the Dify-shaped stack in Layout B, change one sandbox timeout
 * (SANDBOX_WORKER_TIMEOUT) three ways in the same run, each until the recreated services run and
 * are healthy again:
 *  - ours: the timeout panel's Apply (Compose-resolved plan, atomic write + backup,
 *    `up -d <readers>`, health wait);
 *  - a plain `docker compose up -d` after editing `.env` (recreates every service whose resolved
 *    config changed: all that load `.env`);
 *  - the user's old routine: `docker compose down`, then `up -d`.
 * Reports the median wall time of each, the ratios, and how many containers each recreated.
 * Target: ours ≤ 0.3 × the old routine, and only the readers (sandbox) recreated.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobManager } from '../../electron/core/jobs';
import { EnvDocument } from '../../electron/env/env-file';
import { TimeoutService } from '../../electron/env/timeout-service';
import { SettingsSchema } from '../../electron/settings/schema';
import { StackService } from '../../electron/stack/stack-service';
import {
  containerIds,
  createTestStack,
  recreatedServices,
  type TestStack,
} from '../../test/helpers/test-stack';
import { type BenchResult, median, printResult, runAsScript } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Measured {
  ms: number[];
  recreated: string[][];
}

async function measure(
  stack: TestStack,
  runs: number,
  step: (value: string) => Promise<unknown>,
): Promise<Measured> {
  const out: Measured = { ms: [], recreated: [] };
  for (let i = 0; i < runs; i++) {
    // A value that differs from the one in effect, every time.
    const value = String(20 + Math.floor(Math.random() * 100_000));
    const before = containerIds(stack);
    const start = process.hrtime.bigint();
    await step(value);
    out.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    out.recreated.push(recreatedServices(before, containerIds(stack)));
  }
  return out;
}

function setInEnv(file: string, key: string, value: string): void {
  const doc = EnvDocument.parse(readFileSync(file));
  doc.set(key, value);
  writeFileSync(file, doc.toBytes());
}

export async function runRedeployBench(): Promise<BenchResult> {
  const stack = createTestStack({ layout: 'B', prefix: 'benchredeploy' });
  const backups = mkdtempSync(join(tmpdir(), 'dst-bench-backups-'));
  const jobs = new JobManager();
  const svc = new StackService({
    jobs,
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
  });
  const timeouts = new TimeoutService({ stack: svc, backupRoot: backups });
  const envFile = join(stack.dir, '.env');
  try {
    await svc.startStack().done;
    const ours = await measure(
      stack,
      RUNS,
      (v) => timeouts.applyEnvChanges({ changes: { SANDBOX_WORKER_TIMEOUT: v } }).done,
    );
    // Both baselines wait for the same thing ours waits for: every service running and healthy.
    const plainUp = await measure(stack, RUNS, async (v) => {
      setInEnv(envFile, 'SANDBOX_WORKER_TIMEOUT', v);
      await svc.startStack().done;
    });
    const downUp = await measure(stack, RUNS, async (v) => {
      setInEnv(envFile, 'SANDBOX_WORKER_TIMEOUT', v);
      await svc.downStack().done;
      await svc.startStack().done;
    });
    const oursMs = median(ours.ms);
    const upMs = median(plainUp.ms);
    const downUpMs = median(downUp.ms);
    const count = (m: Measured) =>
      `recreated ${[...new Set(m.recreated.map((r) => r.length))].join('/')} containers`;
    const onlyReaders = ours.recreated.every((r) => r.length === 1 && r[0] === 'sandbox');
    const ratio = oursMs / downUpMs;
    const ok = ratio <= 0.3 && onlyReaders;
    return {
      title: `redeploy after changing SANDBOX_WORKER_TIMEOUT (Layout B, ${Object.keys(containerIds(stack)).length} containers, Compose v2)`,
      rows: [
        {
          name: 'dify-stack apply (up -d sandbox)',
          medianMs: oursMs,
          runs: RUNS,
          note: `${count(ours)}: ${ours.recreated[0]?.join(', ')}`,
        },
        {
          name: 'plain docker compose up -d',
          medianMs: upMs,
          runs: RUNS,
          note: `${count(plainUp)}: ${plainUp.recreated[0]?.join(', ')}`,
        },
        {
          name: 'down + up -d (old routine)',
          medianMs: downUpMs,
          runs: RUNS,
          note: `baseline; ${count(downUp)}`,
        },
      ],
      verdict: [
        `ours / old routine: ${ratio.toFixed(2)} (target ≤ 0.30): ${ratio <= 0.3 ? 'met' : 'NOT met'}`,
        `ours / plain up -d: ${(oursMs / upMs).toFixed(2)}`,
        `only the reader (sandbox) recreated: ${onlyReaders ? 'yes' : 'NO'}`,
      ],
      ok,
    };
  } finally {
    await svc.dispose();
    await jobs.dispose();
    await stack.dispose();
    rmSync(backups, { recursive: true, force: true });
  }
}

if (require.main === module) runAsScript(runRedeployBench, printResult);
