/**
 * Log sources as the window names them: the key main uses for each, what the viewer opens by
 * default, and which logs explain a failed job. Pure: unit tested.
 */
import type { JobSnapshotDto, LogsOpenRequest, LogSource } from '../../../electron/contract';

/** The key main uses for a source (one rule for both sides: core/presentation.ts). */
export { logSourceKey as sourceKey } from '../../../electron/core/presentation';

/** The service the viewer opens without being told otherwise, and the one behind the error badge. */
export const PLUGIN_DAEMON = 'plugin_daemon';

export const serviceSource = (service: string): LogSource => ({ kind: 'service', service });

/** Open these sources, at no particular line. */
export function openRequest(sources: readonly LogSource[]): LogsOpenRequest {
  return { sources: [...sources], at: null };
}

/** The folder's own name, from a Windows or POSIX path (`C:\dev\my_tool\` → `my_tool`). */
export function folderName(folder: string): string {
  const parts = folder.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? folder;
}

/** Parameters a job's step or error names services by (`service`, or `services` joined by ", "). */
function servicesIn(params: Record<string, unknown> | undefined): string[] {
  if (!params) return [];
  const names: string[] = [];
  if (typeof params.service === 'string') names.push(params.service);
  if (typeof params.services === 'string') names.push(...params.services.split(/,\s*/));
  return names.filter((n) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(n));
}

/**
 * The logs that explain a job's failure: the services its error or its last step names (a service
 * that exited during a start, the services a timeout apply recreated); Ollama's or A1111's for their
 * own start and stop; otherwise the plugin daemon's, where Dify's plugin work leaves its trace (a
 * reinstall that failed).
 */
export function jobLogSources(job: JobSnapshotDto): LogSource[] {
  const named = [...new Set([...servicesIn(job.error?.params), ...servicesIn(job.step?.params)])];
  if (named.length > 0) return named.slice(0, 32).map(serviceSource);
  const step = job.step?.key ?? '';
  if (/\bollama/i.test(step)) return [{ kind: 'ollama' }];
  if (/\ba1111/i.test(step)) return [{ kind: 'a1111' }];
  return [serviceSource(PLUGIN_DAEMON)];
}

/** How many source colours the stylesheet has (`.log-src-0` … `.log-src-7`). */
export const SOURCE_COLOURS = 8;

/**
 * Each chosen source's colour: a source keeps its colour while it stays chosen (rows do not change
 * colour when another source is added); a new one takes the lowest free slot.
 */
export function colourSlots(prev: ReadonlyMap<string, number>, keys: readonly string[]): Map<string, number> {
  const next = new Map<string, number>();
  for (const key of keys) {
    const slot = prev.get(key);
    if (slot !== undefined) next.set(key, slot);
  }
  const used = new Set(next.values());
  let free = 0;
  for (const key of keys) {
    if (next.has(key)) continue;
    while (used.has(free % SOURCE_COLOURS) && used.size < SOURCE_COLOURS) free++;
    next.set(key, free % SOURCE_COLOURS);
    used.add(free % SOURCE_COLOURS);
    free++;
  }
  return next;
}
