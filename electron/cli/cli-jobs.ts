/**
 * Following one job from the command line, shared by every CLI command that starts a job: steps go
 * to stderr as they change, the job's output lines to stdout as they come, Ctrl+C cancels the job and
 * waits for it to wind down. The exit code comes from how the job ended (130 when cancelled, even when
 * the job explains more, e.g. that it rolled a change back).
 */
import { newLines } from './cli-format';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import type { JobHandle, JobSnapshot } from '../core/jobs';
import type { AppServices } from '../services';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

export interface JobFollowHost {
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  /** The translated reason line, then the detail block (e.g. compose's own stderr). */
  printError(error: ErrorInfo): void;
  onInterrupt?(handler: () => void): () => void;
}

export async function followJob<T>(
  host: JobFollowHost,
  services: AppServices,
  start: (services: AppServices) => JobHandle<T>,
  /** Prints what the finished job produced (e.g. the files written and services recreated). */
  summarize?: (result: T) => void,
): Promise<number> {
  let jobId: string | null = null;
  let lastStep = '';
  let lines: string[] = [];
  const print = (job: JobSnapshot): void => {
    if (job.id !== jobId) return;
    const step = job.step ? host.t(job.step.key, job.step.params) : '';
    if (step && step !== lastStep) host.err(step);
    lastStep = step;
    for (const line of newLines(lines, job.lines)) host.out(line);
    lines = job.lines;
  };
  const offUpdates = services.jobs.onUpdate(print);
  let cancelling = false;
  const offInterrupt = host.onInterrupt?.(() => {
    if (cancelling || jobId === null) return;
    cancelling = true;
    host.err(host.t('cli.cancelling'));
    services.jobs.cancel(jobId);
  });
  try {
    const handle = start(services);
    jobId = handle.id;
    const current = services.jobs.get(handle.id);
    if (current) print(current);
    // Awaited on its own line: `summarize?.(await …)` would skip the await when there is no summarizer.
    const result = await handle.done;
    summarize?.(result);
    return EXIT_OK;
  } catch (e) {
    host.printError(toErrorInfo(e));
    return jobId !== null && services.jobs.get(jobId)?.state === 'cancelled' ? EXIT_CANCELLED : EXIT_FAILED;
  } finally {
    offUpdates();
    offInterrupt?.();
  }
}
