/**
 * What the app's own log records, heard from the services (no capability calls the log for these):
 * each job's start and end — its kind, how long it took, and on failure its error code and message
 * (the stack's start and stop are jobs) — and which settings changed, by key, never by value. Errors
 * sent to the window are logged where they cross IPC (handlers.ts), notifications where they are shown
 * (services.ts).
 */
import type { AppLogLike } from '../core/app-log';
import type { JobManager, JobState } from '../core/jobs';
import type { SettingsView } from '../settings/contract';

export interface AppLogEventSources {
  jobs: Pick<JobManager, 'onUpdate'>;
  settings: { get(): SettingsView; onChange(listener: (view: SettingsView) => void): () => void };
}

export function followAppEvents(log: AppLogLike, src: AppLogEventSources): () => void {
  const seen = new Map<string, JobState>();
  const offJobs = src.jobs.onUpdate((job) => {
    if (seen.get(job.id) === job.state) return;
    seen.set(job.id, job.state);
    const base = { kind: job.kind, id: job.id.slice(0, 8) };
    if (job.state === 'running') log.info('job.started', base);
    if (job.finishedAt === null) return;
    seen.delete(job.id);
    const took = job.startedAt === null ? undefined : job.finishedAt - job.startedAt;
    if (job.state === 'succeeded') log.info('job.succeeded', { ...base, ms: took });
    else if (job.state === 'cancelled')
      log.warn('job.cancelled', { ...base, ms: took, code: job.error?.code });
    else log.error('job.failed', { ...base, ms: took, code: job.error?.code, message: job.error?.message });
  });

  let before = src.settings.get().settings as Record<string, unknown>;
  let warned = src.settings.get().warning?.code ?? null;
  const offSettings = src.settings.onChange((view) => {
    const after = view.settings as Record<string, unknown>;
    const keys = Object.keys({ ...before, ...after }).filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    );
    before = after;
    if (keys.length > 0) log.info('settings.changed', { keys: keys.sort().join(',') });
    // A warning (the file moved aside, from a newer app…) once when it appears, not at every change.
    const code = view.warning?.code ?? null;
    if (code !== null && code !== warned) log.warn('settings.warning', { code });
    warned = code;
  });

  return () => {
    offJobs();
    offSettings();
  };
}
