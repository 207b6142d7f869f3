/**
 * The StackService facade over a socket where no engine listens: its snapshot is the app snapshot's
 * (getSnapshot/onSnapshot/refresh are what IPC, the E2E harness and the CLI use), and dispose lets go
 * of its own listeners only. Status and jobs on a real engine: test/integration/stack.test.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import type { StatusSnapshot } from '../../../electron/core/contract';
import { JobManager } from '../../../electron/core/jobs';
import { SettingsSchema } from '../../../electron/settings/schema';
import { StackService } from '../../../electron/stack/stack-service';
import { useTempDir } from '../../helpers/use-temp-dir';

const tmp = useTempDir('dst-stack-service-');

function service(store: AppSnapshotStore) {
  return new StackService({
    jobs: new JobManager(),
    getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: '/srv/dify/docker' }),
    platform: 'linux',
    // No engine here, and no docker CLI on PATH: "not installed".
    env: { DOCKER_HOST: `unix://${path.join(tmp(), 'no-engine.sock')}`, PATH: '' },
    snapshot: store,
  });
}

describe('StackService', () => {
  it('writes its status into the app snapshot and reads it back from there', async () => {
    const store = new AppSnapshotStore();
    store.update('plugins', { folders: [{ dir: '/p/sd', name: 'SD' }] });
    const stack = service(store);
    expect(stack.getSnapshot()).toBe(store.get());
    expect(stack.getSnapshot().components.map((c) => [c.id, c.reason?.key])).toEqual([
      ['docker', 'stack.reason.checking'],
      ['dify', 'stack.reason.checking'],
    ]);

    const heard: StatusSnapshot[] = [];
    stack.onSnapshot((s) => heard.push(s));
    const snap = await stack.refresh();
    expect(snap).toBe(store.get());
    expect(snap.components.map((c) => [c.id, c.state])).toEqual([
      ['docker', 'unavailable'],
      ['dify', 'unavailable'],
    ]);
    expect(snap.components[0]?.error?.code).toBe('DOCKER_NOT_INSTALLED');
    expect(snap.plugins.folders).toEqual([{ dir: '/p/sd', name: 'SD' }]);
    await new Promise((r) => setTimeout(r, 0));
    expect(heard.at(-1)).toBe(store.get());

    // Another part changing reaches the stack's listeners too: the `status` event carries the whole app.
    store.update('plugins', { folders: [] });
    await new Promise((r) => setTimeout(r, 0));
    expect(heard.at(-1)?.plugins.folders).toEqual([]);
    await stack.dispose();
  });

  it('dispose drops the listeners it handed out, not the store’s other ones', async () => {
    const store = new AppSnapshotStore();
    const stack = service(store);
    await new Promise((r) => setTimeout(r, 0));
    const viaStack: number[] = [];
    const direct: number[] = [];
    stack.onSnapshot(() => viaStack.push(1));
    store.onChange(() => direct.push(1));
    await stack.dispose();
    store.update('plugins', { folders: [{ dir: '/a', name: 'a' }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(viaStack).toEqual([]);
    expect(direct).toEqual([1]);
  });
});
