/**
 * Status snapshot benchmark (issue #2): one full in-process status snapshot of the running
 * Dify-shaped test stack (engine probe + one container list + cached project model) against
 * `docker compose ps` (or `docker-compose ps`) as a process, measured in the same run.
 * Target: our snapshot at least 10× faster than the compose CLI.
 */
import { JobManager } from '../../electron/core/jobs';
import { StackService } from '../../electron/stack/stack-service';
import { SettingsSchema } from '../../electron/settings/schema';
import { createTestStack } from '../../test/helpers/test-stack';
import { type BenchResult, median, printResult, runAsScript, timeRuns } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);

export async function runStatusBench(): Promise<BenchResult> {
  const stack = createTestStack({ prefix: 'benchstatus' });
  const jobs = new JobManager();
  const svc = new StackService({
    jobs,
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
  });
  try {
    await svc.startStack().done;
    const ours = await timeRuns(RUNS, () => svc.refresh());
    const composePs = await timeRuns(RUNS, () => stack.compose('v2', ['ps', '--all']));
    const oursMs = median(ours);
    const psMs = median(composePs);
    const ratio = psMs / oursMs;
    const services = svc.getSnapshot().components.find((c) => c.id === 'dify')?.services?.length ?? 0;
    return {
      title: `status snapshot (${services} services, Compose v2)`,
      rows: [
        { name: 'dify-stack snapshot (in-process)', medianMs: oursMs, runs: RUNS },
        { name: 'docker compose ps --all (process)', medianMs: psMs, runs: RUNS, note: 'baseline' },
      ],
      verdict: [
        `speed-up: ${ratio.toFixed(1)}× faster than compose ps (target ≥ 10×): ${ratio >= 10 ? 'met' : 'NOT met'}`,
      ],
      ok: ratio >= 10,
    };
  } finally {
    await svc.dispose();
    await jobs.dispose();
    await stack.dispose();
  }
}

if (require.main === module) runAsScript(runStatusBench, printResult);
