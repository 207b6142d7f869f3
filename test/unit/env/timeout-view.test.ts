/** One catalog key as the panel lists it, and the check of draft values while the user types. */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { releaseInfo } from '../../../electron/env/dify-release';
import { computeKeyReach, type Arrival } from '../../../electron/env/reach-model';
import { CHAIN_SCENARIOS } from '../../../electron/env/timeout-chain';
import { checkDraft, keyView } from '../../../electron/env/timeout-view';
import { snapOf } from './reach-helpers';

const KEY = 'PLUGIN_MAX_EXECUTION_TIMEOUT';
const PD = (name = KEY): Arrival => ({ service: 'plugin_daemon', name });

describe('keyView: what each file’s setting does', () => {
  it.each<[string, Record<string, string | null>, Record<string, Arrival[]>, Record<string, string>]>([
    [
      'the deciding file and a shadowed one',
      { '.env': `${KEY}=600\n`, 'envs/pd.env': `${KEY}=1200\n` },
      { '.env': [PD()], 'envs/pd.env': [] },
      { '.env': 'decides', 'envs/pd.env': 'shadowed' },
    ],
    [
      'reaching only a service that ignores it: unused (no reader, nothing shadowed)',
      { '.env': `${KEY}=600\n`, 'envs/web.env': `${KEY}=1200\n` },
      { '.env': [], 'envs/web.env': [{ service: 'web', name: KEY }] },
      { '.env': 'unused', 'envs/web.env': 'unused' },
    ],
    [
      'files that do not set it are not listed',
      { '.env': '', 'envs/pd.env': `${KEY}=1200\n` },
      { '.env': [PD()], 'envs/pd.env': [PD()] },
      { 'envs/pd.env': 'decides' },
    ],
  ])('%s', (_name, files, arrivals, expected) => {
    const r = computeKeyReach(KEY, snapOf(files, {}), new Map(Object.entries(arrivals)), false);
    const view = keyView(r);
    expect(Object.fromEntries(view.settings.map((s) => [s.file, s.effect]))).toEqual(expected);
  });
});

describe('keyView: the default of the running release', () => {
  it('PLUGIN_DAEMON_TIMEOUT defaults to 300 up to 1.11.1, to the catalog’s value later', () => {
    const r = computeKeyReach('PLUGIN_DAEMON_TIMEOUT', snapOf({ '.env': '' }, {}), new Map(), false);
    expect(keyView(r, releaseInfo('1.10.0')).defaultValue).toBe('300');
    expect(keyView(r, releaseInfo('1.16.0')).defaultValue).toBe(keyView(r).defaultValue);
    expect(keyView(r, releaseInfo('1.16.0')).defaultValue).not.toBe('300');
  });
});

describe('keyView: the catalog’s facts and the current value', () => {
  const reachWith = (value: string) =>
    computeKeyReach(
      'GUNICORN_TIMEOUT',
      snapOf(
        { '.env': `GUNICORN_TIMEOUT=${value}\n` },
        { api: { environment: { GUNICORN_TIMEOUT: value } } },
      ),
      new Map([['.env', [{ service: 'api', name: 'GUNICORN_TIMEOUT' }]]]),
      false,
    );

  it.each([
    ['a valid value', '3600', null],
    ['a value the reader would refuse', '3600s', 'timeouts.validation.noUnit'],
    ['out of range', '0', 'timeouts.validation.belowMin'],
  ])('%s', (_name, value, invalid) => {
    const view = keyView(reachWith(value));
    expect(view).toMatchObject({
      key: 'GUNICORN_TIMEOUT',
      defaultValue: '360',
      consumers: ['api'],
      value,
      source: 'file',
      file: '.env',
      readers: ['api'],
      settings: [{ file: '.env', value, line: 1, effect: 'decides' }],
    });
    expect(view.invalid?.key ?? null).toBe(invalid);
  });

  it('a key outside the catalog is a programming error', () => {
    const r = computeKeyReach('LOG_LEVEL', snapOf({ '.env': '' }, {}), new Map([['.env', []]]), false);
    try {
      keyView(r);
      throw new Error('expected a throw');
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('INTERNAL');
    }
  });
});

describe('checkDraft', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['all valid', { GUNICORN_TIMEOUT: '3600', LOG_LEVEL: 'INFO' }, []],
    ['one refused', { GUNICORN_TIMEOUT: '1.5', PLUGIN_DAEMON_TIMEOUT: '600.0' }, ['GUNICORN_TIMEOUT']],
    ['a bad key name', { 'BAD KEY': '1' }, ['BAD KEY']],
  ])('%s', (_name, values, refused) => {
    const result = checkDraft(values);
    expect(Object.keys(result.errors)).toEqual(refused);
    expect(result.chains.map((c) => c.scenario)).toEqual([...CHAIN_SCENARIOS]);
  });

  it('the chains follow the release: up to 1.11.1 PLUGIN_DAEMON_TIMEOUT defaults to 300 and cuts first', () => {
    const old = checkDraft({}, undefined, { ruleSet: '1.9-1.11.1', assumed: false }).chains.find(
      (c) => c.scenario === 'workflow-plugin',
    );
    expect(old).toMatchObject({ ruleSet: '1.9-1.11.1', assumed: false, effective: { seconds: 300 } });
    const unknown = checkDraft({}).chains[0];
    expect(unknown).toMatchObject({ ruleSet: 'newest', assumed: true });
  });

  it('the chains use the draft values', () => {
    const chain = checkDraft({ PLUGIN_MAX_EXECUTION_TIMEOUT: '30' }).chains.find(
      (c) => c.scenario === 'workflow-plugin',
    );
    expect(chain?.effective?.seconds).toBe(30);
  });
});
