/**
 * The static facts (GPU model, driver, VRAM size as a cross-check of nvidia-smi, system RAM), read once
 * per process through systeminformation.
 *
 * Once, never on a timer (facts.md): `graphics()` runs nvidia-smi with execSync — blocking this
 * process — plus eight PowerShell queries on Windows per call, and its own tracker reports high CPU
 * when it is called every 2 s. It also drops 0 values and turns `[Not Supported]` into NaN, hence the
 * checks below. Loaded on first use: the library is large and most runs (CLI commands) never need it.
 */
import type { GpuFacts } from './contract';

let once: Promise<GpuFacts> | null = null;

/** A size systeminformation reported, or null (it says 0, NaN or nothing when it does not know). */
function known(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

async function read(): Promise<GpuFacts> {
  const si = await import('systeminformation');
  const [graphics, mem] = await Promise.allSettled([si.graphics(), si.mem()]);
  const controllers = graphics.status === 'fulfilled' ? graphics.value.controllers : [];
  return {
    gpus: controllers.map((c) => ({
      model: c.model || c.name || '',
      vendor: c.vendor ?? '',
      vram: known(c.vram),
      driver: c.driverVersion || null,
    })),
    memoryTotal: mem.status === 'fulfilled' ? known(mem.value.total) : null,
  };
}

/** The facts, read on the first call and shared by every later one; any failure gives empty facts. */
export function readGpuFacts(): Promise<GpuFacts> {
  once ??= read().catch((): GpuFacts => ({ gpus: [], memoryTotal: null }));
  return once;
}
