/**
 * Follow-tail: the view sticks to the newest line until the user scrolls up to read, and sticks again
 * once they scroll back to the bottom (or ask for the newest). Only the user's own scrolling pauses
 * or resumes it: the list also moves by itself (rows measured above the view, old lines dropped at
 * the top, a jump to a match, which pauses on purpose), and none of that may change it by accident.
 */

/** How close to the bottom (px) still counts as "at the newest line". */
export const FOLLOW_SLACK_PX = 32;

export interface FollowState {
  following: boolean;
  /** The model's `shownAdded` when the follow paused: the "N new" counter starts there. */
  pausedAt: number;
}

export const FOLLOWING: FollowState = { following: true, pausedAt: 0 };

/**
 * The list scrolled: `distance` px above the bottom now; `byUser` when a wheel, key, touch or drag of
 * the user's caused it. Only the user pauses and resumes: a jump to a match that lands at the bottom
 * keeps the match in view. Returns the same object when nothing changes (no re-render).
 */
export function scrolled(
  state: FollowState,
  scroll: { distance: number; byUser: boolean },
  shownAdded: number,
): FollowState {
  if (!scroll.byUser) return state;
  if (scroll.distance <= FOLLOW_SLACK_PX) return state.following ? state : FOLLOWING;
  return state.following ? { following: false, pausedAt: shownAdded } : state;
}

/** Paused on purpose (a jump to a match or to a requested line): keep that place. */
export function paused(state: FollowState, shownAdded: number): FollowState {
  return state.following ? { following: false, pausedAt: shownAdded } : state;
}

/** Entries shown since the follow paused (the "jump to newest (N new)" button); 0 while following. */
export function newSincePause(state: FollowState, shownAdded: number): number {
  return state.following ? 0 : Math.max(0, shownAdded - state.pausedAt);
}
