import { describe, expect, it, vi } from 'vitest';
import type { ComponentState, StatusSnapshot } from '../../../electron/core/contract';
import type { SettingsView } from '../../../electron/settings/contract';
import { SettingsSchema, type Settings } from '../../../electron/settings/schema';
import { SetupService } from '../../../electron/setup/setup-service';

function snapshotWith(dify: ComponentState): StatusSnapshot {
  return {
    components: (['docker', 'dify', 'ollama', 'a1111'] as const).map((id) => ({
      id,
      state: id === 'dify' ? dify : 'running',
      detail: '',
      reason: null,
      error: null,
    })),
    project: null,
    plugins: { folders: [] },
    gpu: null,
    logs: null,
    updatedAt: 0,
  };
}

function service(settings: Partial<Settings>, before: ComponentState, after: ComponentState) {
  let snapshot = snapshotWith(before);
  const view: SettingsView = { settings: SettingsSchema.parse(settings), path: '/s.json', warning: null };
  const startComponents = vi.fn(() => ({ id: 'job', done: Promise.resolve() }));
  const refresh = vi.fn(async () => {
    snapshot = snapshotWith(after);
    return snapshot;
  });
  const setup = new SetupService({
    settings: { path: view.path, get: () => view, update: vi.fn(), onChange: () => () => undefined },
    stack: { getSnapshot: () => snapshot, refresh },
    processes: { refresh: vi.fn(async () => undefined), startComponents },
    connection: async () => ({ email: 'a@b.c', hasPassword: false }),
  });
  return { setup, startComponents, refresh };
}

describe('SetupService', () => {
  it('starts the stack at launch when asked and Dify is down after a fresh look', async () => {
    const { setup, startComponents, refresh } = service({ startStackOnLaunch: true }, 'running', 'stopped');
    expect(await setup.startStackOnLaunch()).toBe('start');
    expect(refresh).toHaveBeenCalledOnce();
    expect(startComponents).toHaveBeenCalledWith();
  });

  it('does not look or start when the setting is off, nor start what already runs', async () => {
    const off = service({ startStackOnLaunch: false }, 'stopped', 'stopped');
    expect(await off.setup.startStackOnLaunch()).toBe('setting-off');
    expect(off.refresh).not.toHaveBeenCalled();
    const up = service({ startStackOnLaunch: true }, 'stopped', 'running');
    expect(await up.setup.startStackOnLaunch()).toBe('already-running');
    expect(up.startComponents).not.toHaveBeenCalled();
  });

  it('reports setupDone and the needs from the settings, the snapshot and the login', async () => {
    const { setup } = service({ setupDone: true, difyDir: '' }, 'stopped', 'stopped');
    expect(await setup.state()).toEqual({ setupDone: true, needs: ['difyDir', 'difyLogin'] });
  });
});
