/**
 * The preload allows exactly the contract's channels and events, from a zod-free copy of the names
 * (electron/channel-names.ts). contract.ts checks the two sets at compile time; this checks the run-time
 * lists as well: no name twice, none missing, none extra, and the IPC names spelt as main registers them.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_NAME_LIST, INVOKE_CHANNEL_NAMES } from '../../../electron/channel-names';
import {
  EVENT_NAMES,
  eventContract,
  eventIpcName,
  INVOKE_CHANNELS,
  invokeContract,
  invokeIpcName,
} from '../../../electron/contract';

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('zod-free channel names', () => {
  it('lists every invoke channel of the contract once, and nothing else', () => {
    expect(new Set(INVOKE_CHANNEL_NAMES).size).toBe(INVOKE_CHANNEL_NAMES.length);
    expect(sorted(INVOKE_CHANNEL_NAMES)).toEqual(sorted(Object.keys(invokeContract)));
    expect(sorted(INVOKE_CHANNEL_NAMES)).toEqual(sorted(INVOKE_CHANNELS));
  });

  it('lists every event of the contract once, and nothing else', () => {
    expect(new Set(EVENT_NAME_LIST).size).toBe(EVENT_NAME_LIST.length);
    expect(sorted(EVENT_NAME_LIST)).toEqual(sorted(Object.keys(eventContract)));
    expect(sorted(EVENT_NAME_LIST)).toEqual(sorted(EVENT_NAMES));
  });

  it('spells the IPC names with a prefix per direction, one name per channel', () => {
    const names = [...INVOKE_CHANNELS.map(invokeIpcName), ...EVENT_NAMES.map(eventIpcName)];
    expect(new Set(names).size).toBe(names.length);
    expect(invokeIpcName('status:get')).toBe('invoke:status:get');
    expect(eventIpcName('status')).toBe('event:status');
  });
});
