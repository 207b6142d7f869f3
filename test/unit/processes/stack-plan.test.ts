import { describe, expect, it } from 'vitest';
import type { ComponentId } from '../../../electron/core/contract';
import { planSteps } from '../../../electron/processes/stack-plan';

const all = () => true;
const noA1111 = (id: ComponentId) => id !== 'a1111';
const ids = (steps: { id: ComponentId }[]) => steps.map((s) => s.id);

describe('planSteps', () => {
  it('starts the whole stack bottom-up: engine, Ollama, A1111, Dify', () => {
    expect(ids(planSteps('start', undefined, { stackComponents: [] }, all))).toEqual([
      'docker',
      'ollama',
      'a1111',
      'dify',
    ]);
  });

  it('stops it top-down and leaves the engine running unless it is named', () => {
    expect(ids(planSteps('stop', [], { stackComponents: [] }, all))).toEqual(['dify', 'a1111', 'ollama']);
    expect(ids(planSteps('stop', ['docker', 'dify'], { stackComponents: [] }, all))).toEqual([
      'dify',
      'docker',
    ]);
  });

  it('leaves out what is not set up, unless the setting or the command names it', () => {
    expect(ids(planSteps('start', undefined, { stackComponents: [] }, noA1111))).toEqual([
      'docker',
      'ollama',
      'dify',
    ]);
    expect(ids(planSteps('start', undefined, { stackComponents: ['dify', 'a1111'] }, noA1111))).toEqual([
      'a1111',
      'dify',
    ]);
  });

  it('puts named components in stack order, once each, and marks them explicit', () => {
    const steps = planSteps('start', ['dify', 'ollama', 'dify'], { stackComponents: ['a1111'] }, all);
    expect(steps).toEqual([
      { id: 'ollama', explicit: true },
      { id: 'dify', explicit: true },
    ]);
    expect(planSteps('start', [], { stackComponents: [] }, all).every((s) => !s.explicit)).toBe(true);
  });
});
