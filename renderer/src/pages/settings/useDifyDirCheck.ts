import type { DifyDirCheck, ErrorInfo } from '../../../../electron/contract';
import { invoke } from '../../api';
import { useQuery } from '../../hooks/useQuery';

export type DirCheckState =
  | { kind: 'empty' }
  | { kind: 'checking' }
  | { kind: 'done'; result: DifyDirCheck }
  | { kind: 'failed'; error: ErrorInfo };

/** Typing pauses this long before the folder is checked, so each keystroke does not hit the disk. */
export const DEBOUNCE_MS = 300;

/** Resolves after `ms`; rejects at once when the signal aborts (the text changed again). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * Live validation of a Dify folder as the user types or picks it. An answer counts only for the
 * text it was asked about, so a slow answer for an older text never shows up as the current one.
 */
export function useDifyDirCheck(dir: string): DirCheckState {
  const trimmed = dir.trim();
  const check = useQuery(
    async (signal) => {
      await pause(DEBOUNCE_MS, signal);
      return invoke('settings:checkDifyDir', { dir: trimmed });
    },
    [trimmed],
    { enabled: trimmed !== '' },
  );
  if (trimmed === '') return { kind: 'empty' };
  if (check.loading) return { kind: 'checking' };
  if (check.error) return { kind: 'failed', error: check.error };
  return check.data ? { kind: 'done', result: check.data } : { kind: 'checking' };
}
