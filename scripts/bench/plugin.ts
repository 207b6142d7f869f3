/**
 * Plugin benchmark (issue #4):
 *  1. Packaging a 2,000-file / 30 MB plugin folder with our packager (validation included) vs
 *     `zip -qr` of the same folder, in the same run, in pairs (who goes first alternating); the ratio
 *     is the median of the pairs' ratios, printed with its quartiles and extremes.
 *     Target: ours ≤ 1.5× zip's time. CPU time of both and the process's memory growth are reported
 *     too (wall time on a shared two-core machine is noisy; CPU time much less so).
 *  2. The end-to-end reinstall of that plugin against the Dify console double with instant tasks,
 *     replacing its previous version. "Our overhead" is the total minus building the zip and minus
 *     the double's own processing of the requests (parsing, unzipping and hashing the upload stands
 *     for Dify's work): upload transfer, list, uninstall, install, task polling, confirm, keeping the
 *     package. Target: ≤ 1 s.
 *
 * Needs the `zip` command (Debian: `apt-get install zip`). Runs: BENCH_RUNS pairs (default 11).
 * `npx tsx scripts/bench/plugin.ts` runs it alone.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { JobManager } from '../../electron/core/jobs';
import { DifyConsoleClient } from '../../electron/plugins/console-client';
import { packagePluginFolder } from '../../electron/plugins/packager';
import { reinstallPlugin, type ReinstallResult } from '../../electron/plugins/reinstall';
import { startDifyConsoleDouble } from '../../test/doubles/dify-console';
import { type BenchResult, median, pairedRatio, printResult, runAsScript } from './stats';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const FILES = 2000;
const TOTAL_BYTES = 30 * 1024 * 1024;
const FIXTURE = path.resolve(__dirname, '../../test/fixtures/plugins/sd-tool');

export async function runPluginBench(): Promise<BenchResult> {
  const zipBin = await findZip();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-plugin-'));
  try {
    const dir = path.join(root, 'big_plugin');
    const made = await makeBigPlugin(dir, FILES, TOTAL_BYTES);
    const pack = await packagingBench(dir, root, zipBin);
    const e2e = await reinstallBench(dir, root);
    const ratio = pack.wallRatio.median;
    const cpuRatio = pack.cpuRatio.median;
    const packOk = ratio <= 1.5;
    const e2eOk = e2e.overhead <= 1000;
    const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
    return {
      title: `plugin: package + reinstall (${made.files} files, ${mb(made.bytes)} MB)`,
      rows: [
        {
          name: 'package: dify-stack (validate + list + zip)',
          medianMs: pack.ours.wall,
          runs: RUNS,
          note: `CPU ${pack.ours.cpu.toFixed(0)} ms, ${pack.ours.bytes} bytes`,
        },
        {
          name: 'package: zip -qr',
          medianMs: pack.zip.wall,
          runs: RUNS,
          note: `baseline; CPU ${pack.zip.cpu.toFixed(0)} ms, ${pack.zip.bytes} bytes`,
        },
        { name: 'reinstall: end to end (instant tasks)', medianMs: e2e.total, runs: e2e.runs },
        { name: 'reinstall: of which packaging', medianMs: e2e.packaging, runs: e2e.runs },
        { name: "reinstall: of which the double's own work", medianMs: e2e.dify, runs: e2e.runs },
        { name: 'reinstall: our overhead', medianMs: e2e.overhead, runs: e2e.runs },
      ],
      verdict: [
        `packaging: ${pack.wallRatio.text} zip's time (target ≤ 1.5×): ${packOk ? 'met' : 'NOT met'}`,
        `packaging CPU time: ${cpuRatio.toFixed(2)}× zip's (median of pairs; quartiles ${pack.cpuRatio.q1.toFixed(2)}–${pack.cpuRatio.q3.toFixed(2)}×)`,
        `memory growth while packaging: first run ${mb(pack.rssFirst)} MB (includes the heap's one-time growth), median ${mb(pack.rssMedian)} MB`,
        `reinstall overhead: ${e2e.overhead.toFixed(0)} ms (target ≤ 1000 ms): ${e2eOk ? 'met' : 'NOT met'}`,
      ],
      ok: packOk && e2eOk,
    };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

interface Side {
  wall: number;
  cpu: number;
  bytes: number;
}

async function packagingBench(
  dir: string,
  root: string,
  zipBin: string,
): Promise<{
  ours: Side;
  zip: Side;
  wallRatio: ReturnType<typeof pairedRatio>;
  cpuRatio: ReturnType<typeof pairedRatio>;
  rssFirst: number;
  rssMedian: number;
}> {
  const ours = { wall: [] as number[], cpu: [] as number[], bytes: 0 };
  const zip = { wall: [] as number[], cpu: [] as number[], bytes: 0 };
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const outOurs = path.join(root, `ours-${i}.difypkg`);
    const outZip = path.join(root, `zip-${i}.zip`);
    const measureOurs = async (): Promise<void> => {
      const sampler = sampleRss();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await packagePluginFolder(dir, { outFile: outOurs });
      ours.wall.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      ours.cpu.push((cpu.user + cpu.system) / 1000);
      rss.push(sampler.stop());
      ours.bytes = r.bytes;
    };
    const measureZip = async (): Promise<void> => {
      const t0 = performance.now();
      // `times` prints the CPU time of the shell's children (zip) after it exits.
      const { stdout } = await run('bash', ['-c', '"$0" -qr "$1" . && times', zipBin, outZip], { cwd: dir });
      zip.wall.push(performance.now() - t0);
      zip.cpu.push(childCpuMs(stdout));
      zip.bytes = (await fs.stat(outZip)).size;
    };
    // Alternate who goes first so the page cache and CPU frequency favour neither side.
    if (i % 2 === 0) {
      await measureOurs();
      await measureZip();
    } else {
      await measureZip();
      await measureOurs();
    }
    await fs.rm(outOurs, { force: true });
    await fs.rm(outZip, { force: true });
  }
  return {
    ours: { wall: median(ours.wall), cpu: median(ours.cpu), bytes: ours.bytes },
    zip: { wall: median(zip.wall), cpu: median(zip.cpu), bytes: zip.bytes },
    wallRatio: pairedRatio(ours.wall, zip.wall),
    cpuRatio: pairedRatio(ours.cpu, zip.cpu),
    rssFirst: rss[0] ?? 0,
    rssMedian: median(rss),
  };
}

/** Installs the big plugin once, then replaces it with a new version several times. */
async function reinstallBench(
  dir: string,
  root: string,
): Promise<{ runs: number; total: number; packaging: number; dify: number; overhead: number }> {
  const dify = await startDifyConsoleDouble({ taskPendingMs: 0, taskRunningMs: 0 });
  const jobs = new JobManager();
  try {
    const client = new DifyConsoleClient({
      baseUrl: dify.url,
      email: dify.options.email,
      password: () => dify.options.password,
    });
    await client.login();
    const deps = {
      client,
      backupDir: path.join(root, 'kept'),
      workDir: path.join(root, 'work'),
      pollIntervalMs: 200,
    };
    const once = (): Promise<ReinstallResult> =>
      jobs.start({ kind: 'plugin-reinstall', resource: 'bench' }, (ctx) =>
        reinstallPlugin({ kind: 'folder', dir }, { ...deps, ctx }),
      ).done;
    await once();
    const runs = Math.max(3, Math.ceil(RUNS / 2));
    const total: number[] = [];
    const packaging: number[] = [];
    const difyMs: number[] = [];
    const overhead: number[] = [];
    const manifest = path.join(dir, 'manifest.yaml');
    for (let i = 0; i < runs; i++) {
      const text = await fs.readFile(manifest, 'utf8');
      await fs.writeFile(manifest, text.replace(/^version: .*$/m, `version: 0.${i + 2}.0`));
      const firstRequest = dify.requests.length;
      const t0 = performance.now();
      const result = await once();
      const t = performance.now() - t0;
      if (result.action !== 'reinstalled') throw new Error(`unexpected reinstall result: ${result.action}`);
      const d = dify.requests.slice(firstRequest).reduce((n, r) => n + r.processingMs, 0);
      const p = result.timings.package ?? 0;
      total.push(t);
      packaging.push(p);
      difyMs.push(d);
      overhead.push(t - p - d);
    }
    return {
      runs,
      total: median(total),
      packaging: median(packaging),
      dify: median(difyMs),
      overhead: median(overhead),
    };
  } finally {
    await jobs.dispose();
    await dify.close();
  }
}

/** The fixture plugin plus generated files: 95 % Python-like text, 5 % random binary (a third of the bytes). */
async function makeBigPlugin(
  dir: string,
  fileCount: number,
  totalBytes: number,
): Promise<{ files: number; bytes: number }> {
  await fs.cp(FIXTURE, dir, { recursive: true });
  const base = await countFiles(dir);
  const extra = fileCount - base.files;
  const binaryFiles = Math.max(1, Math.round(extra * 0.05));
  const textFiles = extra - binaryFiles;
  const budget = totalBytes - base.bytes;
  const binarySize = Math.floor(budget / 3 / binaryFiles);
  const textSize = Math.floor((budget * 2) / 3 / textFiles);
  const line = (i: number, j: number): string =>
    `    result_${j} = compute(value=${(i * 7919 + j * 104729) % 100003}, scale=${j % 17}, name="item_${i}_${j}")\n`;
  for (let i = 0; i < textFiles; i++) {
    let text = `# generated module ${i}\nfrom typing import Any\n\n\ndef run_${i}(value: Any) -> Any:\n`;
    for (let j = 0; text.length < textSize; j++) text += line(i, j);
    await writeFile(dir, `lib/pkg_${Math.floor(i / 100)}/mod_${i}.py`, text.slice(0, textSize));
  }
  for (let i = 0; i < binaryFiles; i++)
    await writeFile(dir, `_assets/data/blob_${i}.bin`, randomBytes(binarySize));
  return countFiles(dir);
}

async function writeFile(dir: string, rel: string, data: string | Buffer): Promise<void> {
  const file = path.join(dir, ...rel.split('/'));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

async function findZip(): Promise<string> {
  for (const p of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(p, 'zip');
    if (
      await fs.access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error(
    'The `zip` command is needed for the comparison: install it (Debian: apt-get install zip).',
  );
}

/** bash's `times`: the second line is the children's user and system time, e.g. "0m0.652s 0m0.031s". */
function childCpuMs(timesOutput: string): number {
  const line = timesOutput.trim().split('\n').pop() ?? '';
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (n, m) => n + Number(m[1]) * 60_000 + Number(m[2]) * 1000,
    0,
  );
}

/** Peak resident-set growth while running, sampled every 10 ms. */
function sampleRss(): { stop: () => number } {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(0, Math.max(peak, process.memoryUsage.rss()) - start);
    },
  };
}

if (require.main === module) runAsScript(runPluginBench, printResult);
