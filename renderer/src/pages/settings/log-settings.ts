/**
 * The log viewer's setting as the Settings form holds it: lines kept per open log, by main's ring and
 * by the viewer (typed as text, a number once it is one). Pure: unit tested.
 */
import { wholeNumberIn } from './gpu-settings';

/** The settings schema's bounds for `logBufferLines` (electron/settings/schema.ts; a unit test keeps them equal). */
export const LOG_BUFFER_LINES = { min: 1_000, max: 1_000_000 } as const;

/** The number of lines typed, or null when it is not a whole number within the bounds. */
export function logBufferLinesOf(text: string): number | null {
  return wholeNumberIn(text, LOG_BUFFER_LINES);
}
