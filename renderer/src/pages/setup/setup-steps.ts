/**
 * The wizard's steps in order, which step sets up each "not configured" item main reports, and the
 * step the wizard opens on next. Pure apart from that one request slot.
 */
import type { SetupNeed } from '../../../../electron/contract';

export const SETUP_STEPS = ['docker', 'difyDir', 'programs', 'difyLogin', 'startup'] as const;
export type SetupStepId = (typeof SETUP_STEPS)[number];

export const STEP_OF_NEED: Readonly<Record<SetupNeed, SetupStepId>> = {
  difyDir: 'difyDir',
  ollama: 'programs',
  a1111: 'programs',
  difyLogin: 'difyLogin',
};

/** The step after `step`, or null after the last. */
export function nextStep(step: SetupStepId): SetupStepId | null {
  return SETUP_STEPS[SETUP_STEPS.indexOf(step) + 1] ?? null;
}

export function previousStep(step: SetupStepId): SetupStepId | null {
  const i = SETUP_STEPS.indexOf(step);
  return i > 0 ? (SETUP_STEPS[i - 1] ?? null) : null;
}

/**
 * The window's openPage takes a page id only; the dashboard's panel leaves the step it leads to here
 * and the wizard takes it when it opens (the first step when nothing was left).
 */
let requested: SetupStepId | null = null;

export function requestSetupStep(step: SetupStepId): void {
  requested = step;
}

export function takeRequestedStep(): SetupStepId {
  const step = requested ?? SETUP_STEPS[0];
  requested = null;
  return step;
}
