/**
 * How the window's copy of main's state takes each change (renderer/src/lib/live-state.ts): events
 * that arrive before the first answer or cross it, and the answer itself.
 */
import { describe, expect, it } from 'vitest';
import type { JobSnapshotDto, SettingsView, StatusSnapshot } from '../../../electron/contract';
import {
  EMPTY_LIVE_STATE,
  LIVE_FOLDS,
  mergeLiveAnswer,
  withSnapshot,
  type LiveState,
} from '../../../renderer/src/lib/live-state';

// These rules read only the fields below; the rest of each shape is main's business.
const snapshot = (updatedAt: number, tag = ''): StatusSnapshot =>
  ({ updatedAt, components: [], project: null, tag }) as unknown as StatusSnapshot;
const job = (id: string, createdAt: number, finishedAt: number | null = null): JobSnapshotDto =>
  ({
    id,
    kind: 'stack.start',
    createdAt,
    finishedAt,
    state: finishedAt ? 'succeeded' : 'running',
  }) as unknown as JobSnapshotDto;
const settings = (language: 'ja' | 'en'): SettingsView =>
  ({ settings: { language }, path: '/x/settings.json', warning: null }) as unknown as SettingsView;

const foldStatus = LIVE_FOLDS.status!;
const foldJob = LIVE_FOLDS.job!;
const foldSettings = LIVE_FOLDS.settings!;

const answer = (patch: Partial<LiveState> = {}): LiveState => ({
  appInfo: { version: '1.0.0', platform: 'linux', systemLocale: 'ja-JP' },
  settingsView: settings('ja'),
  snapshot: snapshot(100, 'answer'),
  jobs: [],
  ...patch,
});

describe('live state', () => {
  it('events before the first answer start from an empty state', () => {
    expect(foldStatus(null, snapshot(5))).toEqual({ ...EMPTY_LIVE_STATE, snapshot: snapshot(5) });
    expect(foldJob(null, job('a', 1))?.jobs.map((j) => j.id)).toEqual(['a']);
    expect(foldSettings(null, settings('en'))?.settingsView).toEqual(settings('en'));
  });

  it('a status event newer than the answer survives it; an older one gives way', () => {
    const newer = foldStatus(null, snapshot(200, 'event'));
    expect(mergeLiveAnswer(newer, answer()).snapshot).toEqual(snapshot(200, 'event'));
    const older = foldStatus(null, snapshot(50, 'event'));
    expect(mergeLiveAnswer(older, answer()).snapshot).toEqual(snapshot(100, 'answer'));
  });

  it('a snapshot a page fetched itself is kept only if newer than the one held', () => {
    const held = mergeLiveAnswer(null, answer());
    expect(withSnapshot(held, snapshot(90, 'refresh')).snapshot).toEqual(snapshot(100, 'answer'));
    expect(withSnapshot(held, snapshot(300, 'refresh')).snapshot).toEqual(snapshot(300, 'refresh'));
  });

  it("main's job list is folded over the jobs events brought, a finished job never going back", () => {
    let held = foldJob(null, job('a', 1, 10));
    held = foldJob(held, job('b', 2));
    const merged = mergeLiveAnswer(held, answer({ jobs: [job('a', 1), job('c', 3)] }));
    expect(merged.jobs.map((j) => [j.id, j.finishedAt])).toEqual([
      ['a', 10],
      ['b', null],
      ['c', null],
    ]);
  });

  it('app info and settings come from the answer', () => {
    const held = foldSettings(null, settings('en'));
    const merged = mergeLiveAnswer(held, answer());
    expect(merged.settingsView).toEqual(settings('ja'));
    expect(merged.appInfo?.systemLocale).toBe('ja-JP');
  });

  it('settings events after the answer replace the view; other fields stay', () => {
    const held = mergeLiveAnswer(null, answer());
    const next = foldSettings(held, settings('en'));
    expect(next).toEqual({ ...held, settingsView: settings('en') });
  });
});
