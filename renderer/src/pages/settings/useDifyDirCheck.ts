import { useEffect, useState } from 'react';
import type { DifyDirCheck, ErrorInfo } from '../../../../electron/contract';
import { invoke, toErrorInfo } from '../../api';

export type DirCheckState =
  | { kind: 'empty' }
  | { kind: 'checking' }
  | { kind: 'done'; result: DifyDirCheck }
  | { kind: 'failed'; error: ErrorInfo };

type Answer = { kind: 'done'; result: DifyDirCheck } | { kind: 'failed'; error: ErrorInfo };

/** Typing pauses this long before the folder is checked, so each keystroke does not hit the disk. */
const DEBOUNCE_MS = 300;

/**
 * Live validation of a Dify folder as the user types or picks it. An answer counts only for the
 * text it was asked about, so a slow answer for an older text never shows up as the current one.
 */
export function useDifyDirCheck(dir: string): DirCheckState {
  const [answer, setAnswer] = useState<{ dir: string; answer: Answer } | null>(null);
  const trimmed = dir.trim();

  useEffect(() => {
    if (trimmed === '') return undefined;
    let current = true;
    const timer = setTimeout(() => {
      invoke('settings:checkDifyDir', { dir: trimmed }).then(
        (result) => {
          if (current) setAnswer({ dir: trimmed, answer: { kind: 'done', result } });
        },
        (e: unknown) => {
          if (current) setAnswer({ dir: trimmed, answer: { kind: 'failed', error: toErrorInfo(e) } });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [trimmed]);

  if (trimmed === '') return { kind: 'empty' };
  return answer && answer.dir === trimmed ? answer.answer : { kind: 'checking' };
}
