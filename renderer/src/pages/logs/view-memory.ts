/**
 * What the Logs page keeps while the window lives: the window shows one page at a time and unmounts
 * the others, and coming back to the logs should find the same sources and the same way of showing
 * them. Written from event handlers and effects only, read when the page mounts.
 */
import type { LogSource } from '../../../../electron/contract';
import { LEVEL_CHOICES, type LevelChoice } from './log-model';
import type { ViewOptions } from './LogToolbar';

export const viewMemory: {
  /** The sources last chosen; null until the user (or a request) chose (then the default applies). */
  chosen: LogSource[] | null;
  options: ViewOptions;
  levels: ReadonlySet<LevelChoice>;
  /** The last open request applied (App numbers them), so a request is applied once, not per visit. */
  appliedRequest: number;
} = {
  chosen: null,
  options: { timestamps: true, wrap: false },
  levels: new Set(LEVEL_CHOICES),
  appliedRequest: 0,
};
