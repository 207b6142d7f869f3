/**
 * `dify-stack gpu` (registered from cli-program.ts):
 *
 *   dify-stack gpu                 each GPU's name, VRAM used/total (GB), load and temperature, then who
 *                                  holds GPU 0's VRAM (Ollama models, AUTOMATIC1111, other)
 *   dify-stack gpu --json          one object: {gpus:[{index,name,memoryTotal,memoryUsed,memoryFree,
 *                                  utilization,temperature}], consumers:[…], state, error, at} (MiB, %, °C;
 *                                  null when unknown)
 *   dify-stack gpu --watch [--json] a reading every second from ONE running nvidia-smi, until Ctrl+C:
 *                                  one object per line (--json), or the table again when it changes
 *
 * Exit codes: 0 a reading; 5 no reading can be had (nvidia-smi not found, the driver/NVML mismatch, no
 * NVIDIA GPU; --watch with monitoring off in services that follow the setting), with the reason on
 * stderr; 1 nvidia-smi failed otherwise.
 */
import type { Command } from 'commander';
import type { GpuSummary } from '../core/contract';
import type { ErrorInfo } from '../core/errors';
import { translator, type Lang } from '../core/i18n';
import type { GpuApi } from '../gpu/api';
import { vramGb } from '../core/presentation';
import { offloadWarnings } from '../gpu/consumers';
import type { AppServices } from '../services';
import { alignColumns } from './cli-format';
import { EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE } from './exit-codes';

/** What cli-program.ts's context offers (structural, so this module does not reach into it). */
export interface GpuCliContext {
  readonly lang: Lang;
  readonly io: { onInterrupt?(handler: () => void): () => void };
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  printError(error: ErrorInfo): void;
}

export interface GpuCliDeps {
  cx: GpuCliContext;
  /** cli-program.ts's runner: creates the services, runs `fn`, maps its result or error to the exit code. */
  withServices(cmd: Command, fn: (services: AppServices) => Promise<number>): Promise<void>;
}

/** The documented `gpu --json` shape (scripts depend on it). */
export interface GpuJson {
  gpus: Array<{
    index: number;
    name: string;
    memoryTotal: number | null;
    memoryUsed: number | null;
    memoryFree: number | null;
    utilization: number | null;
    temperature: number | null;
  }>;
  consumers: Array<{ kind: string; name: string; vram: number | null; spilled: number | null }>;
  state: GpuSummary['state'];
  error: { code: string; message: string } | null;
  /** When nvidia-smi gave the reading (ms since the epoch), null without one. */
  at: number | null;
}

export function gpuJson(summary: GpuSummary): GpuJson {
  return {
    gpus: summary.gpus.map((g) => ({
      index: g.index,
      name: g.name,
      memoryTotal: g.memoryTotal,
      memoryUsed: g.memoryUsed,
      memoryFree: g.memoryFree,
      utilization: g.utilization,
      temperature: g.temperature,
    })),
    consumers: summary.consumers.map((c) => ({
      kind: c.kind,
      name: c.name,
      vram: c.vram,
      spilled: c.spilled,
    })),
    state: summary.state,
    error: summary.error ? { code: summary.error.code, message: summary.error.message } : null,
    at: summary.at,
  };
}

/** States in which no reading can come until something is fixed: the command ends with code 5. */
const UNAVAILABLE: ReadonlySet<GpuSummary['state']> = new Set(['not-found', 'no-gpu', 'driver-mismatch']);

export function gpuExitCode(summary: GpuSummary): number {
  if (summary.state === 'ok') return EXIT_OK;
  return UNAVAILABLE.has(summary.state) ? EXIT_UNAVAILABLE : EXIT_FAILED;
}

/**
 * The human table: one line per GPU, then the holders of GPU 0's VRAM (the one Ollama and A1111 use),
 * then a warning per model that spilled into system RAM (`ramTotal`: bytes, when known).
 */
export function gpuTable(summary: GpuSummary, lang: Lang, ramTotal: number | null): string {
  const t = (key: string, params?: Record<string, unknown>): string => translator(lang).t(key, params);
  const unknown = '-';
  const size = (mib: number | null): string =>
    mib === null ? unknown : t('cli.gpu.gb', { size: vramGb(mib) });
  const out: string[] = [];
  if (summary.gpus.length > 0) {
    out.push(
      ...alignColumns([
        [
          t('cli.gpu.table.gpu'),
          t('cli.gpu.table.vram'),
          t('cli.gpu.table.utilization'),
          t('cli.gpu.table.temperature'),
        ],
        ...summary.gpus.map((g) => [
          `${g.index}: ${g.name}`,
          g.memoryUsed === null && g.memoryTotal === null
            ? unknown
            : t('cli.gpu.usedOfTotal', {
                used: g.memoryUsed === null ? unknown : vramGb(g.memoryUsed),
                total: g.memoryTotal === null ? unknown : vramGb(g.memoryTotal),
              }),
          g.utilization === null ? unknown : t('cli.gpu.percent', { value: g.utilization }),
          g.temperature === null ? unknown : t('cli.gpu.celsius', { value: g.temperature }),
        ]),
      ]),
    );
  }
  const holders = summary.consumers.filter((c) => c.kind !== 'other' || c.vram !== 0);
  if (holders.length > 0) {
    if (out.length > 0) out.push('');
    const spilled = holders.some((c) => (c.spilled ?? 0) > 0);
    const index = summary.gpus.find((g) => g.index === 0)?.index ?? 0;
    out.push(
      ...alignColumns([
        [
          t('cli.gpu.table.heldBy', { index }),
          t('cli.gpu.table.size'),
          ...(spilled ? [t('cli.gpu.table.inRam')] : []),
        ],
        ...holders.map((c) => [
          c.kind === 'other' ? t('cli.gpu.other') : c.name,
          size(c.vram),
          ...(spilled ? [c.spilled ? size(c.spilled) : ''] : []),
        ]),
      ]),
    );
  }
  if (!summary.consumers.some((c) => c.kind !== 'other') && summary.gpus.length > 0)
    out.push('', t('cli.gpu.none'));
  const warnings = offloadWarnings(summary.consumers, ramTotal);
  if (warnings.length > 0) {
    out.push('', ...warnings.map((w) => t('cli.warningLine', { message: t(w.key, w.params) })));
  }
  return out.join('\n') + '\n';
}

export function registerGpuCommand(program: Command, deps: GpuCliDeps): void {
  const { cx } = deps;
  const t = cx.t.bind(cx);
  program
    .command('gpu')
    .description(t('cli.gpu.description'))
    .option('--json', t('cli.options.json'))
    .option('--watch', t('cli.gpu.options.watch'))
    .action((opts: { json?: boolean; watch?: boolean }, cmd: Command) =>
      deps.withServices(cmd, async (services) => {
        // Who holds the VRAM is asked of what runs: one look at Ollama and A1111 first.
        await services.processes.refresh().catch(() => undefined);
        const { gpu } = services;
        const facts = lazyRamTotal(gpu);
        const render = async (s: GpuSummary): Promise<string> =>
          opts.json
            ? JSON.stringify(gpuJson(s))
            : gpuTable(s, cx.lang, s.consumers.some((c) => (c.spilled ?? 0) > 0) ? await facts() : null);
        if (opts.watch) return watchGpu(cx, gpu, render, !opts.json);
        const summary = await gpu.readOnce();
        cx.out(await render(summary));
        if (summary.error) cx.printError(summary.error);
        return gpuExitCode(summary);
      }),
    );
}

/** System RAM for the offload warning: read once, only when a model spilled, never holding up the output long. */
function lazyRamTotal(gpu: GpuApi): () => Promise<number | null> {
  let once: Promise<number | null> | null = null;
  return () => {
    once ??= Promise.race([
      gpu.facts().then((f) => f.memoryTotal),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref()),
    ]).catch(() => null);
    return once;
  };
}

/**
 * `gpu --watch`: a 'view' need keeps one nvidia-smi streaming every second. JSON: one object per reading;
 * the table: again (after a blank line) when what it shows changed. Ends with Ctrl+C (0), or when no
 * reading can come (5, the reason on stderr).
 */
async function watchGpu(
  cx: GpuCliContext,
  gpu: GpuApi,
  render: (summary: GpuSummary) => Promise<string>,
  blankLineBetween: boolean,
): Promise<number> {
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let lastText: string | null = null;
  let lastAt: number | null = null;
  let lastError: string | null = null;
  // Rendering may wait for the facts: one at a time, in order.
  let printing = Promise.resolve();
  const print = (summary: GpuSummary): void => {
    printing = printing.then(async () => {
      const text = await render(summary);
      if (text === lastText && blankLineBetween) return;
      if (lastText !== null && blankLineBetween) cx.out('');
      lastText = text;
      cx.out(text);
    });
  };
  const onSummary = (summary: GpuSummary): void => {
    const errorKey = summary.error ? `${summary.error.code}:${summary.error.message}` : null;
    if (errorKey !== lastError) {
      lastError = errorKey;
      if (summary.error) {
        print(summary);
        void printing.then(() => summary.error && cx.printError(summary.error));
      }
    }
    if (UNAVAILABLE.has(summary.state)) {
      void printing.then(() => finish(EXIT_UNAVAILABLE));
      return;
    }
    if (summary.state === 'off') {
      cx.err(cx.t('cli.errorLine', { message: cx.t('cli.gpu.off') }));
      finish(EXIT_UNAVAILABLE);
      return;
    }
    if (summary.state === 'ok' && summary.at !== null && summary.at !== lastAt) {
      lastAt = summary.at;
      print(summary);
    }
  };
  const offInterrupt = cx.io.onInterrupt?.(() => finish(EXIT_OK));
  const offSummary = gpu.onSummary(onSummary);
  const release = gpu.need('view');
  // Services built for the app follow its monitoring setting: when it is off, nothing will come.
  if (gpu.summary().state === 'off') onSummary(gpu.summary());
  try {
    return await finished;
  } finally {
    release();
    offSummary();
    offInterrupt?.();
    await printing;
  }
}
