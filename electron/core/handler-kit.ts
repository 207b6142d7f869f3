/**
 * What every capability's `handlers.ts` may use: the Electron-only abilities main.ts passes in (and
 * the E2E harness imitates), and `detach` for channels that start a job.
 */
import type { AppInfo } from './contract';
import type { JobHandle } from './jobs';

/** Things only Electron can do, passed in by main.ts (and imitated by the E2E harness). */
export interface HandlerAdapters {
  openExternal(url: string): Promise<void>;
  pickFolder(): Promise<string | null>;
  /** The folder picker titled for a plugin folder; falls back to pickFolder. */
  pickPluginFolder?(): Promise<string | null>;
  appInfo(): AppInfo;
  /**
   * Asks where to save (the save dialog in the app, a temp folder in the E2E harness) and writes
   * `content` there atomically; null when the user cancelled. The log viewer's export.
   */
  saveTextFile(suggestedName: string, content: string): Promise<string | null>;
  /**
   * Asks where to save a file the app will write itself (the diagnostics zip): the save dialog in the
   * app, a temp folder in the E2E harness; null when the user cancelled. Absent: nowhere to ask.
   */
  pickSavePath?(suggestedName: string): Promise<string | null>;
  /** Selects a file in the system's file manager (shell.showItemInFolder); absent where there is none. */
  showInFolder?(file: string): void;
}

/**
 * A job's outcome reaches the UI as job state (job events, jobs:list), not as this call's result:
 * the call answers at once with the id, and the promise is observed here so a failing job is not
 * an unhandled rejection.
 */
export function detach(handle: JobHandle<unknown>): { jobId: string } {
  handle.done.catch(() => undefined);
  return { jobId: handle.id };
}

export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
