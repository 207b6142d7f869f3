import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../electron/contract';
import { errorText, reasonText, type Translator } from '../../../electron/core/presentation';

/** The window's translator for the shared presentation rules. */
export function useTranslator(): Translator {
  const { t, i18n } = useTranslation();
  return useMemo(
    () => ({ t: (key, params) => t(key, params ?? {}), has: (key) => i18n.exists(key) }),
    [t, i18n],
  );
}

/** Errors are shown by code, in the window's language; unknown codes keep main's English message. */
export function useErrorText(): (error: ErrorInfo) => string {
  const tr = useTranslator();
  return useCallback((error: ErrorInfo) => errorText(tr, error), [tr]);
}

/** A `{key, params}` reason or step from main, translated; null when this build has no text for it. */
export function useReasonText(): (
  reason: { key: string; params?: Record<string, string | number> } | null,
) => string | null {
  const tr = useTranslator();
  return useCallback((reason) => reasonText(tr, reason), [tr]);
}
