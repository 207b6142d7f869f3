/** Shared bench helpers: medians of repeated timings, printed as a table with ratios to a baseline. */
export async function timeRuns(runs: number, fn: () => Promise<unknown>, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The value below which `p` % of the values fall (nearest rank): p95 of frame times and the like. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Ours against a baseline measured in turns (run i of each side back to back): the median of the
 * per-pair ratios, not the ratio of the two medians — a slow moment of a shared machine then falls on
 * one pair only instead of on one side's median. Also the spread: quartiles and the extremes.
 */
export function pairedRatio(
  ours: readonly number[],
  baseline: readonly number[],
): { median: number; q1: number; q3: number; min: number; max: number; text: string } {
  if (ours.length !== baseline.length || ours.length === 0)
    throw new Error(`pairedRatio needs pairs: ${ours.length} vs ${baseline.length} runs`);
  const ratios = ours.map((o, i) => o / (baseline[i] as number));
  const r = {
    median: median(ratios),
    q1: percentile(ratios, 25),
    q3: percentile(ratios, 75),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
  };
  const f = (x: number): string => x.toFixed(2);
  const text = `${f(r.median)}× (median of ${ratios.length} pairs; quartiles ${f(r.q1)}–${f(r.q3)}×, all ${f(r.min)}–${f(r.max)}×)`;
  return { ...r, text };
}

export interface BenchRow {
  name: string;
  medianMs: number;
  runs: number;
  note?: string;
}

export interface BenchResult {
  title: string;
  rows: BenchRow[];
  /** Human lines: ratios and whether the target is met. */
  verdict: string[];
  ok: boolean;
}

export function printResult(result: BenchResult): void {
  console.log(`\n## ${result.title}`);
  const width = Math.max(...result.rows.map((r) => r.name.length));
  for (const r of result.rows) {
    console.log(
      `  ${r.name.padEnd(width)}  median ${r.medianMs.toFixed(1).padStart(9)} ms  (${r.runs} runs)${r.note ? `  ${r.note}` : ''}`,
    );
  }
  for (const line of result.verdict) console.log(`  ${line}`);
}

/** A bench file run on its own (`npx tsx scripts/bench/<name>.ts`): print the result, exit 1 when a target is missed. */
export function runAsScript<R extends { ok: boolean }>(
  run: () => Promise<R>,
  print: (result: R) => void,
): void {
  run()
    .then((r) => {
      print(r);
      process.exitCode = r.ok ? 0 : 1;
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    });
}
