import { describe, expect, it } from 'vitest';
import type { ComponentId, ComponentState, ComponentStatus } from '../../../electron/core/contract';
import { setupNeeds, type SetupFacts } from '../../../electron/setup/setup-needs';

function component(id: ComponentId, state: ComponentState, startable?: boolean): ComponentStatus {
  return {
    id,
    state,
    detail: '',
    reason: null,
    error: null,
    ...(startable === undefined
      ? {}
      : {
          process: {
            owner: null,
            pid: null,
            startable,
            restarts: 0,
            lastExitCode: null,
            lastLines: [],
            logFile: null,
          },
        }),
  };
}

/** Everything set up: a saved folder, both programs startable, a login with its password. */
function facts(over: {
  settings?: Partial<SetupFacts['settings']>;
  project?: SetupFacts['snapshot']['project'];
  ollama?: ComponentStatus;
  a1111?: ComponentStatus;
  connection?: Partial<SetupFacts['connection']>;
}): SetupFacts {
  return {
    settings: { difyDir: '/srv/dify/docker', stackComponents: [], ...over.settings },
    snapshot: {
      project: over.project === undefined ? null : over.project,
      components: [
        component('docker', 'running'),
        component('dify', 'stopped'),
        over.ollama ?? component('ollama', 'stopped', true),
        over.a1111 ?? component('a1111', 'stopped', true),
      ],
    },
    connection: { email: 'admin@example.com', hasPassword: true, ...over.connection },
  };
}

describe('setupNeeds', () => {
  it.each([
    ['everything set up', facts({}), []],
    ['no folder saved and none detected', facts({ settings: { difyDir: '  ' } }), ['difyDir']],
    [
      'no folder saved but a project found from the labels',
      facts({ settings: { difyDir: '' }, project: { dir: '/d', name: 'docker', composeVersion: null } }),
      [],
    ],
    [
      'Ollama neither running nor startable',
      facts({ ollama: component('ollama', 'unavailable', false) }),
      ['ollama'],
    ],
    [
      'Ollama running (someone else started it)',
      facts({ ollama: component('ollama', 'running', false) }),
      [],
    ],
    ['Ollama starting', facts({ ollama: component('ollama', 'starting', false) }), []],
    [
      'Ollama without a status at all',
      { ...facts({}), snapshot: { project: null, components: [] } },
      ['ollama', 'a1111'],
    ],
    [
      'A1111 folder without a launcher',
      facts({ a1111: component('a1111', 'unavailable', false) }),
      ['a1111'],
    ],
    [
      'A1111 not set up but left out of the stack',
      facts({
        settings: { stackComponents: ['docker', 'dify', 'ollama'] },
        a1111: component('a1111', 'stopped', false),
      }),
      [],
    ],
    ['no e-mail', facts({ connection: { email: ' ' } }), ['difyLogin']],
    ['no password', facts({ connection: { hasPassword: false } }), ['difyLogin']],
    [
      'nothing set up: the wizard order',
      facts({
        settings: { difyDir: '' },
        ollama: component('ollama', 'stopped', false),
        a1111: component('a1111', 'stopped', false),
        connection: { email: '', hasPassword: false },
      }),
      ['difyDir', 'ollama', 'a1111', 'difyLogin'],
    ],
  ])('%s', (_name, input, expected) => {
    expect(setupNeeds(input)).toEqual(expected);
  });
});
