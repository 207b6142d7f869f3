import { describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { TIMEOUT_CATALOG } from '../../../electron/env/timeout-catalog';
import { CHAIN_SCENARIOS, computeTimeoutChain } from '../../../electron/env/timeout-chain';
import { TIMEOUT_PRESETS, getTimeoutPreset, timeoutPresets } from '../../../electron/env/timeout-presets';
import { validateTimeoutValue } from '../../../electron/env/timeout-validation';

describe('presets', () => {
  it('"Dify defaults" sets every .env key to its default', () => {
    const preset = getTimeoutPreset('difyDefaults');
    const envKeys = TIMEOUT_CATALOG.filter((i) => i.location === 'env');
    expect(Object.keys(preset.values).sort()).toEqual(envKeys.map((i) => i.key).sort());
    for (const info of envKeys) expect(preset.values[info.key]).toBe(info.defaultValue);
  });

  it('"Long image generation (3 h)" is the fit of a 3-hour plugin call from the web app: no GUNICORN, the web app waits', () => {
    const { values } = getTimeoutPreset('longImageGeneration');
    expect(values).toEqual({
      PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
      PLUGIN_DAEMON_TIMEOUT: '10800.0',
      WORKFLOW_MAX_EXECUTION_TIME: '10800',
      TEXT_GENERATION_TIMEOUT_MS: '10800000',
    });
    for (const scenario of ['workflow-plugin', 'webapp-workflow-plugin'] as const) {
      const chain = computeTimeoutChain(scenario, { values });
      expect(chain.effective?.seconds, scenario).toBe(10800);
    }
    for (const lang of ['en', 'ja'] as const)
      expect(translate(lang, 'timeouts.presets.longImageGeneration.description')).not.toContain('GUNICORN');
  });

  it('the fit presets follow the release and the values in effect', () => {
    const r116 = { ruleSet: '1.16.0' as const, assumed: false };
    const byId = (values: Record<string, string>) =>
      Object.fromEntries(timeoutPresets(values, r116).map((p) => [p.id, p.values]));
    expect(byId({})).toMatchObject({
      fit10min: { TEXT_GENERATION_TIMEOUT_MS: '600000' },
      fit30min: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
        TEXT_GENERATION_TIMEOUT_MS: '1800000',
      },
    });
    // A key the user already raised further is left alone.
    expect(byId({ APP_MAX_EXECUTION_TIME: '99999' }).longImageGeneration).not.toHaveProperty(
      'APP_MAX_EXECUTION_TIME',
    );
  });

  it('every preset value is valid for its key', () => {
    for (const preset of TIMEOUT_PRESETS) {
      expect(hasTranslation(preset.titleKey) && hasTranslation(preset.descriptionKey)).toBe(true);
      for (const [key, value] of Object.entries(preset.values)) {
        expect(validateTimeoutValue(key, value).ok, `${preset.id}: ${key}=${value}`).toBe(true);
      }
    }
  });

  it('chain scenario names are translated', () => {
    for (const scenario of CHAIN_SCENARIOS) {
      expect(hasTranslation(`timeouts.chain.scenarios.${scenario}`)).toBe(true);
    }
  });
});
