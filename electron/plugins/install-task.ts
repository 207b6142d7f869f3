import { isAppError, messageOf } from '../core/errors';
import type { JobContext } from '../core/jobs';
import type { PluginConsoleApi } from './console-client';
import { cancellableDelay } from '../core/cancellable-delay';
import { isTransientDifyError, retryTransient } from './transient-retry';

/**
 * install/pkg, then follow the install task until it succeeds, fails, or the time limit passes.
 * `mayStillRun` tells the caller whether Dify may still be installing when this gives up: a task seen
 * failing is over; a task we lost sight of (polling refused, the time limit) or an install call whose
 * answer never came through may not be — and then nothing else may be installed beside it.
 */

export type InstallOutcome =
  | { kind: 'success' }
  | { kind: 'failed'; message: string; mayStillRun: boolean }
  | { kind: 'timeout'; seconds: number };

export interface InstallTaskOptions {
  ctx: JobContext;
  timeoutMs: number;
  pollIntervalMs: number;
  retryDelaysMs?: readonly number[];
  /** Undefined once the old version is removed: from then on the install is not interrupted. */
  signal: AbortSignal | undefined;
}

export async function installAndFollow(
  client: PluginConsoleApi,
  identifier: string,
  options: InstallTaskOptions,
): Promise<InstallOutcome> {
  const { ctx, signal } = options;
  let install;
  try {
    install = await retryTransient(() => client.installPkg([identifier], { signal }), {
      delaysMs: options.retryDelaysMs,
      signal,
      onRetry: (e, ms) => ctx.log(`Install request failed (${failureText(e)}); retrying in ${ms} ms`),
    });
  } catch (e) {
    if (isAppError(e) && e.code === 'CANCELLED') throw e;
    // A daemon that timed out may have taken the request all the same.
    return { kind: 'failed', message: failureText(e), mayStillRun: isTransientDifyError(e) };
  }
  // Newer daemons answer so when another version of the plugin is in the way (facts.md): the caller
  // confirms with the installed list.
  if (install.all_installed) return { kind: 'success' };
  ctx.log(`Install task ${install.task_id}`);
  const deadline = Date.now() + options.timeoutMs;
  let lastStatus = '';
  let lastError = '';
  for (;;) {
    let task;
    try {
      task = await client.getTask(install.task_id, { signal });
      lastError = '';
    } catch (e) {
      if (isAppError(e) && e.code === 'CANCELLED') throw e;
      // The API or the daemon may blip (a restart, a daemon timeout): the task goes on meanwhile, so
      // keep asking until the time limit.
      const blip =
        isTransientDifyError(e) ||
        (isAppError(e) && ['DIFY_UNREACHABLE', 'DIFY_HTTP_ERROR'].includes(e.code));
      if (!blip) return { kind: 'failed', message: failureText(e), mayStillRun: true };
      if (failureText(e) !== lastError)
        ctx.log(`Polling the install task failed, retrying: ${failureText(e)}`);
      lastError = failureText(e);
      task = null;
    }
    if (task) {
      const item = task.plugins.find((p) => p.plugin_unique_identifier === identifier) ?? task.plugins[0];
      const status = item?.status ?? task.status;
      if (status !== lastStatus) {
        lastStatus = status;
        ctx.step('plugins.steps.wait', { status });
      }
      if (task.total_plugins && task.completed_plugins !== undefined) {
        ctx.progress(0.6 + (0.3 * task.completed_plugins) / task.total_plugins);
      }
      if (status === 'success' || task.status === 'success') return { kind: 'success' };
      if (status === 'failed' || task.status === 'failed') {
        return { kind: 'failed', message: item?.message || 'Dify gave no reason', mayStillRun: false };
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timeout', seconds: Math.round(options.timeoutMs / 1000) };
    await cancellableDelay(Math.min(options.pollIntervalMs, left), signal);
  }
}

export function failureText(e: unknown): string {
  if (isAppError(e)) return String(e.params?.message ?? e.message);
  return messageOf(e);
}
