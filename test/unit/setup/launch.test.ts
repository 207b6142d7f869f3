import { describe, expect, it, vi } from 'vitest';
import type { ComponentId, ComponentState } from '../../../electron/core/contract';
import type { SettingsView } from '../../../electron/settings/contract';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import { electronLoginItem, followLoginItem, launchStartDecision } from '../../../electron/setup/launch';

const states = (s: Partial<Record<ComponentId, ComponentState>>) => ({
  components: (['docker', 'dify', 'ollama', 'a1111'] as const).map((id) => ({
    id,
    state: s[id] ?? 'running',
    detail: '',
    reason: null,
    error: null,
  })),
});

describe('launchStartDecision', () => {
  const on = { startStackOnLaunch: true, stackComponents: [] as Settings['stackComponents'] };
  it.each([
    [
      'the setting off, everything down',
      { ...on, startStackOnLaunch: false },
      states({ dify: 'stopped' }),
      'setting-off',
    ],
    ['everything running', on, states({}), 'already-running'],
    ['Dify stopped', on, states({ dify: 'stopped' }), 'start'],
    ['Dify partly up', on, states({ dify: 'partial' }), 'start'],
    ['the engine in error', on, states({ docker: 'error' }), 'start'],
    ['A1111 not installed, the rest running', on, states({ a1111: 'unavailable' }), 'already-running'],
    ['Ollama starting already', on, states({ ollama: 'starting' }), 'already-running'],
    [
      'a component left out of the stack is down',
      { ...on, stackComponents: ['docker', 'dify'] as Settings['stackComponents'] },
      states({ ollama: 'stopped' }),
      'already-running',
    ],
  ] as const)('%s', (_name, settings, snapshot, expected) => {
    expect(launchStartDecision(settings, snapshot)).toBe(expected);
  });
});

/** A settings store stand-in: get() and onChange() over an object the test changes. */
function fakeSettings(initial: Partial<Settings>) {
  let view: SettingsView = {
    settings: SettingsSchema.parse(initial),
    path: '/x/settings.json',
    warning: null,
  };
  const listeners = new Set<(v: SettingsView) => void>();
  return {
    get: () => view,
    onChange: (l: (v: SettingsView) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    change(patch: Partial<Settings>) {
      view = { ...view, settings: { ...view.settings, ...patch } };
      for (const l of listeners) l(view);
    },
  };
}

describe('followLoginItem', () => {
  it('applies the setting once at start, then at each change of startAtLogin only', () => {
    const settings = fakeSettings({ startAtLogin: true });
    const setOpenAtLogin = vi.fn();
    const stop = followLoginItem(settings, { setOpenAtLogin });
    expect(setOpenAtLogin.mock.calls).toEqual([[true]]);

    settings.change({ language: 'ja' });
    settings.change({ startAtLogin: true });
    expect(setOpenAtLogin).toHaveBeenCalledTimes(1);

    settings.change({ startAtLogin: false });
    expect(setOpenAtLogin.mock.calls).toEqual([[true], [false]]);

    stop();
    settings.change({ startAtLogin: true });
    expect(setOpenAtLogin).toHaveBeenCalledTimes(2);
  });

  it('also applies false at start: an entry left from an earlier install is removed', () => {
    const setOpenAtLogin = vi.fn();
    followLoginItem(fakeSettings({}), { setOpenAtLogin });
    expect(setOpenAtLogin.mock.calls).toEqual([[false]]);
  });
});

describe('electronLoginItem', () => {
  it("calls Electron's setLoginItemSettings with --hidden, so a login start stays in the tray", () => {
    const setLoginItemSettings = vi.fn();
    const item = electronLoginItem(setLoginItemSettings, 'win32');
    item.setOpenAtLogin(true);
    item.setOpenAtLogin(false);
    expect(setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: true, args: ['--hidden'] }],
      [{ openAtLogin: false, args: ['--hidden'] }],
    ]);
  });

  it('calls nothing where Electron has no login items (Linux)', () => {
    const setLoginItemSettings = vi.fn();
    electronLoginItem(setLoginItemSettings, 'linux').setOpenAtLogin(true);
    expect(setLoginItemSettings).not.toHaveBeenCalled();
    electronLoginItem(setLoginItemSettings, 'darwin').setOpenAtLogin(true);
    expect(setLoginItemSettings).toHaveBeenCalledOnce();
  });
});
