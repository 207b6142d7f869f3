/**
 * The diagnostics' piece of the contract: where the app's own log lives, "Export diagnostics…" (a
 * zip of the app's logs, redacted settings, versions, the status snapshot and the doctor's results,
 * written as a job), and showing an exported file in its folder.
 *
 * The renderer never names the file: main asks where to save (the save dialog) and remembers what it
 * wrote, so a page can reveal only a file this app exported — not any path it would like to.
 */
import { z } from 'zod';
import { defineInvoke } from '../core/contract-kit';
import { NoInput } from '../core/contract';

export const DiagnosticsInfoSchema = z.object({
  /** The app's own log file now (its rotated generations sit beside it). */
  appLog: z.string(),
  /** The folder of the app's and the supervised programs' logs. */
  logDir: z.string(),
  /** The app can show a file in its folder (the tray app can; the CLI has no file manager). */
  canShowInFolder: z.boolean(),
});

export const diagnosticsInvoke = defineInvoke({
  'diagnostics:info': { input: NoInput, output: DiagnosticsInfoSchema },
  /**
   * Asks where to save, then writes the zip as a job (kind `diagnostics.export`, cancellable). `jobId` and
   * `path` are null when the user cancelled the dialog.
   */
  'diagnostics:export': {
    input: NoInput,
    output: z.object({ jobId: z.string().nullable(), path: z.string().nullable() }),
  },
  /** The file an export job wrote, selected in the system's file manager. */
  'diagnostics:showInFolder': {
    input: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    output: z.object({ shown: z.boolean() }),
  },
});

export type DiagnosticsInfo = z.infer<typeof DiagnosticsInfoSchema>;
