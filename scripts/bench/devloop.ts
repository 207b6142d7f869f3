/**
 * Dev-loop benchmark (issue 13): from a file save in a debugged plugin folder to "connected again" —
 * the session noticed the save, waited out the 200 ms debounce, ended the running plugin's process
 * tree, checked requirements.txt, ran `python -m main` again, read its start lines from the log and saw
 * Dify's plugin list show the new remote install. Against the Dify double (console API and
 * remote-debug port on 127.0.0.1) with the debug-echo fixture in a real venv. Target: median ≤ 1.5 s
 * over 20 saves.
 *
 * Baseline, measured in the same run: the fixture's own cold start done by hand — the venv's python
 * started directly with the same .env, timed to the daemon registering it — what no tool can go below.
 * The difference minus the debounce is what the session itself costs.
 *
 * Runs: BENCH_RUNS (default 20). `npx tsx scripts/bench/devloop.ts` runs it alone.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DifyConsoleClient } from '../../electron/plugins/console-client';
import { venvPython } from '../../electron/plugins/debug-venv';
import { DEBOUNCE_MS } from '../../electron/plugins/debug-watch';
import { PluginDebugService } from '../../electron/plugins/plugin-debug-service';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../test/doubles/dify-console';
import { prepareTemplate } from '../../test/helpers/debug-plugin';
import { type BenchResult, median, printResult, runAsScript } from './stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TARGET_MS = 1500;

export async function runDevloopBench(): Promise<BenchResult> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-devloop-'));
  const double = await startDifyConsoleDouble({ remoteDebug: true });
  try {
    const dir = await prepareTemplate(path.join(root, 'debug-echo'));
    const saves = await saveToConnected(dir, root, double);
    const cold = await coldStarts(dir, double);
    const loop = median(saves);
    const base = median(cold);
    const overhead = loop - base - DEBOUNCE_MS;
    const ok = loop <= TARGET_MS;
    return {
      title: `devloop: a save to "connected again" (${RUNS} saves, debug-echo fixture)`,
      rows: [
        {
          name: 'save → connected again (debounce included)',
          medianMs: loop,
          runs: saves.length,
          note: `min ${Math.min(...saves).toFixed(0)} ms, max ${Math.max(...saves).toFixed(0)} ms`,
        },
        {
          name: 'baseline: the plugin started by hand → registered',
          medianMs: base,
          runs: cold.length,
          note: `min ${Math.min(...cold).toFixed(0)} ms, max ${Math.max(...cold).toFixed(0)} ms`,
        },
      ],
      verdict: [
        `${(loop / base).toFixed(2)}× the plugin's own cold start; the session's cost beyond it and the ${DEBOUNCE_MS} ms debounce: ${overhead.toFixed(0)} ms`,
        `save → connected again: median ${loop.toFixed(0)} ms (target ≤ ${TARGET_MS} ms): ${ok ? 'met' : 'NOT met'}`,
      ],
      ok,
    };
  } finally {
    await double.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** One debug session; each save appends a comment to a tool module and waits for the next connection. */
async function saveToConnected(dir: string, root: string, double: DifyConsoleDouble): Promise<number[]> {
  const client = new DifyConsoleClient({
    baseUrl: double.url,
    email: double.options.email,
    password: () => double.options.password,
  });
  let waiter: { restarts: number; resolve: () => void } | null = null;
  const service: PluginDebugService = new PluginDebugService({
    client: () => client,
    pythonPath: () => '',
    logDir: path.join(root, 'logs'),
    backupRoot: path.join(root, 'app-data'),
    onChange: () => {
      const s = service.state(dir);
      if (waiter && s?.phase === 'connected' && s.restarts === waiter.restarts) waiter.resolve();
    },
  });
  const connected = (restarts: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection after save ${restarts}`)), 30_000);
      waiter = {
        restarts,
        resolve: () => {
          clearTimeout(timer);
          waiter = null;
          resolve();
        },
      };
    });
  try {
    const first = connected(0);
    await service.start(dir);
    await first;
    const times: number[] = [];
    const tool = path.join(dir, 'tools', 'echo.py');
    for (let i = 1; i <= RUNS; i++) {
      const next = connected(i);
      // The save is done when the write returns: an editor's save ends the same way.
      await fs.appendFile(tool, `# save ${i}\n`);
      const t0 = performance.now();
      await next;
      times.push(performance.now() - t0);
      // Saves come seconds apart in real use; let the plugin settle as it would.
      await new Promise((r) => setTimeout(r, 300));
    }
    return times;
  } finally {
    await service.dispose();
  }
}

/** The venv's python started directly, to the daemon's registration of it, RUNS times. */
async function coldStarts(dir: string, double: DifyConsoleDouble): Promise<number[]> {
  const daemon = double.debugDaemon;
  if (!daemon) throw new Error('the double has no remote-debug port');
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const before = daemon.connections.length;
    const t0 = performance.now();
    const child = spawn(venvPython(dir), ['-m', 'main'], {
      cwd: dir,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', PYTHONUNBUFFERED: '1' },
    });
    for (;;) {
      const c = daemon.connections[before];
      if (c?.registeredAt) break;
      if (child.exitCode !== null) throw new Error('the fixture ended before it registered');
      await new Promise((r) => setTimeout(r, 2));
    }
    times.push(performance.now() - t0);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
  return times;
}

if (require.main === module) runAsScript(runDevloopBench, printResult);
