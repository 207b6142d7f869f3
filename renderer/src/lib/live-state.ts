/**
 * The window's copy of main's state and how each way it changes is applied: the first load's answer,
 * and the `status`, `job` and `settings` events (which may arrive before that answer, or cross it).
 */
import type { AppInfo, JobSnapshotDto, SettingsView, StatusSnapshot } from '../../../electron/contract';
import { mergeJob, mergeJobs } from './jobs';
import type { Folds } from './query';

export interface LiveState {
  appInfo: AppInfo | null;
  settingsView: SettingsView | null;
  snapshot: StatusSnapshot | null;
  jobs: JobSnapshotDto[];
}

export const EMPTY_LIVE_STATE: LiveState = { appInfo: null, settingsView: null, snapshot: null, jobs: [] };

/** Snapshots from an invoke answer and from events can cross: keep whichever is newer. */
export function newerSnapshot(prev: StatusSnapshot | null, next: StatusSnapshot): StatusSnapshot {
  return prev && prev.updatedAt > next.updatedAt ? prev : next;
}

export function withSnapshot(held: LiveState | null, snapshot: StatusSnapshot): LiveState {
  const state = held ?? EMPTY_LIVE_STATE;
  return { ...state, snapshot: newerSnapshot(state.snapshot, snapshot) };
}

export function withSettings(held: LiveState | null, settingsView: SettingsView): LiveState {
  return { ...(held ?? EMPTY_LIVE_STATE), settingsView };
}

export const LIVE_FOLDS: Folds<LiveState> = {
  status: withSnapshot,
  job: (held, job) => {
    const state = held ?? EMPTY_LIVE_STATE;
    return { ...state, jobs: mergeJob(state.jobs, job) };
  },
  settings: withSettings,
};

/**
 * The first load meets what events already brought: the newer snapshot wins, and main's job list is
 * folded over the jobs seen so far (main answered after every event already received here, so its
 * list is the newer word). App info and settings come from the answer.
 */
export function mergeLiveAnswer(held: LiveState | null, answer: LiveState): LiveState {
  const state = held ?? EMPTY_LIVE_STATE;
  return {
    ...answer,
    snapshot: answer.snapshot ? newerSnapshot(state.snapshot, answer.snapshot) : state.snapshot,
    jobs: mergeJobs(state.jobs, answer.jobs),
  };
}
