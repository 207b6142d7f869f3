/**
 * "Make this call fit": the fewest key changes for a scenario and a target (10 min, 30 min, 3 h), per
 * release, from Dify's defaults as a single-.env release (≤ 1.14.0: every key in .env, values as
 * shipped) and an envs/ release (1.16: WORKFLOW_MAX_EXECUTION_TIME not set anywhere) have them.
 */
import { describe, expect, it } from 'vitest';
import { hasTranslation } from '../../../electron/core/i18n';
import type { RuleSetId } from '../../../electron/env/dify-release';
import { computeTimeoutChain } from '../../../electron/env/timeout-chain';
import { fitChain, formatForKey, parseTargetDuration } from '../../../electron/env/timeout-fit';
import type { ChainScenario } from '../../../electron/env/timeout-scenarios';
import { validateTimeoutValue } from '../../../electron/env/timeout-validation';

const MIN10 = 600;
const MIN30 = 1800;
const H3 = 10800;

/** Layout A as Dify 1.12–1.14.0 ship it: the keys written in .env with Dify's values. */
const SINGLE_ENV: Record<string, string> = {
  PLUGIN_MAX_EXECUTION_TIMEOUT: '600',
  PLUGIN_DAEMON_TIMEOUT: '600.0',
  WORKFLOW_MAX_EXECUTION_TIME: '1200',
  APP_MAX_EXECUTION_TIME: '1200',
  TEXT_GENERATION_TIMEOUT_MS: '60000',
  NGINX_PROXY_READ_TIMEOUT: '3600s',
  HTTP_REQUEST_MAX_READ_TIMEOUT: '600',
  SANDBOX_WORKER_TIMEOUT: '15',
  CODE_EXECUTION_READ_TIMEOUT: '60',
};
/** Layout B (1.16): WORKFLOW_MAX_EXECUTION_TIME is in no file, so Dify's default applies. */
const ENVS_DIR: Record<string, string> = Object.fromEntries(
  Object.entries(SINGLE_ENV).filter(([k]) => k !== 'WORKFLOW_MAX_EXECUTION_TIME'),
);

describe('fitChain: the fewest changes', () => {
  // [scenario, rule set, layout values, target, changes]
  it.each<[ChainScenario, RuleSetId, string, Record<string, string>, number, Record<string, string>]>([
    ['workflow-plugin', '1.12-1.15', 'single .env', SINGLE_ENV, MIN10, {}],
    [
      'workflow-plugin',
      '1.12-1.15',
      'single .env',
      SINGLE_ENV,
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
      },
    ],
    [
      'workflow-plugin',
      '1.16.0',
      'envs/',
      ENVS_DIR,
      H3,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10800.0',
        APP_MAX_EXECUTION_TIME: '10800',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
      },
    ],
    // Newest: APP_MAX no longer watches workflows, so it stays.
    [
      'workflow-plugin',
      'newest',
      'envs/',
      ENVS_DIR,
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
      },
    ],
    // ≤ 1.11.1: PLUGIN_DAEMON_TIMEOUT is 300 when not set, so even 10 min needs it.
    [
      'workflow-plugin',
      '1.9-1.11.1',
      'single .env, key absent',
      {},
      MIN10,
      { PLUGIN_DAEMON_TIMEOUT: '600.0' },
    ],
    ['webapp-workflow-plugin', '1.16.0', 'envs/', ENVS_DIR, MIN10, { TEXT_GENERATION_TIMEOUT_MS: '600000' }],
    [
      'webapp-workflow-plugin',
      '1.16.0',
      'envs/',
      ENVS_DIR,
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
        TEXT_GENERATION_TIMEOUT_MS: '1800000',
      },
    ],
    [
      'chat-plugin',
      'newest',
      'envs/',
      ENVS_DIR,
      MIN30,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '1800',
        PLUGIN_DAEMON_TIMEOUT: '1800.0',
        APP_MAX_EXECUTION_TIME: '1800',
      },
    ],
    // nginx only in the blocking call, and only beyond its 1 h.
    [
      'blocking-api',
      '1.12-1.15',
      'single .env',
      SINGLE_ENV,
      H3,
      {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10800.0',
        APP_MAX_EXECUTION_TIME: '10800',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
        NGINX_PROXY_READ_TIMEOUT: '10800s',
      },
    ],
    ['http-node', '1.16.0', 'envs/', ENVS_DIR, MIN10, {}],
    [
      'http-node',
      '1.16.0',
      'envs/',
      ENVS_DIR,
      MIN30,
      {
        HTTP_REQUEST_MAX_READ_TIMEOUT: '1800',
        APP_MAX_EXECUTION_TIME: '1800',
        WORKFLOW_MAX_EXECUTION_TIME: '1800',
      },
    ],
    // The waiting side follows what it waits for.
    [
      'code-node',
      '1.12-1.15',
      'single .env',
      SINGLE_ENV,
      MIN10,
      { SANDBOX_WORKER_TIMEOUT: '600', CODE_EXECUTION_READ_TIMEOUT: '600' },
    ],
  ])('%s under %s (%s), %i s', (scenario, ruleSet, _layout, values, target, changes) => {
    const release = { ruleSet, assumed: false };
    const fit = fitChain(scenario, { values, targetSeconds: target, release });
    expect(fit.changes).toEqual(changes);
    for (const [key, value] of Object.entries(fit.changes))
      expect(validateTimeoutValue(key, value).ok, key).toBe(true);
    // With the changes, nothing that counts cuts before the target.
    const after = computeTimeoutChain(scenario, { values: { ...values, ...fit.changes }, release });
    const envLinks = after.links.filter((l) => l.kind === 'env');
    for (const l of envLinks) expect(l.seconds ?? 0, l.id).toBeGreaterThanOrEqual(target);
    // Minimal: putting back any one change lets that link cut again.
    for (const key of Object.keys(fit.changes)) {
      const without = { ...values, ...fit.changes };
      if (values[key] === undefined) delete without[key];
      else without[key] = values[key] as string;
      const chain = computeTimeoutChain(scenario, { values: without, release });
      expect(chain.links.find((l) => l.id === key)?.seconds ?? 0, key).toBeLessThan(target);
    }
  });

  it('a value already long enough is kept; an invalid one is replaced', () => {
    const fit = fitChain('workflow-plugin', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '600.0',
        WORKFLOW_MAX_EXECUTION_TIME: '99999',
        APP_MAX_EXECUTION_TIME: '99999',
      },
      targetSeconds: MIN30,
      release: { ruleSet: '1.16.0', assumed: false },
    });
    expect(fit.changes).toEqual({ PLUGIN_MAX_EXECUTION_TIMEOUT: '1800', PLUGIN_DAEMON_TIMEOUT: '1800.0' });
    expect(fit.steps[0]).toMatchObject({
      key: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
      from: '600.0',
      fromSeconds: null,
      effect: 'pluginKilled',
    });
  });

  it('a gap limit needs the longest silence only when the plugin streams', () => {
    const fit = fitChain('workflow-plugin', {
      values: {},
      targetSeconds: MIN30,
      silenceSeconds: 60,
      release: { ruleSet: 'newest', assumed: false },
    });
    // The daemon's gap still waits for PLUGIN_MAX_EXECUTION_TIMEOUT's kill (a guard).
    expect(fit.changes.PLUGIN_DAEMON_TIMEOUT).toBe('1800.0');
    const code = fitChain('code-node', {
      values: {},
      targetSeconds: 60,
      silenceSeconds: 5,
      release: { ruleSet: 'newest', assumed: false },
    });
    expect(code.changes).toEqual({ SANDBOX_WORKER_TIMEOUT: '60' });
  });

  it("what no key changes: the plugin's timeout= with file:line, the fixed limits (with their condition)", () => {
    const at = { file: 'tools/txt2img.py', line: 18, text: 'response = requests.post(..., timeout=120)' };
    const fit = fitChain('workflow-plugin', {
      values: {},
      targetSeconds: MIN30,
      plugin: { toolHttpTimeout: 120, at },
    });
    expect(fit.cannotChange).toEqual([
      {
        id: 'PLUGIN_TOOL_HTTP_TIMEOUT',
        kind: 'plugin',
        seconds: 120,
        effect: 'nodeFails',
        condition: null,
        at,
      },
      {
        id: 'DAEMON_HEARTBEAT',
        kind: 'fixed',
        seconds: 120,
        effect: 'pluginKilled',
        condition: 'blocksEventLoop',
      },
      {
        id: 'SDK_BACKWARDS_INVOCATION',
        kind: 'fixed',
        seconds: 250,
        effect: 'callBackFails',
        condition: 'callsBackIntoDify',
      },
    ]);
    expect(fit.verdict).toBe('blocked');
    expect(fitChain('workflow-plugin', { values: {}, targetSeconds: MIN30 }).verdict).toBe('unknown');
    expect(
      fitChain('workflow-plugin', { values: {}, targetSeconds: MIN30, plugin: { toolHttpTimeout: 3600 } })
        .verdict,
    ).toBe('fits');
    // Under the heartbeat and the SDK's limit, nothing fixed is listed.
    expect(fitChain('code-node', { values: {}, targetSeconds: 100 }).cannotChange).toEqual([]);
  });

  it('every blocker and verdict is translated', () => {
    for (const key of ['plugin', 'fixed', 'unknown', 'aboveMax'])
      expect(hasTranslation(`timeouts.fit.blockers.${key}`)).toBe(true);
    for (const key of ['fits', 'blocked', 'unknown'])
      expect(hasTranslation(`timeouts.fit.verdicts.${key}`)).toBe(true);
  });
});

describe('formatForKey and parseTargetDuration', () => {
  it.each([
    ['PLUGIN_MAX_EXECUTION_TIMEOUT', 1800, '1800'],
    ['PLUGIN_DAEMON_TIMEOUT', 1800, '1800.0'],
    ['CODE_EXECUTION_READ_TIMEOUT', 90.5, '91'],
    ['TEXT_GENERATION_TIMEOUT_MS', 1800, '1800000'],
    ['NGINX_PROXY_READ_TIMEOUT', 10800, '10800s'],
    ['PLUGIN_INSTALL_TIMEOUT', 1830, '31'],
  ])('%s %s s → %s', (key, seconds, text) => {
    expect(formatForKey(key, seconds)).toBe(text);
  });

  it.each<[string, number | null]>([
    ['90s', 90],
    ['30m', 1800],
    ['3h', 10800],
    ['1h30m', 5400],
    ['600', 600],
    [' 30M ', 1800],
    ['0', null],
    ['3 h', null],
    ['soon', null],
    ['', null],
  ])('%j → %s', (text, seconds) => {
    expect(parseTargetDuration(text)).toBe(seconds);
  });
});
