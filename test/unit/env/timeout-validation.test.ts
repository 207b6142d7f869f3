import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import {
  assertValidTimeoutValue,
  parseNginxTime,
  validateTimeoutValue,
} from '../../../electron/env/timeout-validation';

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
    // Integer-only keys say why: the daemon panics at start, the sandbox falls back to 5 s.
    bad('PLUGIN_MAX_EXECUTION_TIMEOUT', '600.0', 'notIntegerDaemon');
    bad('SANDBOX_WORKER_TIMEOUT', '15.5', 'notIntegerSandbox');
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
      expect(isAppError(e) && e.detail).toBe(
        'Enter a whole number: the plugin daemon panics at start on a value like 600.0.',
      );
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
