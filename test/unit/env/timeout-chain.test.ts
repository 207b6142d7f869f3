import { describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { computeTimeoutChain, type ChainMessage } from '../../../electron/env/timeout-chain';

const codes = (messages: ChainMessage[]) => messages.map((m) => `${m.code}:${m.link}`);

describe('timeout chain', () => {
  it('Dify defaults: a plugin tool call ends after 600 s, set by the daemon and the API side', () => {
    const chain = computeTimeoutChain('workflowPluginTool', { values: {} });
    expect(chain.links.map((l) => l.id)).toEqual([
      'PLUGIN_TOOL_HTTP_TIMEOUT',
      'PLUGIN_MAX_REQUEST_TIMEOUT',
      'PLUGIN_MAX_EXECUTION_TIMEOUT',
      'PLUGIN_DAEMON_TIMEOUT',
      'WORKFLOW_MAX_EXECUTION_TIME',
      'APP_MAX_EXECUTION_TIME',
    ]);
    expect(chain.effective).toEqual({
      seconds: 600,
      by: ['PLUGIN_MAX_EXECUTION_TIMEOUT', 'PLUGIN_DAEMON_TIMEOUT'],
    });
    expect(chain.warnings).toEqual([]);
    expect(codes(chain.notes)).toEqual(['pluginLimitsUnknown:PLUGIN_TOOL_HTTP_TIMEOUT']);
    expect(chain.links.find((l) => l.id === 'PLUGIN_DAEMON_TIMEOUT')).toMatchObject({
      source: 'default',
      services: ['api', 'worker'],
    });
  });

  it("the user's hand-made values: the 3-hour workflow limit is pointless, the daemon cuts at 600 s", () => {
    const values = {
      GUNICORN_TIMEOUT: '3600',
      API_TOOL_DEFAULT_READ_TIMEOUT: '10800',
      SANDBOX_WORKER_TIMEOUT: '10800',
      WORKFLOW_MAX_EXECUTION_TIME: '10800',
    };
    const chain = computeTimeoutChain('workflowPluginTool', { values });
    expect(chain.effective?.seconds).toBe(600);
    expect(chain.warnings).toEqual([
      {
        code: 'cutFirst',
        link: 'WORKFLOW_MAX_EXECUTION_TIME',
        messageKey: 'timeouts.chain.warnings.cutFirst',
        params: {
          key: 'WORKFLOW_MAX_EXECUTION_TIME',
          value: 10800,
          cutBy: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
          limit: 600,
        },
      },
    ]);
    // Code nodes: the sandbox may run 3 h, but api/worker stop waiting after 60 s.
    const code = computeTimeoutChain('codeNode', { values });
    expect(code.effective).toEqual({ seconds: 60, by: ['CODE_EXECUTION_READ_TIMEOUT'] });
    expect(codes(code.warnings)).toEqual([
      'cutFirst:SANDBOX_WORKER_TIMEOUT',
      'guardBelow:CODE_EXECUTION_READ_TIMEOUT',
      'cutFirst:WORKFLOW_MAX_EXECUTION_TIME',
    ]);
  });

  it('PLUGIN_DAEMON_TIMEOUT below PLUGIN_MAX_EXECUTION_TIMEOUT: the API gives up first', () => {
    const chain = computeTimeoutChain('workflowPluginTool', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '3600',
        PLUGIN_DAEMON_TIMEOUT: '600.0',
        WORKFLOW_MAX_EXECUTION_TIME: '3600',
        APP_MAX_EXECUTION_TIME: '3600',
      },
    });
    expect(chain.effective).toEqual({ seconds: 600, by: ['PLUGIN_DAEMON_TIMEOUT'] });
    const guard = chain.warnings.find((w) => w.code === 'guardBelow');
    expect(guard?.params).toEqual({
      key: 'PLUGIN_DAEMON_TIMEOUT',
      value: 600,
      guarded: 'PLUGIN_MAX_EXECUTION_TIMEOUT',
      limit: 3600,
    });
    expect(codes(chain.warnings)).toContain('cutFirst:PLUGIN_MAX_EXECUTION_TIMEOUT');
  });

  it('WORKFLOW_MAX_EXECUTION_TIME below a raised plugin limit', () => {
    const chain = computeTimeoutChain('workflowPluginTool', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '3600',
        PLUGIN_DAEMON_TIMEOUT: '3660.0',
        APP_MAX_EXECUTION_TIME: '3600',
      },
    });
    expect(chain.effective).toEqual({ seconds: 1200, by: ['WORKFLOW_MAX_EXECUTION_TIME'] });
    const warning = chain.warnings.find((w) => w.link === 'PLUGIN_MAX_EXECUTION_TIMEOUT');
    expect(warning?.params).toMatchObject({ cutBy: 'WORKFLOW_MAX_EXECUTION_TIME', limit: 1200 });
  });

  it("known plugin limits take part: the official SD plugin's 120 s cuts everything", () => {
    const chain = computeTimeoutChain('workflowPluginTool', {
      values: {
        PLUGIN_MAX_EXECUTION_TIMEOUT: '10800',
        PLUGIN_DAEMON_TIMEOUT: '10860.0',
        WORKFLOW_MAX_EXECUTION_TIME: '10800',
      },
      plugin: { maxRequestTimeout: 120, toolHttpTimeout: 120 },
    });
    expect(chain.effective).toEqual({
      seconds: 120,
      by: ['PLUGIN_TOOL_HTTP_TIMEOUT', 'PLUGIN_MAX_REQUEST_TIMEOUT'],
    });
    expect(chain.notes).toEqual([]);
    expect(chain.warnings.map((w) => [w.link, w.params.cutBy])).toEqual([
      ['PLUGIN_MAX_EXECUTION_TIMEOUT', 'PLUGIN_TOOL_HTTP_TIMEOUT'],
      ['WORKFLOW_MAX_EXECUTION_TIME', 'PLUGIN_TOOL_HTTP_TIMEOUT'],
    ]);
  });

  it('streamed answers also pass GUNICORN_TIMEOUT and nginx', () => {
    const chain = computeTimeoutChain('streamedChat', { values: { NGINX_PROXY_READ_TIMEOUT: '2m' } });
    expect(chain.links.map((l) => l.id).slice(-2)).toEqual(['GUNICORN_TIMEOUT', 'NGINX_PROXY_READ_TIMEOUT']);
    expect(chain.effective).toEqual({ seconds: 120, by: ['NGINX_PROXY_READ_TIMEOUT'] });
  });

  it('invalid and empty values', () => {
    const chain = computeTimeoutChain('workflowPluginTool', {
      values: { PLUGIN_MAX_EXECUTION_TIMEOUT: '600.0', WORKFLOW_MAX_EXECUTION_TIME: '' },
    });
    const invalid = chain.links.find((l) => l.id === 'PLUGIN_MAX_EXECUTION_TIMEOUT');
    expect(invalid).toMatchObject({ source: 'invalid', seconds: null, raw: '600.0' });
    expect(chain.links.find((l) => l.id === 'WORKFLOW_MAX_EXECUTION_TIME')).toMatchObject({
      source: 'default',
      seconds: 1200,
    });
    expect(codes(chain.warnings)).toEqual(['invalidValue:PLUGIN_MAX_EXECUTION_TIMEOUT']);
    expect(chain.effective).toEqual({ seconds: 600, by: ['PLUGIN_DAEMON_TIMEOUT'] });
  });

  it('every message and link name is translated in both languages', () => {
    const chains = [
      computeTimeoutChain('workflowPluginTool', {
        values: { PLUGIN_MAX_EXECUTION_TIMEOUT: 'x', WORKFLOW_MAX_EXECUTION_TIME: '9000' },
      }),
      computeTimeoutChain('codeNode', { values: { SANDBOX_WORKER_TIMEOUT: '600' } }),
      computeTimeoutChain('streamedChat', { values: {} }),
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
    for (const link of chains.flatMap((c) => c.links))
      expect(hasTranslation(link.titleKey), link.titleKey).toBe(true);
    expect(translate('ja', 'timeouts.chain.effective', { seconds: 600, by: 'PLUGIN_DAEMON_TIMEOUT' })).toBe(
      'この呼び出しは、長くても 600 秒で打ち切られます（PLUGIN_DAEMON_TIMEOUT による）。',
    );
  });
});
