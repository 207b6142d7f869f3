/**
 * The log viewer's piece of the contract: which sources there are (a compose service's container,
 * Ollama's server log, A1111's captured output), one stream of lines per open source, the error
 * badge's acknowledgement, and "export what the view shows". The badge itself lives in the app
 * snapshot's `logs` part (core/contract.ts), so the tray, the dashboard and the CLI see one truth.
 */
import { z } from 'zod';
import { defineEvents, defineInvoke, defineTopics } from '../core/contract-kit';
import { LogLevelSchema, LogSourceSchema, NoInput } from '../core/contract';

/**
 * One line as the view receives it. `seq` grows by one per line of a source for as long as the app
 * keeps that source open (a reconnect continues it), so a view can tell lines apart and point at one.
 * `at` is the engine's timestamp for container lines (ms; the nanoseconds stay in main, where the seam
 * of a reconnect is de-duplicated) and the time of reading for files; null when neither is known.
 * `cont`: the line continues the previous line's entry (a Python traceback's body and its exception
 * line), and takes that entry's level. `mark` lines are not output but the view's notes: where the
 * stream broke and why, or how many lines were dropped; their `text` is a detail (e.g. a container id).
 */
export const LogLineSchema = z.object({
  seq: z.number().int().nonnegative(),
  at: z.number().nullable(),
  stream: z.enum(['out', 'err']),
  text: z.string(),
  level: LogLevelSchema.nullable(),
  cont: z.boolean(),
  mark: z
    .enum([
      /** The container was replaced (a redeploy); the stream continues from the new one. */
      'recreated',
      /** The engine went away and came back; the stream continues since the last line. */
      'reconnected',
      /** The source is gone for now (container stopped/removed, engine down, file missing); waiting. */
      'waiting',
      /** A log file was truncated or rotated; reading starts again at its beginning. */
      'rotated',
      /** The ring buffer or a slow view dropped lines (text = how many). */
      'dropped',
    ])
    .optional(),
});

/** What the view can open: a source, what it is called, and whether it is there right now. */
export const LogSourceInfoSchema = z.object({
  source: LogSourceSchema,
  /** Stable key: `service:<name>`, `ollama`, `a1111`, `plugin:<folder>`. */
  key: z.string(),
  state: z.enum(['running', 'stopped', 'missing']),
  /** The container's name (compose services), or the file followed (Ollama, A1111). */
  detail: z.string().nullable(),
});

export const logsInvoke = defineInvoke({
  /** Every source the viewer can open now: the project's compose services, Ollama, A1111. */
  'logs:sources': { input: NoInput, output: z.array(LogSourceInfoSchema) },
  /**
   * Writes what the view shows (its filtered, merged text) to a file the user picks; `path` null when
   * the user cancelled. The text comes from the view because the view decides what is shown.
   */
  'logs:export': {
    input: z
      .object({
        suggestedName: z
          .string()
          .min(1)
          .max(128)
          .regex(/^[^\\/:*?"<>|]+$/),
        content: z.string().max(512 * 1024 * 1024),
      })
      .strict(),
    output: z.object({ path: z.string().nullable(), bytes: z.number().int().nonnegative() }),
  },
  /** The user saw the plugin daemon's errors: the badge goes until the next error. */
  'logs:ackErrors': { input: NoInput, output: z.object({ acknowledged: z.number().int().nonnegative() }) },
});

/** Open the viewer on these sources (tray "Plugin daemon logs", a notification), at a line if given. */
export const LogsOpenRequestSchema = z.object({
  sources: z.array(LogSourceSchema).min(1).max(32),
  /** Scroll to the line of this source with this timestamp (and text), e.g. the error behind the badge. */
  at: z.object({ key: z.string(), at: z.number(), text: z.string() }).nullable(),
});

export const logsEvents = defineEvents({
  'logs:open': LogsOpenRequestSchema,
});

export const logsTopics = defineTopics({
  /**
   * One source's lines: first what main keeps or reads back (`tail` lines, or those `since` a time),
   * then each new line; the stream survives container recreation and engine restarts (a `mark` line
   * says where). Closing the last view of a source stops reading it.
   */
  'log-lines': {
    params: z
      .object({
        source: LogSourceSchema,
        tail: z.number().int().min(0).max(1_000_000).optional(),
        since: z.number().nonnegative().optional(),
      })
      .strict(),
    item: LogLineSchema,
  },
});

export type LogLine = z.infer<typeof LogLineSchema>;
export type LogMark = NonNullable<LogLine['mark']>;
export type LogSourceInfo = z.infer<typeof LogSourceInfoSchema>;
export type LogsOpenRequest = z.infer<typeof LogsOpenRequestSchema>;
