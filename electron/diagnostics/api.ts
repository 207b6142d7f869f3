/**
 * What the rest of the app (IPC handlers, CLI, E2E harness) may ask of the diagnostics capability:
 * the app's own log and the diagnostics export. Implemented by `DiagnosticsService` in this folder.
 */
import type { AppLogLike } from '../core/app-log';
import type { JobHandle } from '../core/jobs';

export interface ExportResult {
  path: string;
  /** Entries written, by name (`versions.json`, `app-logs/app.log`, …). */
  entries: string[];
  /** Items that could not be read, by name: recorded in the zip as `{error, message}`. */
  unavailable: string[];
}

export interface DiagnosticsApi {
  /** The app's own log (every line redacted); the CLI's runs have their own file. */
  readonly log: AppLogLike;
  /** The folder of the app's logs. */
  logDir(): string;
  /** Writes the zip to `path` (replacing it) as a job; a cancelled or failed export leaves no file. */
  exportTo(path: string): JobHandle<ExportResult>;
  /** The file an export job wrote (null: no such job, or it did not finish writing). */
  exportedFile(jobId: string): string | null;
}

export { AppLog, type AppLogLike } from '../core/app-log';
