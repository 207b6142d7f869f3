/**
 * The timeout chains against facts.md's "Timeout keys" (checked against the source of Dify, the plugin
 * daemon, the python SDK and the sandbox): per scenario and per release boundary, which links a call
 * passes, what each does when it fires, and which one ends the call first.
 */
import { describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { RULE_SETS, type RuleSetId } from '../../../electron/env/dify-release';
import {
  CHAIN_SCENARIOS,
  computeTimeoutChain,
  type ChainMessage,
  type ChainResult,
  type ChainScenario,
} from '../../../electron/env/timeout-chain';

const codes = (messages: ChainMessage[]) => messages.map((m) => `${m.code}:${m.link}`);
const release = (ruleSet: RuleSetId) => ({ ruleSet, assumed: false });
const ids = (c: ChainResult) => c.links.map((l) => l.id);
const link = (c: ChainResult, id: string) => c.links.find((l) => l.id === id);

const PLUGIN = ['PLUGIN_TOOL_HTTP_TIMEOUT', 'DAEMON_HEARTBEAT', 'SDK_BACKWARDS_INVOCATION'];
const DAEMON = ['PLUGIN_MAX_EXECUTION_TIMEOUT', 'PLUGIN_DAEMON_TIMEOUT'];
const OLD_RUN = ['APP_MAX_EXECUTION_TIME', 'WORKFLOW_MAX_EXECUTION_TIME'];
const NEW_RUN = ['WORKFLOW_MAX_EXECUTION_TIME'];

describe('timeout chain: links per scenario and release', () => {
  // [scenario, rule set, links in order, first cut with Dify's defaults]
  it.each<[ChainScenario, RuleSetId, string[], { seconds: number; by: string[] }]>([
    // ≤ 1.11.1: PLUGIN_DAEMON_TIMEOUT defaults to 300 (not in .env), so it cuts first.
    [
      'workflow-plugin',
      'upTo1.8',
      [...PLUGIN, ...DAEMON, ...OLD_RUN],
      { seconds: 300, by: ['PLUGIN_DAEMON_TIMEOUT'] },
    ],
    [
      'workflow-plugin',
      '1.9-1.11.1',
      [...PLUGIN, ...DAEMON, ...OLD_RUN],
      { seconds: 300, by: ['PLUGIN_DAEMON_TIMEOUT'] },
    ],
    ['workflow-plugin', '1.12-1.15', [...PLUGIN, ...DAEMON, ...OLD_RUN], { seconds: 600, by: DAEMON }],
    ['workflow-plugin', '1.16.0', [...PLUGIN, ...DAEMON, ...OLD_RUN], { seconds: 600, by: DAEMON }],
    // Newest: APP_MAX watches chat apps only; WORKFLOW_MAX is the workflow's watchdog.
    ['workflow-plugin', 'newest', [...PLUGIN, ...DAEMON, ...NEW_RUN], { seconds: 600, by: DAEMON }],
    // The published web app stops waiting after 60 s, whatever the release.
    ...RULE_SETS.map((r): [ChainScenario, RuleSetId, string[], { seconds: number; by: string[] }] => [
      'webapp-workflow-plugin',
      r,
      [...PLUGIN, ...DAEMON, ...(r === 'newest' ? NEW_RUN : OLD_RUN), 'TEXT_GENERATION_TIMEOUT_MS'],
      { seconds: 60, by: ['TEXT_GENERATION_TIMEOUT_MS'] },
    ]),
    // A streamed chat: no GUNICORN_TIMEOUT (gevent heartbeat), no nginx (pings every 10 s), no workflow limit.
    ...RULE_SETS.map((r): [ChainScenario, RuleSetId, string[], { seconds: number; by: string[] }] => [
      'chat-plugin',
      r,
      [...PLUGIN, ...DAEMON, 'APP_MAX_EXECUTION_TIME'],
      r === 'upTo1.8' || r === '1.9-1.11.1'
        ? { seconds: 300, by: ['PLUGIN_DAEMON_TIMEOUT'] }
        : { seconds: 600, by: DAEMON },
    ]),
    // A blocking call: nginx's read timeout sees the whole call as one silence.
    [
      'blocking-api',
      '1.16.0',
      [...PLUGIN, ...DAEMON, ...OLD_RUN, 'NGINX_PROXY_READ_TIMEOUT'],
      { seconds: 600, by: DAEMON },
    ],
    [
      'blocking-api',
      'newest',
      [...PLUGIN, ...DAEMON, ...NEW_RUN, 'NGINX_PROXY_READ_TIMEOUT'],
      { seconds: 600, by: DAEMON },
    ],
    [
      'http-node',
      '1.12-1.15',
      ['HTTP_REQUEST_MAX_READ_TIMEOUT', ...OLD_RUN],
      { seconds: 600, by: ['HTTP_REQUEST_MAX_READ_TIMEOUT'] },
    ],
    [
      'http-node',
      'newest',
      ['HTTP_REQUEST_MAX_READ_TIMEOUT', ...NEW_RUN],
      { seconds: 600, by: ['HTTP_REQUEST_MAX_READ_TIMEOUT'] },
    ],
    [
      'code-node',
      'upTo1.8',
      ['SANDBOX_WORKER_TIMEOUT', 'CODE_EXECUTION_READ_TIMEOUT', ...OLD_RUN],
      { seconds: 15, by: ['SANDBOX_WORKER_TIMEOUT'] },
    ],
    [
      'code-node',
      'newest',
      ['SANDBOX_WORKER_TIMEOUT', 'CODE_EXECUTION_READ_TIMEOUT', ...NEW_RUN],
      { seconds: 15, by: ['SANDBOX_WORKER_TIMEOUT'] },
    ],
  ])('%s under %s', (scenario, ruleSet, links, first) => {
    const chain = computeTimeoutChain(scenario, { values: {}, release: release(ruleSet) });
    expect(ids(chain)).toEqual(links);
    expect(chain.effective).toEqual(first);
    expect(chain).toMatchObject({ ruleSet, assumed: false });
    // Never in a chain: MAX_REQUEST_TIMEOUT (SDK: serverless only) and GUNICORN_TIMEOUT (a heartbeat).
    expect(ids(chain).some((id) => /MAX_REQUEST_TIMEOUT|GUNICORN/.test(id))).toBe(false);
  });

  // [rule set, WORKFLOW_MAX's measure and effect, APP_MAX in a workflow chain]
  it.each<[RuleSetId, string, string, boolean]>([
    ['upTo1.8', 'beforeNode', 'runAbortedBeforeNextNode', true],
    ['1.9-1.11.1', 'nodeEnd', 'runAbortedAtNodeEnd', true],
    ['1.12-1.15', 'nodeEnd', 'runAbortedAtNodeEnd', true],
    ['1.16.0', 'nodeEnd', 'runAbortedAtNodeEnd', true],
    ['newest', 'watchdog', 'runStopped', false],
  ])(
    'WORKFLOW_MAX_EXECUTION_TIME and APP_MAX_EXECUTION_TIME under %s',
    (ruleSet, measure, effect, appMax) => {
      const chain = computeTimeoutChain('workflow-plugin', { values: {}, release: release(ruleSet) });
      expect(link(chain, 'WORKFLOW_MAX_EXECUTION_TIME')).toMatchObject({
        measure,
        effect,
        outsideContinues: true,
      });
      expect(link(chain, 'APP_MAX_EXECUTION_TIME') !== undefined).toBe(appMax);
      if (appMax)
        expect(link(chain, 'APP_MAX_EXECUTION_TIME')).toMatchObject({
          measure: 'watchdog',
          effect: 'runStopped',
        });
      // A chat is watched by APP_MAX in every release (newest: chat/completion/agent only).
      const chat = computeTimeoutChain('chat-plugin', { values: {}, release: release(ruleSet) });
      expect(link(chat, 'APP_MAX_EXECUTION_TIME')).toMatchObject({
        measure: 'watchdog',
        effect: 'runStopped',
      });
    },
  );

  it('PLUGIN_DAEMON_TIMEOUT: a gap, 300 by default up to 1.11.1 and 600 later; a set value wins', () => {
    for (const [ruleSet, seconds] of [
      ['upTo1.8', 300],
      ['1.9-1.11.1', 300],
      ['1.12-1.15', 600],
      ['1.16.0', 600],
      ['newest', 600],
    ] as const) {
      const chain = computeTimeoutChain('workflow-plugin', { values: {}, release: release(ruleSet) });
      expect(link(chain, 'PLUGIN_DAEMON_TIMEOUT')).toMatchObject({
        seconds,
        measure: 'gap',
        source: 'default',
      });
    }
    const set = computeTimeoutChain('workflow-plugin', {
      values: { PLUGIN_DAEMON_TIMEOUT: '900.0' },
      release: release('1.9-1.11.1'),
    });
    expect(link(set, 'PLUGIN_DAEMON_TIMEOUT')).toMatchObject({ seconds: 900, source: 'value' });
  });

  it('each link says what happens when it fires, and whether A1111 keeps generating', () => {
    const chain = computeTimeoutChain('webapp-workflow-plugin', { values: {}, release: release('1.16.0') });
    expect(
      Object.fromEntries(
        chain.links.map((l) => [l.id, [l.kind, l.effect, l.outsideContinues, l.condition, l.counts]]),
      ),
    ).toEqual({
      PLUGIN_TOOL_HTTP_TIMEOUT: ['plugin', 'nodeFails', true, null, true],
      DAEMON_HEARTBEAT: ['fixed', 'pluginKilled', true, 'blocksEventLoop', false],
      SDK_BACKWARDS_INVOCATION: ['fixed', 'callBackFails', null, 'callsBackIntoDify', false],
      PLUGIN_MAX_EXECUTION_TIMEOUT: ['env', 'pluginKilled', true, null, true],
      PLUGIN_DAEMON_TIMEOUT: ['env', 'nodeFails', true, null, true],
      APP_MAX_EXECUTION_TIME: ['env', 'runStopped', true, null, true],
      WORKFLOW_MAX_EXECUTION_TIME: ['env', 'runAbortedAtNodeEnd', true, null, true],
      TEXT_GENERATION_TIMEOUT_MS: ['env', 'uiStopsWaiting', true, null, true],
    });
    expect(link(chain, 'DAEMON_HEARTBEAT')).toMatchObject({ seconds: 120, source: 'fixed' });
    expect(link(chain, 'SDK_BACKWARDS_INVOCATION')).toMatchObject({ seconds: 250, source: 'fixed' });
    expect(link(chain, 'TEXT_GENERATION_TIMEOUT_MS')).toMatchObject({ seconds: 60, services: ['web'] });
  });

  it('facts.md: a 30-min plugin call with each cut raised in turn', () => {
    const r = release('1.16.0');
    const plugin = { toolHttpTimeout: 120, at: { file: 'tools/txt2img.py', line: 18, text: 'timeout=120' } };
    const steps: Array<[Record<string, string>, string[]]> = [
      [{}, ['TEXT_GENERATION_TIMEOUT_MS']],
      [{ TEXT_GENERATION_TIMEOUT_MS: '1800000' }, ['PLUGIN_TOOL_HTTP_TIMEOUT']],
    ];
    for (const [values, by] of steps) {
      expect(
        computeTimeoutChain('webapp-workflow-plugin', { values, plugin, release: r }).effective?.by,
      ).toEqual(by);
    }
    const noPluginCut = { PLUGIN_MAX_EXECUTION_TIMEOUT: '1800', PLUGIN_DAEMON_TIMEOUT: '1800.0' };
    expect(computeTimeoutChain('workflow-plugin', { values: noPluginCut, release: r }).effective).toEqual({
      seconds: 1200,
      by: ['APP_MAX_EXECUTION_TIME', 'WORKFLOW_MAX_EXECUTION_TIME'],
    });
    // Newest main: the workflow's watchdog is WORKFLOW_MAX alone.
    expect(
      computeTimeoutChain('workflow-plugin', { values: noPluginCut, release: release('newest') }).effective,
    ).toEqual({ seconds: 1200, by: ['WORKFLOW_MAX_EXECUTION_TIME'] });
    expect(
      link(
        computeTimeoutChain('workflow-plugin', { values: {}, plugin, release: r }),
        'PLUGIN_TOOL_HTTP_TIMEOUT',
      ),
    ).toMatchObject({
      seconds: 120,
      source: 'plugin',
      at: { file: 'tools/txt2img.py', line: 18 },
    });
  });

  it('no release: the newest rules, marked assumed', () => {
    const chain = computeTimeoutChain('workflow-plugin', { values: {} });
    expect(chain).toMatchObject({ ruleSet: 'newest', assumed: true });
  });
});

describe('timeout chain: warnings', () => {
  it("the user's hand-made values: the 3-hour workflow limit is pointless, the daemon cuts at 600 s", () => {
    const values = {
      GUNICORN_TIMEOUT: '3600',
      SANDBOX_WORKER_TIMEOUT: '10800',
      WORKFLOW_MAX_EXECUTION_TIME: '10800',
    };
    const chain = computeTimeoutChain('workflow-plugin', { values, release: release('1.16.0') });
    expect(chain.effective?.seconds).toBe(600);
    expect(codes(chain.warnings)).toEqual(['cutFirst:WORKFLOW_MAX_EXECUTION_TIME']);
    expect(chain.warnings[0]?.params).toEqual({
      key: 'WORKFLOW_MAX_EXECUTION_TIME',
      value: 10800,
      cutBy: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
      limit: 600,
    });
    // Code nodes: the sandbox may run 3 h, but api/worker stop waiting after 60 s.
    const code = computeTimeoutChain('code-node', { values, release: release('1.16.0') });
    expect(code.effective).toEqual({ seconds: 60, by: ['CODE_EXECUTION_READ_TIMEOUT'] });
    expect(codes(code.warnings)).toEqual([
      'cutFirst:SANDBOX_WORKER_TIMEOUT',
      'guardBelow:CODE_EXECUTION_READ_TIMEOUT',
      'cutFirst:WORKFLOW_MAX_EXECUTION_TIME',
    ]);
  });

  it('PLUGIN_DAEMON_TIMEOUT below PLUGIN_MAX_EXECUTION_TIMEOUT: the API gives up first', () => {
    const chain = computeTimeoutChain('workflow-plugin', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '3600',
        PLUGIN_DAEMON_TIMEOUT: '600.0',
        WORKFLOW_MAX_EXECUTION_TIME: '3600',
        APP_MAX_EXECUTION_TIME: '3600',
      },
    });
    expect(chain.effective).toEqual({ seconds: 600, by: ['PLUGIN_DAEMON_TIMEOUT'] });
    expect(chain.warnings.find((w) => w.code === 'guardBelow')?.params).toEqual({
      key: 'PLUGIN_DAEMON_TIMEOUT',
      value: 600,
      guarded: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
      limit: 3600,
    });
  });

  it('conditional fixed links are shown but do not decide the first cut', () => {
    const chain = computeTimeoutChain('workflow-plugin', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10800.0',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
      },
    });
    expect(chain.effective).toEqual({
      seconds: 10800,
      by: ['PLUGIN_MAX_EXECUTION_TIMEOUT', 'PLUGIN_DAEMON_TIMEOUT', 'WORKFLOW_MAX_EXECUTION_TIME'],
    });
  });

  it('invalid and empty values', () => {
    const chain = computeTimeoutChain('workflow-plugin', {
      values: { PLUGIN_MAX_EXECUTION_TIMEOUT: '600.0', WORKFLOW_MAX_EXECUTION_TIME: '' },
    });
    expect(link(chain, 'PLUGIN_MAX_EXECUTION_TIMEOUT')).toMatchObject({
      source: 'invalid',
      seconds: null,
      raw: '600.0',
    });
    expect(link(chain, 'WORKFLOW_MAX_EXECUTION_TIME')).toMatchObject({ source: 'default', seconds: 1200 });
    expect(codes(chain.warnings)).toEqual(['invalidValue:PLUGIN_MAX_EXECUTION_TIMEOUT']);
    expect(chain.effective).toEqual({ seconds: 600, by: ['PLUGIN_DAEMON_TIMEOUT'] });
  });

  it('every message, link name, effect, measure, condition and rule set is translated in both languages', () => {
    const chains = [
      ...CHAIN_SCENARIOS.flatMap((s) =>
        RULE_SETS.map((r) => computeTimeoutChain(s, { values: {}, release: release(r) })),
      ),
      computeTimeoutChain('workflow-plugin', {
        values: { PLUGIN_MAX_EXECUTION_TIMEOUT: 'x', WORKFLOW_MAX_EXECUTION_TIME: '9000' },
      }),
      computeTimeoutChain('code-node', { values: { SANDBOX_WORKER_TIMEOUT: '600' } }),
    ];
    const messages = chains.flatMap((c) => [...c.warnings, ...c.notes]);
    expect(new Set(messages.map((m) => m.code))).toEqual(
      new Set(['invalidValue', 'cutFirst', 'guardBelow', 'pluginLimitsUnknown']),
    );
    for (const m of messages) {
      for (const lang of ['en', 'ja'] as const) {
        const text = translate(lang, m.messageKey, m.params);
        expect(text, `${lang} ${m.messageKey}`).not.toContain('{{');
        expect(text).not.toBe(m.messageKey);
      }
    }
    const keys = new Set<string>();
    for (const c of chains) {
      keys.add(`timeouts.chain.scenarios.${c.scenario}`).add(`timeouts.chain.ruleSets.${c.ruleSet}`);
      for (const l of c.links) {
        keys
          .add(l.titleKey)
          .add(`timeouts.chain.effects.${l.effect}`)
          .add(`timeouts.chain.measures.${l.measure}`);
        if (l.condition) keys.add(`timeouts.chain.conditions.${l.condition}`);
      }
    }
    for (const key of keys) expect(hasTranslation(key), key).toBe(true);
    expect(translate('ja', 'timeouts.chain.effective', { seconds: 600, by: 'PLUGIN_DAEMON_TIMEOUT' })).toBe(
      'この呼び出しが最初に当たる上限: 600 秒（PLUGIN_DAEMON_TIMEOUT）。',
    );
  });
});
