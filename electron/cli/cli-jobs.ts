/**
 * Following one job from the command line, shared by every CLI command that starts a job: steps go
 * to stderr as they change, the job's output lines to stdout as they come (through the same
 * `job-output` stream a window subscribes to, the CLI being its receiver), Ctrl+C cancels the job and
 * waits for it to wind down. The exit code comes from how the job ended (130 when cancelled, even when
 * the job explains more, e.g. that it rolled a change back).
 */
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import type { JobHandle, JobSnapshot } from '../core/jobs';
import type { AppServices } from '../services';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from './exit-codes';

export { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes';

export interface JobFollowHost {
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  /** The translated reason line, then the detail block (e.g. compose's own stderr). */
  printError(error: ErrorInfo): void;
  onInterrupt?(handler: () => void): () => void;
}

let followers = 0;

export async function followJob<T>(
  host: JobFollowHost,
  services: AppServices,
  start: (services: AppServices) => JobHandle<T>,
  /** Prints what the finished job produced (e.g. the files written and services recreated). */
  summarize?: (result: T) => void,
): Promise<number> {
  const hub = services.subscriptions;
  const owner = `cli:${++followers}`;
  let jobId: string | null = null;
  let outputId: string | null = null;
  const disconnect = hub.connect(owner, (batch) => {
    if (batch.dropped > 0) host.err(host.t('cli.linesDropped', { count: batch.dropped }));
    // This receiver has only the one job-output subscription below: its items are lines.
    for (const line of batch.items as string[]) host.out(line);
  });
  let lastStep = '';
  const print = (job: JobSnapshot): void => {
    if (job.id !== jobId) return;
    const step = job.step ? host.t(job.step.key, job.step.params) : '';
    if (step && step !== lastStep) {
      // The lines printed before this step come first, as they did on the job's side.
      if (outputId !== null) hub.flush(outputId);
      host.err(step);
    }
    lastStep = step;
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
    // The job runs from a later tick on; a line printed before this would be in the backlog anyway.
    outputId = hub.subscribe(owner, 'job-output', { jobId: handle.id });
    const current = services.jobs.get(handle.id);
    if (current) print(current);
    let result: T;
    try {
      result = await handle.done;
    } finally {
      // The finished job has ended its stream: print the rest (and the end) before the outcome.
      hub.flush(outputId);
    }
    summarize?.(result);
    return EXIT_OK;
  } catch (e) {
    host.printError(toErrorInfo(e));
    return jobId !== null && services.jobs.get(jobId)?.state === 'cancelled' ? EXIT_CANCELLED : EXIT_FAILED;
  } finally {
    offUpdates();
    offInterrupt?.();
    disconnect();
  }
}
