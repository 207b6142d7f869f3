/**
 * `npm run bench`: every benchmark, each comparing against a baseline measured in the same run,
 * printing medians and ratios. Pick some with `npm run bench -- status plugin`.
 */
import { printResult, type BenchResult } from './stats';
import { runCliStartBench } from './cli-start';
import { runDevloopBench } from './devloop';
import { runGpuBench } from './gpu';
import { runGpuIdleBench } from './gpu-idle';
import { runGpuRenderBench } from './gpu-render';
import { runIpcStreamBench } from './ipc-stream';
import { runLogsClassifyBench } from './logs-classify';
import { runLogsIngestBench } from './logs-ingest';
import { runLogsRenderBench } from './logs-render';
import { runPluginBench } from './plugin';
import { runRedeployBench } from './redeploy';
import { runStatusBench } from './status';
import { runSuperviseBench } from './supervise';
import { runTimeoutsViewBench } from './timeouts-view';

const benches: Record<string, () => Promise<BenchResult>> = {
  status: runStatusBench,
  plugin: runPluginBench,
  redeploy: runRedeployBench,
  'ipc-stream': runIpcStreamBench,
  'timeouts-view': runTimeoutsViewBench,
  'cli-start': runCliStartBench,
  supervise: runSuperviseBench,
  gpu: runGpuBench,
  'gpu-idle': runGpuIdleBench,
  'gpu-render': runGpuRenderBench,
  'logs-ingest': runLogsIngestBench,
  'logs-render': runLogsRenderBench,
  'logs-classify': runLogsClassifyBench,
  devloop: runDevloopBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(benches);
  let ok = true;
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      console.error(`unknown benchmark: ${name} (have: ${Object.keys(benches).join(', ')})`);
      process.exitCode = 2;
      return;
    }
    const result = await bench();
    printResult(result);
    ok &&= result.ok;
  }
  process.exitCode = ok ? 0 : 1;
}

void main();
