import { translate } from './i18n';

/**
 * Every failure the user can see has a code (stable, for the UI and scripts), a human message (in
 * English here; the UI and CLI translate by code + params) and optional detail (e.g. compose's own
 * stderr). Errors cross IPC in this shape because Electron replaces thrown messages otherwise.
 */
export const ERROR_CODES = [
  'INTERNAL',
  'INVALID_ARGUMENT',
  'FORBIDDEN_SENDER',
  'CANCELLED',
  'DOCKER_NOT_INSTALLED',
  'DOCKER_NOT_RUNNING',
  'DOCKER_START_TIMEOUT',
  'DOCKER_API_ERROR',
  'COMPOSE_MISSING',
  'COMPOSE_FAILED',
  'COMPOSE_V2_REQUIRED',
  'COMPOSE_FILE_INVALID',
  'DIFY_DIR_NOT_SET',
  'DIFY_DIR_NOT_FOUND',
  'DIFY_DIR_NO_COMPOSE',
  'DIFY_DIR_NO_ENV',
  'SERVICE_UNKNOWN',
  'SERVICE_EXITED',
  'SERVICE_UNHEALTHY',
  'SETTINGS_INVALID',
  'SETTINGS_WRITE_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type ErrorParams = Record<string, string | number>;

export interface ErrorInfo {
  code: string;
  message: string;
  detail?: string;
  params?: ErrorParams;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly params?: ErrorParams;

  constructor(code: ErrorCode, options: { params?: ErrorParams; detail?: string; cause?: unknown } = {}) {
    super(translate('en', `errors.${code}`, options.params), { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = options.detail;
    this.params = options.params;
  }

  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.params !== undefined ? { params: this.params } : {}),
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Any thrown value → the IPC/CLI error shape; unknown errors keep their text as detail. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof AppError) return e.toInfo();
  const text = e instanceof Error ? e.message : String(e);
  return new AppError('INTERNAL', { detail: text }).toInfo();
}
