import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { statusJson } from '../../../electron/cli/cli-format';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import {
  ComponentIdSchema,
  StatusSnapshotSchema,
  type ComponentStatus,
  type StatusSnapshot,
} from '../../../electron/core/contract';
import { JobManager } from '../../../electron/core/jobs';
import { PluginService } from '../../../electron/plugins/plugin-service';
import { EnvSecretStore } from '../../../electron/plugins/secrets';
import { SettingsStore } from '../../../electron/settings/store';
import { useTempDir } from '../../helpers/use-temp-dir';

const component = (
  id: ComponentStatus['id'],
  state: ComponentStatus['state'] = 'running',
): ComponentStatus => ({
  id,
  state,
  detail: `${id} is ${state}`,
  reason: null,
  error: null,
});
const PROJECT = { dir: '/srv/dify/docker', name: 'docker', composeVersion: 'v2 2.29.1' };
const FIXTURE_PLUGIN = path.resolve(__dirname, '../../fixtures/plugins/sd-tool');

/** Lets the store's once-per-tick notification go out. */
const tick = () => new Promise((r) => setTimeout(r, 0));

function recorder(store: AppSnapshotStore): StatusSnapshot[] {
  const heard: StatusSnapshot[] = [];
  store.onChange((s) => heard.push(s));
  return heard;
}

describe('AppSnapshotStore', () => {
  it('starts empty and valid for the contract', () => {
    const store = new AppSnapshotStore({ now: () => 1000 });
    expect(store.get()).toEqual({
      components: [],
      project: null,
      plugins: { folders: [] },
      gpu: null,
      logs: null,
      updatedAt: 1000,
    });
    expect(StatusSnapshotSchema.safeParse(store.get()).success).toBe(true);
  });

  it('keeps each writer’s part: a write replaces only the writer’s own slice', () => {
    const store = new AppSnapshotStore();
    store.update('stack', { components: [component('docker'), component('dify')], project: PROJECT });
    store.update('plugins', { folders: [{ dir: '/p/sd', name: 'SD' }] });
    store.update('processes', { components: [component('ollama')] });

    // The stack's next reading knows nothing of plugins or Ollama, and must not wipe them.
    store.update('stack', { components: [component('docker'), component('dify', 'stopped')], project: null });
    expect(store.get()).toMatchObject({
      components: [component('docker'), component('dify', 'stopped'), component('ollama')],
      project: null,
      plugins: { folders: [{ dir: '/p/sd', name: 'SD' }] },
      gpu: null,
      logs: null,
    });
    // And the plugin service's next write leaves the components alone.
    store.part('plugins').set({ folders: [] });
    expect(store.get().components.map((c) => c.id)).toEqual(['docker', 'dify', 'ollama']);
    expect(store.get().project).toBeNull();
  });

  it('refuses a component written by the part that does not own it', () => {
    const store = new AppSnapshotStore();
    store.update('stack', { components: [component('docker')], project: null });
    expect(() => store.update('processes', { components: [component('docker', 'stopped')] })).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }) as Error,
    );
    expect(() => store.update('stack', { components: [component('a1111')], project: null })).toThrow();
    // A refused write changes nothing.
    expect(store.get().components).toEqual([component('docker')]);
  });

  it('lists components docker, dify, ollama, a1111 whoever wrote them first and in whatever order', () => {
    const store = new AppSnapshotStore();
    store.update('processes', { components: [component('a1111'), component('ollama')] });
    store.update('stack', { components: [component('dify'), component('docker')], project: null });
    expect(store.get().components.map((c) => c.id)).toEqual(['docker', 'dify', 'ollama', 'a1111']);
    // The store's order is written out (no zod in the CLI's quick status): the contract's order.
    expect(store.get().components.map((c) => c.id)).toEqual(ComponentIdSchema.options);
  });

  it('tells its listeners once per tick, with the latest snapshot', async () => {
    const store = new AppSnapshotStore();
    const heard = recorder(store);
    store.update('stack', { components: [component('docker')], project: null });
    store.update('plugins', { folders: [{ dir: '/p/a', name: 'A' }] });
    store.update('stack', { components: [component('docker'), component('dify')], project: PROJECT });
    expect(heard).toEqual([]);
    await tick();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(store.get());
    expect(heard[0]?.components.map((c) => c.id)).toEqual(['docker', 'dify']);
    expect(heard[0]?.plugins.folders).toHaveLength(1);

    store.update('plugins', { folders: [] });
    await tick();
    expect(heard).toHaveLength(2);
  });

  it('moves updatedAt on every write but tells listeners only about real changes', async () => {
    let clock = 5000;
    const store = new AppSnapshotStore({ now: () => clock });
    const heard = recorder(store);
    const part = { components: [component('docker')], project: null };
    store.update('stack', part);
    await tick();
    const first = store.get().updatedAt;
    clock = 6000;
    // Same picture again (a refresh that found nothing new): the time moves, nobody is woken.
    const again = store.update('stack', { components: [component('docker')], project: null });
    await tick();
    expect(again.updatedAt).toBe(6000);
    expect(again.updatedAt).toBeGreaterThan(first);
    expect(heard).toHaveLength(1);
  });

  it('never hands out two snapshots with the same updatedAt, even within one millisecond', () => {
    const store = new AppSnapshotStore({ now: () => 7 });
    const a = store.update('plugins', { folders: [{ dir: '/a', name: 'a' }] }).updatedAt;
    const b = store.update('plugins', { folders: [] }).updatedAt;
    expect(b).toBeGreaterThan(a);
  });

  it('keeps telling the others when one listener throws, and stops after unsubscribe or dispose', async () => {
    const errors: unknown[] = [];
    const store = new AppSnapshotStore({ onListenerError: (e) => errors.push(e) });
    store.onChange(() => {
      throw new Error('broken view');
    });
    const heard = recorder(store);
    const late = vi.fn();
    const off = store.onChange(late);
    off();
    store.update('plugins', { folders: [{ dir: '/a', name: 'a' }] });
    await tick();
    expect(heard).toHaveLength(1);
    expect(late).not.toHaveBeenCalled();
    expect(errors).toEqual([new Error('broken view')]);

    store.dispose();
    store.update('plugins', { folders: [] });
    await tick();
    expect(heard).toHaveLength(1);
    expect(store.get().plugins.folders).toEqual([]);
  });

  it('leaves the documented `status --json` shape as it was: components only', () => {
    const store = new AppSnapshotStore();
    store.update('stack', {
      components: [
        component('docker'),
        {
          ...component('dify', 'partial'),
          services: [
            {
              name: 'api',
              state: 'running',
              health: 'healthy',
              containerId: 'c1',
              oneShot: false,
              exitCode: null,
            },
          ],
        },
      ],
      project: PROJECT,
    });
    store.update('plugins', { folders: [{ dir: '/p/sd', name: 'SD' }] });
    const json = statusJson(store.get());
    expect(Object.keys(json)).toEqual(['components']);
    expect(json).toEqual({
      components: [
        { id: 'docker', state: 'running', detail: 'docker is running' },
        {
          id: 'dify',
          state: 'partial',
          detail: 'dify is partial',
          services: [{ name: 'api', state: 'running', health: 'healthy', containerId: 'c1' }],
        },
      ],
    });
  });
});

describe('the plugin service’s part', () => {
  const tmp = useTempDir('dst-app-snapshot-');

  it('lists the registered folders at once by folder name, then by the plugin’s own name', async () => {
    const dir = path.join(tmp(), 'my plugin');
    await fs.cp(FIXTURE_PLUGIN, dir, { recursive: true });
    const settings = await SettingsStore.open(path.join(tmp(), 'settings.json'));
    const store = new AppSnapshotStore();
    const heard = recorder(store);
    const plugins = new PluginService({
      jobs: new JobManager(),
      settings,
      secrets: new EnvSecretStore({}),
      dataDir: tmp(),
      snapshot: store.part('plugins'),
    });
    store.update('stack', { components: [component('docker')], project: null });
    expect(store.get().plugins).toEqual({ folders: [] });

    await settings.update({ pluginDirs: [dir] });
    expect(store.get().plugins).toEqual({ folders: [{ dir, name: 'my plugin' }] });
    await vi.waitFor(() =>
      expect(store.get().plugins).toEqual({ folders: [{ dir, name: 'Stable Diffusion (local)' }] }),
    );
    expect(heard.at(-1)?.plugins.folders[0]?.name).toBe('Stable Diffusion (local)');
    expect(store.get().components).toEqual([component('docker')]);

    await plugins.removeProject(dir);
    expect(store.get().plugins).toEqual({ folders: [] });
    plugins.dispose();
  });
});
