/**
 * Named sets of timeout values the panel offers in one click. Besides Dify's defaults, each preset is
 * the "make this call fit" computation (timeout-fit.ts) for a long plugin tool call in a workflow run
 * from the published web app — the web app's own 60-s wait included, so it covers the API call too —
 * for a target of 10 min, 30 min or 3 h: only the keys that would cut it, each raised to what it needs.
 */
import type { RuleSetId } from './dify-release';
import { TIMEOUT_CATALOG } from './timeout-catalog';
import { fitChain } from './timeout-fit';

export type TimeoutPresetId = 'difyDefaults' | 'fit10min' | 'fit30min' | 'longImageGeneration';

export interface TimeoutPreset {
  id: TimeoutPresetId;
  titleKey: string;
  descriptionKey: string;
  /** Key → value to write. */
  values: Readonly<Record<string, string>>;
}

export const FIT_PRESET_TARGETS: ReadonlyArray<{ id: TimeoutPresetId; seconds: number }> = [
  { id: 'fit10min', seconds: 10 * 60 },
  { id: 'fit30min', seconds: 30 * 60 },
  // The seed problem's 3-hour image generation; the id stays so saved habits and tests keep working.
  { id: 'longImageGeneration', seconds: 3 * 3600 },
];

const DEFAULTS: Record<string, string> = Object.fromEntries(
  TIMEOUT_CATALOG.filter((info) => info.location === 'env').map((info) => [info.key, info.defaultValue]),
);

function preset(id: TimeoutPresetId, values: Record<string, string>): TimeoutPreset {
  return {
    id,
    titleKey: `timeouts.presets.${id}.title`,
    descriptionKey: `timeouts.presets.${id}.description`,
    values,
  };
}

/**
 * The presets for the values in effect now (absent: Dify's defaults) under a release's rules: a fit
 * preset changes only what is too short, so a value the user already raised further is kept.
 */
export function timeoutPresets(
  values: Readonly<Record<string, string | undefined>> = {},
  release?: { ruleSet: RuleSetId; assumed: boolean },
): TimeoutPreset[] {
  return [
    preset('difyDefaults', DEFAULTS),
    ...FIT_PRESET_TARGETS.map((t) =>
      preset(
        t.id,
        fitChain('webapp-workflow-plugin', {
          values,
          targetSeconds: t.seconds,
          ...(release ? { release } : {}),
        }).changes,
      ),
    ),
  ];
}

/** The presets from Dify's defaults under the newest rules (CLI help, tests). */
export const TIMEOUT_PRESETS: readonly TimeoutPreset[] = timeoutPresets();

export function getTimeoutPreset(id: TimeoutPresetId): TimeoutPreset {
  return TIMEOUT_PRESETS.find((p) => p.id === id) as TimeoutPreset;
}
