import { describe, expect, it } from 'vitest';
import type { TimeoutKeyView, TimeoutsView } from '../../../electron/env/contract';
import {
  changedDrafts,
  currentText,
  fitDrafts,
  parseDuration,
  pluginChainInput,
  presetDrafts,
  readerLabel,
  valuesWithDrafts,
} from '../../../renderer/src/pages/timeouts/timeout-panel';

function key(partial: Partial<TimeoutKeyView> & { key: string }): TimeoutKeyView {
  return {
    group: 'workflow',
    unit: 's',
    defaultValue: '1200',
    min: 1,
    max: 604800,
    location: 'env',
    consumers: [],
    value: null,
    source: 'notSet',
    file: null,
    suggestedFile: '.env',
    readers: [],
    readerNames: {},
    settings: [],
    noEffect: null,
    invalid: null,
    approximate: false,
    ...partial,
  };
}

const keys = [
  key({ key: 'WORKFLOW_MAX_EXECUTION_TIME' }),
  key({ key: 'SANDBOX_WORKER_TIMEOUT', value: '15', defaultValue: '15', source: 'file', file: '.env' }),
  key({
    key: 'NGINX_PROXY_READ_TIMEOUT',
    value: '3600s',
    defaultValue: '3600s',
    readerNames: { nginx: 'NGINX_PROXY_READ_TIMEOUT' },
  }),
];

describe('timeout panel helpers', () => {
  it('current text falls back to Dify’s default when nothing is passed', () => {
    expect(currentText(keys[0] as TimeoutKeyView)).toBe('1200');
    expect(currentText(keys[1] as TimeoutKeyView)).toBe('15');
  });

  it('only drafts that differ from what is in effect are changes (trimmed)', () => {
    expect(
      changedDrafts(keys, {
        WORKFLOW_MAX_EXECUTION_TIME: '1200',
        SANDBOX_WORKER_TIMEOUT: ' 10800 ',
        NGINX_PROXY_READ_TIMEOUT: '3600s',
      }),
    ).toEqual({ SANDBOX_WORKER_TIMEOUT: ' 10800 ' });
  });

  it('a preset becomes drafts for the keys it changes', () => {
    const view = {
      keys,
      presets: [{ id: 'p', values: { SANDBOX_WORKER_TIMEOUT: '15', WORKFLOW_MAX_EXECUTION_TIME: '10800' } }],
    } as unknown as TimeoutsView;
    expect(presetDrafts(view, 'p')).toEqual({ WORKFLOW_MAX_EXECUTION_TIME: '10800' });
    expect(presetDrafts(view, 'missing')).toEqual({});
  });

  it('values for the chain: in effect, drafts on top; unset keys left out', () => {
    expect(valuesWithDrafts(keys, { SANDBOX_WORKER_TIMEOUT: '60' })).toEqual({
      SANDBOX_WORKER_TIMEOUT: '60',
      NGINX_PROXY_READ_TIMEOUT: '3600s',
    });
  });

  it('names a reader’s own variable only when it differs', () => {
    const sandbox = key({ key: 'SANDBOX_WORKER_TIMEOUT', readerNames: { sandbox: 'WORKER_TIMEOUT' } });
    expect(readerLabel(sandbox, 'sandbox')).toBe('sandbox (WORKER_TIMEOUT)');
    expect(readerLabel(keys[2] as TimeoutKeyView, 'nginx')).toBe('nginx');
  });

  it('a plugin’s limit for the chain: the longest timeout= of its tool code, with where; never MAX_REQUEST_TIMEOUT', () => {
    const finding = (seconds: number | null, file = 'tools/t.py', line = 1) => ({
      seconds,
      file,
      line,
      text: `timeout=${seconds}`,
    });
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: 'a/b',
        maxRequestTimeout: { ...finding(30, 'main.py'), isDefault: false },
        httpTimeouts: [
          finding(120, 'tools/t.py', 18),
          finding(null),
          finding(60),
          finding(10, 'provider/p.py'),
        ],
        error: null,
      }),
    ).toEqual({ toolHttpTimeout: 120, at: { file: 'tools/t.py', line: 18, text: 'timeout=120' } });
    // No tools/ folder: any file but the provider's (its credential check is a short call of its own).
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: 'a/b',
        maxRequestTimeout: { ...finding(300, ''), isDefault: true },
        httpTimeouts: [finding(10, 'provider/p.py'), finding(45, 'utils/http.py', 37)],
        error: null,
      }),
    ).toMatchObject({ toolHttpTimeout: 45, at: { file: 'utils/http.py', line: 37 } });
    // MAX_REQUEST_TIMEOUT alone limits no tool call.
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: null,
        maxRequestTimeout: { ...finding(120, 'main.py'), isDefault: false },
        httpTimeouts: [],
        error: null,
      }),
    ).toEqual({ toolHttpTimeout: null, at: null });
  });

  it.each<[string, number | null]>([
    ['90s', 90],
    ['30m', 1800],
    ['3h', 10800],
    ['1800', 1800],
    ['3 hours', null],
  ])('parseDuration(%j) → %s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('the fit as drafts: only what differs from what is in effect', () => {
    expect(fitDrafts(keys, { WORKFLOW_MAX_EXECUTION_TIME: '1800', NOT_LISTED: '1' })).toEqual({
      WORKFLOW_MAX_EXECUTION_TIME: '1800',
    });
  });
});
