import { describe, expect, it } from 'vitest';
import type { TimeoutKeyView, TimeoutsView } from '../../../electron/env/contract';
import {
  changedDrafts,
  currentText,
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

  it('a plugin’s limits for the chain: MAX_REQUEST_TIMEOUT and the longest timeout= of its tool code', () => {
    const finding = (seconds: number | null, file = 'tools/t.py') => ({ seconds, file, line: 1, text: '' });
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: 'a/b',
        maxRequestTimeout: { ...finding(120), isDefault: false },
        httpTimeouts: [finding(120), finding(null), finding(60), finding(10, 'provider/p.py')],
        error: null,
      }),
    ).toEqual({ maxRequestTimeout: 120, toolHttpTimeout: 120 });
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: 'a/b',
        maxRequestTimeout: { ...finding(300), isDefault: true },
        httpTimeouts: [finding(10, 'provider/p.py')],
        error: null,
      }),
    ).toEqual({ maxRequestTimeout: 300, toolHttpTimeout: 10 });
    expect(
      pluginChainInput({
        dir: '/p',
        pluginId: null,
        maxRequestTimeout: { ...finding(null), isDefault: true },
        httpTimeouts: [],
        error: null,
      }),
    ).toEqual({ maxRequestTimeout: null, toolHttpTimeout: null });
  });
});
