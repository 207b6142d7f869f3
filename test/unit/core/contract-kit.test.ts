import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineInvoke, mergePieces } from '../../../electron/core/contract-kit';
import { EVENT_NAMES, INVOKE_CHANNELS, invokeContract } from '../../../electron/contract';

describe('mergePieces', () => {
  const a = defineInvoke({ 'a:one': { input: z.object({}), output: z.string() } });
  const b = defineInvoke({ 'b:one': { input: z.object({}), output: z.number() } });

  it('merges the pieces of several capabilities into one table', () => {
    const merged = mergePieces('invoke channel', a, b);
    expect(Object.keys(merged)).toEqual(['a:one', 'b:one']);
    expect(merged['b:one'].output.parse(3)).toBe(3);
  });

  it('refuses a name that two pieces both define', () => {
    const clash = defineInvoke({ 'a:one': { input: z.object({}), output: z.boolean() } });
    expect(() => mergePieces('invoke channel', a, b, clash)).toThrow(
      'invoke channel "a:one" is defined by two capabilities',
    );
  });
});

describe('the merged contract', () => {
  it('has every capability channel once, named <area>:<verb>', () => {
    expect(new Set(INVOKE_CHANNELS).size).toBe(INVOKE_CHANNELS.length);
    for (const channel of INVOKE_CHANNELS) expect(channel).toMatch(/^[a-z]+:[a-zA-Z][a-zA-Z0-9]*$/);
    // One channel from each piece: core, stack, settings, env, plugins, processes.
    for (const channel of [
      'jobs:list',
      'stack:restartService',
      'settings:get',
      'timeouts:apply',
      'plugins:reinstall',
      'components:start',
    ])
      expect(invokeContract).toHaveProperty([channel]);
    expect(EVENT_NAMES).toEqual(expect.arrayContaining(['job', 'status', 'settings']));
  });
});
