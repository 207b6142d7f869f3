/**
 * Whether a value typed for a catalog key is one its reading program accepts, and what duration it
 * means. The programs differ (Go and pydantic `int` refuse `600.0`, Python `float` reads it, nginx
 * has its own time syntax), so a value is checked the way its reader will parse it, then against the
 * catalog's sanity bounds (timeout-catalog.ts).
 */
import { AppError } from '../core/errors';
import { translate } from '../core/i18n';
import { getTimeoutKey, type TimeoutUnit } from './timeout-catalog';

export interface TranslatedError {
  /** i18n key under `timeouts.validation`. */
  key: string;
  params: Record<string, string | number>;
}

export type TimeoutValidation =
  { ok: true; value: string; seconds: number } | { ok: false; error: TranslatedError };

const NGINX_UNITS: Record<string, number> = {
  y: 365 * 24 * 3600,
  M: 30 * 24 * 3600,
  w: 7 * 24 * 3600,
  d: 24 * 3600,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};
const NGINX_ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];

/**
 * nginx's time syntax (ngx_parse_time): number+unit parts from the largest unit down, each unit at
 * most once, e.g. `1h30m`; a bare number is seconds. Spaces would split nginx's argument in Dify's
 * config template (`proxy_read_timeout ${NGINX_PROXY_READ_TIMEOUT};`), so none are allowed.
 */
export function parseNginxTime(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = /^(?:\d+(?:ms|[yMwdhms]))+$/.test(text) ? text.match(/\d+(?:ms|[yMwdhms])/g) : null;
  if (!parts) return null;
  let seconds = 0;
  let lastRank = -1;
  for (const part of parts) {
    const m = /^(\d+)(ms|[yMwdhms])$/.exec(part) as RegExpExecArray;
    const unit = m[2] as string;
    const rank = NGINX_ORDER.indexOf(unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    seconds += Number(m[1]) * (NGINX_UNITS[unit] as number);
  }
  return seconds;
}

function unitSeconds(unit: TimeoutUnit): number {
  return unit === 'ms' ? 0.001 : unit === 'min' ? 60 : 1;
}

/**
 * Why a fraction is refused, said where the reader fails visibly (facts.md): the plugin daemon's Go
 * `int` makes it panic at start; the sandbox turns it into 0 and falls back to 5 s. Other readers
 * take the plain reason (Dify documents them as integers).
 */
function notIntegerReason(service: string | undefined): string {
  if (service === 'plugin_daemon') return 'notIntegerDaemon';
  if (service === 'sandbox') return 'notIntegerSandbox';
  return 'notInteger';
}

function fail(key: string, params: Record<string, string | number> = {}): TimeoutValidation {
  return { ok: false, error: { key: `timeouts.validation.${key}`, params } };
}

/**
 * Checks a value typed for `key` the way the reading program will parse it, and its range.
 * `value` is the text to write (trimmed); `seconds` the duration it means.
 */
export function validateTimeoutValue(key: string, input: string): TimeoutValidation {
  const info = getTimeoutKey(key);
  if (!info) return fail('unknownKey', { key });
  const text = input.trim();
  if (text === '') return fail('empty');

  let amount: number;
  if (info.kind === 'nginxTime') {
    const seconds = parseNginxTime(text);
    if (seconds === null) return fail('badNginxTime');
    amount = seconds;
  } else if (/^\d+$/.test(text)) {
    amount = Number(text);
  } else if (/^(\d+\.\d*|\.\d+)$/.test(text)) {
    // Python's float() reads "600.0", "600." and ".5"; Go's and pydantic's int read none of them.
    if (info.kind === 'int') return fail(notIntegerReason(info.consumers[0]?.service), { key });
    amount = Number(text);
  } else if (/^-\d+(\.\d*)?$/.test(text)) {
    return fail('belowMin', { min: info.min, unit: info.unit === 'nginx' ? 's' : info.unit });
  } else if (/^\d+(\.\d+)?\s*(ms|s|sec|m|min|h)$/i.test(text)) {
    return fail('noUnit');
  } else {
    return fail('notNumber');
  }

  const unit = info.unit === 'nginx' ? 's' : info.unit;
  if (amount < info.min) return fail('belowMin', { min: info.min, unit });
  if (amount > info.max) return fail('aboveMax', { max: info.max, unit });
  return { ok: true, value: text, seconds: info.unit === 'nginx' ? amount : amount * unitSeconds(info.unit) };
}

/**
 * For callers that must refuse outright (CLI `env set`, Apply): throws ENV_VALUE_INVALID, with the
 * validator's reason in English as detail; returns the text to write.
 */
export function assertValidTimeoutValue(key: string, input: string): string {
  const result = validateTimeoutValue(key, input);
  if (result.ok) return result.value;
  throw new AppError('ENV_VALUE_INVALID', {
    params: { key, value: input },
    detail: translate('en', result.error.key, result.error.params),
  });
}

/** The duration a key's effective value means; empty or absent → Dify's default. Null if invalid. */
export function effectiveSeconds(key: string, value: string | undefined): number | null {
  const info = getTimeoutKey(key);
  if (!info) return null;
  const text = value === undefined || value.trim() === '' ? info.defaultValue : value;
  const result = validateTimeoutValue(key, text);
  return result.ok ? result.seconds : null;
}
