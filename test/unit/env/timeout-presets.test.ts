import { describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { TIMEOUT_CATALOG } from '../../../electron/env/timeout-catalog';
import { CHAIN_SCENARIOS, computeTimeoutChain } from '../../../electron/env/timeout-chain';
import { TIMEOUT_PRESETS, getTimeoutPreset } from '../../../electron/env/timeout-presets';
import { validateTimeoutValue } from '../../../electron/env/timeout-validation';

describe('presets', () => {
  it('"Dify defaults" sets every .env key to its default', () => {
    const preset = getTimeoutPreset('difyDefaults');
    const envKeys = TIMEOUT_CATALOG.filter((i) => i.location === 'env');
    expect(Object.keys(preset.values).sort()).toEqual(envKeys.map((i) => i.key).sort());
    for (const info of envKeys) expect(preset.values[info.key]).toBe(info.defaultValue);
  });

  it('"Long image generation (3 h)" keeps the hand-set values and adds what makes them work', () => {
    const { values } = getTimeoutPreset('longImageGeneration');
    expect(values).toMatchObject({
      GUNICORN_TIMEOUT: '3600',
      API_TOOL_DEFAULT_READ_TIMEOUT: '10800',
      SANDBOX_WORKER_TIMEOUT: '10800',
      WORKFLOW_MAX_EXECUTION_TIME: '10800',
    });
    for (const key of ['PLUGIN_MAX_EXECUTION_TIMEOUT', 'PLUGIN_DAEMON_TIMEOUT', 'NGINX_PROXY_READ_TIMEOUT']) {
      expect(values[key], key).toBeDefined();
    }
    // A 3-hour plugin tool call, code node and API tool in a workflow: nothing cuts before 3 h.
    for (const scenario of ['workflowPluginTool', 'codeNode', 'apiTool'] as const) {
      const chain = computeTimeoutChain(scenario, { values });
      expect(chain.effective?.seconds, scenario).toBe(10800);
      expect(chain.warnings, scenario).toEqual([]);
    }
    // Streamed answers keep the user's 1 h GUNICORN_TIMEOUT (said in the preset's description).
    const streamed = computeTimeoutChain('streamedChat', { values });
    expect(streamed.effective).toEqual({ seconds: 3600, by: ['GUNICORN_TIMEOUT'] });
    expect(translate('en', 'timeouts.presets.longImageGeneration.description')).toContain('GUNICORN_TIMEOUT');
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
