import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../electron/contract';

/** Errors are shown by code, in the window's language; unknown codes keep main's English message. */
export function useErrorText(): (error: ErrorInfo) => string {
  const { t, i18n } = useTranslation();
  return useCallback(
    (error: ErrorInfo) => {
      const key = `errors.${error.code}`;
      return i18n.exists(key) ? t(key, error.params ?? {}) : error.message;
    },
    [t, i18n],
  );
}

/** A `{key, params}` reason or step from main, translated; null when this build has no text for it. */
export function useReasonText(): (
  reason: { key: string; params?: Record<string, string | number> } | null,
) => string | null {
  const { t, i18n } = useTranslation();
  return useCallback(
    (reason) => (reason && i18n.exists(reason.key) ? t(reason.key, reason.params ?? {}) : null),
    [t, i18n],
  );
}
