/**
 * What a plugin folder holds but its package leaves out, and why — a pure module, so the contract can
 * carry it to the Plugins page (i18n `plugins.skipReason.<reason>`).
 */
export const SKIP_REASONS = [
  // A link whose real path is outside the plugin folder: packing it would upload a host file (issue 9).
  'symlink-outside-folder',
  'symlink-to-directory',
  'not-a-regular-file',
  'unreadable',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedEntry {
  /** Path inside the folder: relative, forward slashes. */
  rel: string;
  reason: SkipReason;
}
