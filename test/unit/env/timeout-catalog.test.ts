import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import {
  assertValidTimeoutValue,
  TIMEOUT_CATALOG,
  TIMEOUT_GROUPS,
  TIMEOUT_PRESETS,
  getTimeoutKey,
  getTimeoutPreset,
  parseNginxTime,
  validateTimeoutValue,
} from '../../../electron/env/timeout-catalog';
import { CHAIN_SCENARIOS, computeTimeoutChain } from '../../../electron/env/timeout-chain';
import en from '../../../resources/locales/en.json';
import ja from '../../../resources/locales/ja.json';

/** facts.md's timeout table: key → default. */
const FACTS_TABLE: Record<string, string> = {
  GUNICORN_TIMEOUT: '360',
  API_TOOL_DEFAULT_CONNECT_TIMEOUT: '10',
  API_TOOL_DEFAULT_READ_TIMEOUT: '60',
  CODE_EXECUTION_CONNECT_TIMEOUT: '10',
  CODE_EXECUTION_READ_TIMEOUT: '60',
  CODE_EXECUTION_WRITE_TIMEOUT: '10',
  SANDBOX_WORKER_TIMEOUT: '15',
  WORKFLOW_MAX_EXECUTION_TIME: '1200',
  APP_MAX_EXECUTION_TIME: '1200',
  HTTP_REQUEST_MAX_CONNECT_TIMEOUT: '10',
  HTTP_REQUEST_MAX_READ_TIMEOUT: '600',
  HTTP_REQUEST_MAX_WRITE_TIMEOUT: '600',
  PLUGIN_MAX_EXECUTION_TIMEOUT: '600',
  PLUGIN_DAEMON_TIMEOUT: '600.0',
  PLUGIN_PYTHON_ENV_INIT_TIMEOUT: '120',
  NGINX_PROXY_READ_TIMEOUT: '3600s',
  NGINX_PROXY_SEND_TIMEOUT: '3600s',
  NGINX_KEEPALIVE_TIMEOUT: '65',
  TEXT_GENERATION_TIMEOUT_MS: '60000',
  SSRF_DEFAULT_TIME_OUT: '5',
  SSRF_DEFAULT_CONNECT_TIME_OUT: '5',
  SSRF_DEFAULT_READ_TIME_OUT: '5',
  SSRF_DEFAULT_WRITE_TIME_OUT: '5',
  ATTACHMENT_IMAGE_DOWNLOAD_TIMEOUT: '60',
  FILES_ACCESS_TIMEOUT: '300',
};

function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('catalog', () => {
  it("holds every key of facts.md's table with its default", () => {
    for (const [key, def] of Object.entries(FACTS_TABLE))
      expect(getTimeoutKey(key)?.defaultValue, key).toBe(def);
  });

  it('the keys that are not in .env need an override; plugin_daemon reads them', () => {
    for (const key of ['PLUGIN_INSTALL_TIMEOUT', 'DIFY_BACKWARDS_INVOCATION_READ_TIMEOUT']) {
      expect(getTimeoutKey(key)).toMatchObject({
        location: 'override',
        consumers: [{ service: 'plugin_daemon' }],
      });
    }
    expect(getTimeoutKey('PLUGIN_INSTALL_TIMEOUT')?.unit).toBe('min');
    expect(getTimeoutKey('DIFY_BACKWARDS_INVOCATION_READ_TIMEOUT')?.unit).toBe('ms');
  });

  it('documents the consumers, including names mapped inside the container', () => {
    expect(getTimeoutKey('SANDBOX_WORKER_TIMEOUT')?.consumers).toEqual([
      { service: 'sandbox', as: 'WORKER_TIMEOUT' },
    ]);
    expect(getTimeoutKey('PLUGIN_PYTHON_ENV_INIT_TIMEOUT')?.consumers).toEqual([
      { service: 'plugin_daemon', as: 'PYTHON_ENV_INIT_TIMEOUT' },
    ]);
    expect(getTimeoutKey('GUNICORN_TIMEOUT')?.consumers).toEqual([{ service: 'api' }]);
    expect(getTimeoutKey('TEXT_GENERATION_TIMEOUT_MS')?.consumers).toEqual([{ service: 'web' }]);
    expect(getTimeoutKey('NGINX_PROXY_READ_TIMEOUT')?.consumers).toEqual([{ service: 'nginx' }]);
    expect(getTimeoutKey('WORKFLOW_MAX_EXECUTION_TIME')?.consumers.map((c) => c.service)).toEqual([
      'api',
      'worker',
    ]);
  });

  it('every group is used and every key has a valid default', () => {
    expect(new Set(TIMEOUT_CATALOG.map((i) => i.group))).toEqual(new Set(TIMEOUT_GROUPS));
    for (const info of TIMEOUT_CATALOG) {
      const result = validateTimeoutValue(info.key, info.defaultValue);
      expect(result.ok, info.key).toBe(true);
    }
  });

  it('titles and explanations exist in both languages; the Japanese ones are Japanese', () => {
    for (const info of TIMEOUT_CATALOG) {
      for (const key of [info.titleKey, info.explanationKey]) {
        expect(hasTranslation(key), key).toBe(true);
        const jaText = translate('ja', key);
        expect(jaText).not.toBe(translate('en', key));
        expect(jaText, key).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      }
    }
    for (const group of TIMEOUT_GROUPS) expect(hasTranslation(`timeouts.groups.${group}`)).toBe(true);
  });

  it('the "timeouts" section has the same keys in ja and en', () => {
    expect(keyPaths((ja as Record<string, unknown>).timeouts).sort()).toEqual(
      keyPaths((en as Record<string, unknown>).timeouts).sort(),
    );
  });
});

describe('validator', () => {
  const ok = (key: string, input: string, seconds: number, value = input.trim()) =>
    expect(validateTimeoutValue(key, input)).toEqual({ ok: true, value, seconds });
  const bad = (key: string, input: string, error: string) => {
    const result = validateTimeoutValue(key, input);
    expect(result.ok ? 'ok' : result.error.key, `${key}=${input}`).toBe(`timeouts.validation.${error}`);
  };

  it('integers, floats, units', () => {
    ok('GUNICORN_TIMEOUT', '3600', 3600);
    ok('GUNICORN_TIMEOUT', ' 3600 ', 3600);
    ok('PLUGIN_DAEMON_TIMEOUT', '600.0', 600);
    ok('PLUGIN_DAEMON_TIMEOUT', '10860', 10860);
    ok('TEXT_GENERATION_TIMEOUT_MS', '600000', 600);
    ok('PLUGIN_INSTALL_TIMEOUT', '30', 1800);
    ok('SSRF_DEFAULT_READ_TIME_OUT', '2.5', 2.5);
    bad('PLUGIN_MAX_EXECUTION_TIMEOUT', '600.0', 'notInteger');
    bad('WORKFLOW_MAX_EXECUTION_TIME', '1.5', 'notInteger');
    bad('GUNICORN_TIMEOUT', '', 'empty');
    bad('GUNICORN_TIMEOUT', '   ', 'empty');
    bad('GUNICORN_TIMEOUT', 'abc', 'notNumber');
    bad('GUNICORN_TIMEOUT', '1e3', 'notNumber');
    bad('GUNICORN_TIMEOUT', '3600s', 'noUnit');
    bad('GUNICORN_TIMEOUT', '-5', 'belowMin');
    bad('GUNICORN_TIMEOUT', '0', 'belowMin');
    bad('GUNICORN_TIMEOUT', '108000000', 'aboveMax');
    bad('NOT_A_TIMEOUT', '1', 'unknownKey');
  });

  it("nginx's time syntax", () => {
    ok('NGINX_PROXY_READ_TIMEOUT', '3600s', 3600);
    ok('NGINX_PROXY_READ_TIMEOUT', '10860s', 10860);
    ok('NGINX_PROXY_READ_TIMEOUT', '3h', 10800);
    ok('NGINX_PROXY_READ_TIMEOUT', '1h30m', 5400);
    ok('NGINX_PROXY_READ_TIMEOUT', '90', 90);
    ok('NGINX_KEEPALIVE_TIMEOUT', '0', 0);
    bad('NGINX_PROXY_READ_TIMEOUT', '30m1h', 'badNginxTime');
    bad('NGINX_PROXY_READ_TIMEOUT', '1 h', 'badNginxTime');
    bad('NGINX_PROXY_READ_TIMEOUT', '3600S', 'badNginxTime');
    bad('NGINX_PROXY_READ_TIMEOUT', '500ms', 'belowMin');
    bad('NGINX_PROXY_READ_TIMEOUT', '30d', 'aboveMax');
    expect(parseNginxTime('1m500ms')).toBe(60.5);
    expect(parseNginxTime('2w')).toBe(14 * 86400);
    expect(parseNginxTime('')).toBeNull();
  });

  it('assertValidTimeoutValue refuses with ENV_VALUE_INVALID and the reason', () => {
    expect(assertValidTimeoutValue('PLUGIN_DAEMON_TIMEOUT', ' 600.0 ')).toBe('600.0');
    try {
      assertValidTimeoutValue('PLUGIN_MAX_EXECUTION_TIMEOUT', '600.0');
      throw new Error('expected a throw');
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('ENV_VALUE_INVALID');
      expect(isAppError(e) && e.params).toEqual({ key: 'PLUGIN_MAX_EXECUTION_TIMEOUT', value: '600.0' });
      expect(isAppError(e) && e.detail).toBe('Enter a whole number without a decimal point.');
    }
  });

  it('errors translate in both languages, with the unit', () => {
    const result = validateTimeoutValue('GUNICORN_TIMEOUT', '0');
    if (result.ok) throw new Error('expected an error');
    expect(translate('en', result.error.key, result.error.params)).toBe('Enter at least 1 s.');
    expect(translate('ja', result.error.key, result.error.params)).toBe('1 秒以上で入力してください。');
    const ms = validateTimeoutValue('TEXT_GENERATION_TIMEOUT_MS', '10');
    if (ms.ok) throw new Error('expected an error');
    expect(translate('ja', ms.error.key, ms.error.params)).toBe('1000 ミリ秒以上で入力してください。');
    for (const input of ['', 'x', '1.5', '5s']) {
      const r = validateTimeoutValue('WORKFLOW_MAX_EXECUTION_TIME', input);
      if (r.ok) throw new Error(input);
      expect(hasTranslation(r.error.key)).toBe(true);
      expect(translate('ja', r.error.key, r.error.params)).not.toContain('{{');
    }
  });
});

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
