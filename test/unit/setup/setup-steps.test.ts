import { describe, expect, it } from 'vitest';
import { SetupNeedSchema } from '../../../electron/setup/contract';
import {
  nextStep,
  previousStep,
  requestSetupStep,
  SETUP_STEPS,
  STEP_OF_NEED,
  takeRequestedStep,
} from '../../../renderer/src/pages/setup/setup-steps';

describe('the wizard steps', () => {
  it('walks forward and back in order, with nothing past either end', () => {
    expect(SETUP_STEPS.map(nextStep)).toEqual(['difyDir', 'programs', 'difyLogin', 'startup', null]);
    expect(SETUP_STEPS.map(previousStep)).toEqual([null, 'docker', 'difyDir', 'programs', 'difyLogin']);
  });

  it('has a step for every need main reports, in the same order as the needs', () => {
    const steps = SetupNeedSchema.options.map((need) => STEP_OF_NEED[need]);
    expect(steps).toEqual(['difyDir', 'programs', 'programs', 'difyLogin']);
    const order = steps.map((s) => SETUP_STEPS.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('opens on the requested step once, then on the first step again', () => {
    expect(takeRequestedStep()).toBe('docker');
    requestSetupStep('difyLogin');
    expect(takeRequestedStep()).toBe('difyLogin');
    expect(takeRequestedStep()).toBe('docker');
  });
});
