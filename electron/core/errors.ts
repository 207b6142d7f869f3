import { translate } from './i18n';
import { errorInfo } from './presentation';

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
  // No folder set and several Dify projects on the engine: acting on one of them would be a guess.
  'DIFY_DIR_AMBIGUOUS',
  'DIFY_DIR_NOT_FOUND',
  'DIFY_DIR_NO_COMPOSE',
  'DIFY_DIR_NO_ENV',
  'SERVICE_UNKNOWN',
  'SERVICE_EXITED',
  'SERVICE_UNHEALTHY',
  'SERVICES_NOT_READY',
  // Another process (the app or a CLI run) holds this Dify project's lock for longer than we wait.
  'PROJECT_BUSY',
  'SETTINGS_INVALID',
  'SETTINGS_WRITE_FAILED',
  // The settings file was not settings at all (moved aside), held refused values (reset), or came from a
  // newer app (read, never written): electron/settings/store.ts.
  'SETTINGS_MOVED_ASIDE',
  'SETTINGS_FIELDS_RESET',
  'SETTINGS_NEWER_VERSION',
  // Plugins (electron/plugins): packaging, the Dify console client and the reinstall workflow.
  'PLUGIN_DIR_NOT_FOUND',
  'PLUGIN_MANIFEST_MISSING',
  'PLUGIN_MANIFEST_INVALID',
  'PLUGIN_PACKAGE_TOO_LARGE',
  'PLUGIN_PACKAGE_FAILED',
  'PLUGIN_NOT_A_PACKAGE',
  'PLUGIN_SIGNATURE_REJECTED',
  'PLUGIN_SIGNATURE_STILL_REJECTED',
  'PLUGIN_INSTALL_FAILED',
  'PLUGIN_INSTALL_TIMEOUT',
  'PLUGIN_INSTALL_FAILED_RESTORED',
  'PLUGIN_INSTALL_TIMEOUT_RESTORED',
  'PLUGIN_INSTALL_FAILED_NOT_RESTORED',
  'PLUGIN_INSTALL_TIMEOUT_NOT_RESTORED',
  'PLUGIN_NOT_CONFIRMED',
  'DIFY_CREDENTIALS_MISSING',
  'DIFY_UNREACHABLE',
  'DIFY_NOT_FOUND',
  'DIFY_LOGIN_FAILED',
  'DIFY_LOGIN_REFUSED',
  'DIFY_SESSION_EXPIRED',
  'DIFY_FORBIDDEN',
  'DIFY_REQUEST_FAILED',
  'DIFY_HTTP_ERROR',
  'DIFY_UNEXPECTED_RESPONSE',
  // The login's one counted failure may be the password form's fault (Dify's version unknown).
  'DIFY_LOGIN_FAILED_UNCERTAIN',
  // Dify's lock-out after more than 5 failed logins (429).
  'DIFY_LOGIN_LOCKED',
  // 400 invalid_param "Failed to request plugin daemon", still there after the retries.
  'DIFY_PLUGIN_DAEMON_UNAVAILABLE',
  // A 3xx from Dify: never followed, so the login never reaches another address (issue 9).
  'DIFY_REDIRECTED',
  // The saved password was entered for another Dify URL: not sent, asked again (issue 9).
  'DIFY_PASSWORD_FOR_OTHER_URL',
  // The new version's install may still run after the old one was removed: no restore beside it.
  'PLUGIN_INSTALL_UNSETTLED',
  // Plugin panel, CLI and secret store (electron/plugins/plugin-service.ts, secrets.ts).
  'PLUGIN_SIGNATURE_FIX_UNAVAILABLE',
  'PLUGIN_DAEMON_NOT_READY',
  'PLUGIN_PROJECT_NOT_REGISTERED',
  'SECRET_ENCRYPTION_UNAVAILABLE',
  'SECRET_STORE_FAILED',
  'SECRET_READ_ONLY',
  // .env editing (electron/env): byte-preserving edits, atomic writes with backups.
  'ENV_FILE_READ_ONLY',
  'ENV_FILE_LOCKED',
  'ENV_FILE_CHANGED',
  'ENV_FILE_INVALID_LINES',
  'ENV_KEY_INVALID',
  'ENV_VALUE_INVALID',
  'ENV_VALUE_UNWRITABLE',
  'ENV_WRITE_FAILED',
  'ENV_BACKUP_NOT_FOUND',
  // Timeout panel / `env set` (electron/env/timeout-service.ts): apply with rollback.
  'ENV_NO_CHANGES',
  'ENV_FILE_OUTSIDE_PROJECT',
  'ENV_BACKUP_AMBIGUOUS',
  'ENV_APPLY_FAILED_ROLLED_BACK',
  'ENV_APPLY_CANCELLED_ROLLED_BACK',
  'ENV_APPLY_ROLLBACK_FAILED',
  // Ollama / AUTOMATIC1111 supervision and the connectivity doctor (electron/processes).
  'COMPONENT_NOT_CONFIGURED',
  'OLLAMA_NOT_FOUND',
  'OLLAMA_NOT_OURS',
  'PORT_TAKEN',
  'A1111_DIR_NOT_FOUND',
  'A1111_LAUNCHER_MISSING',
  'A1111_NO_API',
  'PROCESS_EXITED',
  'PROCESS_START_TIMEOUT',
  'PROCESS_STOP_FAILED',
  'DOCKER_STOP_UNSUPPORTED',
  'DOCTOR_NO_CONTAINER',
  // Ollama's or A1111's API answered, but not as documented (an HTTP error, a body of another shape).
  'PROCESS_API_FAILED',
  // GPU VRAM monitor (electron/gpu): nvidia-smi missing, the driver's NVML mismatch, no NVIDIA GPU.
  'GPU_NVIDIA_SMI_NOT_FOUND',
  'GPU_DRIVER_MISMATCH',
  'GPU_NO_GPU',
  'GPU_SAMPLER_FAILED',
  // The unload actions (electron/gpu/gpu-service.ts): nothing running to act on, or it would not let go.
  'GPU_NOT_RUNNING',
  'GPU_UNLOAD_TIMEOUT',
  'GPU_CHECKPOINT_UNLOAD_FAILED',
  'GPU_CHECKPOINT_RELOAD_FAILED',
  // A plugin folder's remote-debug run (electron/plugins/plugin-debug-*.ts).
  'PLUGIN_DEBUG_NOT_PYTHON',
  'PLUGIN_DEBUG_PYTHON_NOT_FOUND',
  'PLUGIN_DEBUG_PYTHON_TOO_OLD',
  'PLUGIN_DEBUG_VENV_FAILED',
  'PLUGIN_DEBUG_DEPS_FAILED',
  'PLUGIN_DEBUG_START_FAILED',
  // The daemon refused the handshake: the key is unknown to it (expired, or another Dify's).
  'PLUGIN_DEBUG_BAD_KEY',
  'PLUGIN_DEBUG_REFUSED',
  'PLUGIN_DEBUG_UNREACHABLE',
  // The plugin says it registered, but Dify's list has not shown it as a remote install in time.
  'PLUGIN_DEBUG_NOT_LISTED',
  'PLUGIN_DEBUG_NO_PACKAGED',
  // The diagnostics zip could not be written (electron/diagnostics); an item it cannot read is not an error.
  'DIAGNOSTICS_WRITE_FAILED',
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
    return errorInfo(this);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** The text of anything thrown (an Error's message, else the value itself). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Any thrown value → the IPC/CLI error shape; unknown errors keep their text as detail. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof AppError) return e.toInfo();
  return new AppError('INTERNAL', { detail: messageOf(e) }).toInfo();
}
