/**
 * Plugin benchmark (issue #4):
 *  1. Packaging a 2,000-file / 30 MB plugin folder with our packager vs `zip -qr` of the same folder,
 *     in the same run, N times each (interleaved), medians compared. Target: ours ≤ 1.5× zip's time.
 *     Also reports how much the process's resident memory grew while packaging (contents are streamed).
 *  2. The end-to-end reinstall against the Dify console double with instant tasks: the same big plugin
 *     replacing its previous version. "Our overhead" is everything except building the zip (upload,
 *     list, uninstall, install, task polling, confirm, keeping the package). Target: ≤ 1 s.
 *
 * Needs the `zip` command (Debian: `apt-get install zip`). Run: `npx tsx scripts/bench/plugin.ts [--runs N]`.
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

const run = promisify(execFile);

export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  /** Lower is better; `ok` is false when the value is above it. */
  target?: number;
  ok?: boolean;
}

export interface BenchResult {
  name: string;
  ok: boolean;
  metrics: BenchMetric[];
  notes: string[];
}

export interface PluginBenchOptions {
  runs?: number;
  files?: number;
  totalBytes?: number;
  log?: (line: string) => void;
}

const FIXTURE = path.resolve(__dirname, '../../test/fixtures/plugins/sd-tool');

export async function runPluginBench(options: PluginBenchOptions = {}): Promise<BenchResult> {
  const runs = options.runs ?? 5;
  const fileCount = options.files ?? 2000;
  const totalBytes = options.totalBytes ?? 30 * 1024 * 1024;
  const log = options.log ?? ((l: string) => console.log(l));
  const zipBin = await findZip();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-plugin-'));
  const notes: string[] = [];
  try {
    const dir = path.join(root, 'big_plugin');
    const made = await makeBigPlugin(dir, fileCount, totalBytes);
    log(`plugin folder: ${made.files} files, ${(made.bytes / 1024 / 1024).toFixed(1)} MB`);
    notes.push(`${made.files} files, ${made.bytes} bytes; ${runs} runs each, interleaved; zip: ${zipBin}`);

    const ours: number[] = [];
    const theirs: number[] = [];
    const oursCpu: number[] = [];
    const theirsCpu: number[] = [];
    const rssGrowth: number[] = [];
    let ourBytes = 0;
    let zipBytes = 0;
    for (let i = 0; i < runs; i++) {
      const outOurs = path.join(root, `ours-${i}.difypkg`);
      const outZip = path.join(root, `zip-${i}.zip`);
      const measureOurs = async (): Promise<void> => {
        const rss = sampleRss();
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await packagePluginFolder(dir, { outFile: outOurs });
        ours.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        oursCpu.push((cpu.user + cpu.system) / 1000);
        rssGrowth.push(rss.stop());
        ourBytes = r.bytes;
      };
      const measureZip = async (): Promise<void> => {
        const t0 = performance.now();
        // `times` prints the CPU time of the shell's children (zip) after it exits.
        const { stdout } = await run('bash', ['-c', `"$0" -qr "$1" . && times`, zipBin, outZip], {
          cwd: dir,
        });
        theirs.push(performance.now() - t0);
        theirsCpu.push(childCpuMs(stdout));
        zipBytes = (await fs.stat(outZip)).size;
      };
      // Alternate who goes first so page cache and CPU frequency favour neither side.
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
    const oursMs = median(ours);
    const zipMs = median(theirs);
    const ratio = oursMs / zipMs;
    const cpuRatio = median(oursCpu) / median(theirsCpu);
    log(
      `package: ours ${oursMs.toFixed(0)} ms (${ourBytes} bytes), zip -qr ${zipMs.toFixed(0)} ms (${zipBytes} bytes), ratio ${ratio.toFixed(2)}`,
    );

    const e2e = await reinstallBench(dir, root);
    log(
      `reinstall (instant tasks): total ${e2e.total.toFixed(0)} ms, packaging ${e2e.packaging.toFixed(0)} ms, ` +
        `the double's own processing ${e2e.difyMs.toFixed(0)} ms, ` +
        `our overhead ${e2e.overhead.toFixed(0)} ms (${Object.entries(e2e.timings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
    );

    const metrics: BenchMetric[] = [
      { name: 'package.ours.median', value: round(oursMs), unit: 'ms' },
      { name: 'package.zip.median', value: round(zipMs), unit: 'ms' },
      metric('package.ratio', round(ratio, 2), 'x zip', 1.5),
      { name: 'package.cpuRatio', value: round(cpuRatio, 2), unit: 'x zip (CPU time)' },
      // The first run includes the heap's one-time growth; the median shows the per-run working set.
      { name: 'package.rssGrowth.first', value: round((rssGrowth[0] ?? 0) / 1024 / 1024, 1), unit: 'MB' },
      { name: 'package.rssGrowth.median', value: round(median(rssGrowth) / 1024 / 1024, 1), unit: 'MB' },
      { name: 'reinstall.total', value: round(e2e.total), unit: 'ms' },
      { name: 'reinstall.doubleProcessing', value: round(e2e.difyMs), unit: 'ms' },
      metric('reinstall.overhead', round(e2e.overhead), 'ms', 1000),
    ];
    return { name: 'plugin', ok: metrics.every((m) => m.ok !== false), metrics, notes };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** Installs v1 of the big plugin, then measures replacing it with v2 (uninstall + install). */
async function reinstallBench(
  dir: string,
  root: string,
): Promise<{
  total: number;
  packaging: number;
  difyMs: number;
  overhead: number;
  timings: Record<string, number>;
}> {
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
    const manifest = path.join(dir, 'manifest.yaml');
    await fs.writeFile(
      manifest,
      (await fs.readFile(manifest, 'utf8')).replace(/^version: .*$/m, 'version: 0.2.0'),
    );
    const firstRequest = dify.requests.length;
    const t0 = performance.now();
    const result = await once();
    const total = performance.now() - t0;
    if (result.action !== 'reinstalled') throw new Error(`unexpected reinstall result: ${result.action}`);
    const packaging = result.timings.package ?? 0;
    // What the double spends parsing, unzipping and hashing the upload stands for Dify's own work.
    const difyMs = dify.requests.slice(firstRequest).reduce((n, r) => n + r.processingMs, 0);
    return { total, packaging, difyMs, overhead: total - packaging - difyMs, timings: result.timings };
  } finally {
    await jobs.dispose();
    await dify.close();
  }
}

/** The fixture plugin plus generated files: ~2/3 text (compressible), ~1/3 random binary, by size. */
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

/** bash's `times`: second line is the children's user and system time, e.g. "0m0.652s 0m0.031s". */
function childCpuMs(timesOutput: string): number {
  const line = timesOutput.trim().split('\n').pop() ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000,
  );
  return parts.reduce((a, b) => a + b, 0);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function metric(name: string, value: number, unit: string, target: number): BenchMetric {
  return { name, value, unit, target, ok: value <= target };
}

if (require.main === module) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : undefined;
  runPluginBench({ runs: runs && runs > 0 ? runs : undefined })
    .then((r) => {
      for (const m of r.metrics) {
        const verdict =
          m.ok === undefined ? '' : m.ok ? `  ok (≤ ${m.target})` : `  ABOVE TARGET (≤ ${m.target})`;
        console.log(`${m.name.padEnd(24)} ${String(m.value).padStart(8)} ${m.unit}${verdict}`);
      }
      process.exitCode = r.ok ? 0 : 1;
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 2;
    });
}
