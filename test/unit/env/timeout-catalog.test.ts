import { describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { TIMEOUT_CATALOG, TIMEOUT_GROUPS, getTimeoutKey } from '../../../electron/env/timeout-catalog';
import { validateTimeoutValue } from '../../../electron/env/timeout-validation';
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
