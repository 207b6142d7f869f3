import type { z } from 'zod';
import { AppError, messageOf } from '../core/errors';

/** Reading Dify's error answers and turning them into the app's errors (codes + the reason Dify gave). */

export interface RawResponse {
  status: number;
  body: unknown;
  text: string;
}

/** The daemon's message when signature verification rejects a package (facts.md). */
export const SIGNATURE_REJECTION = /plugin verification has been enabled/i;
/** Dify's ValueError when its request to the plugin daemon fails (facts.md: transient, retry it). */
export const DAEMON_UNAVAILABLE = /failed to request plugin daemon/i;

/** http://localhost, http://localhost/, http://localhost/console/api → http://localhost/console/api */
export function consoleApiBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new AppError('INVALID_ARGUMENT', { params: { reason: `not a URL: ${baseUrl}` } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('INVALID_ARGUMENT', { params: { reason: `not an http(s) URL: ${baseUrl}` } });
  }
  let p = url.pathname.replace(/\/+$/, '');
  if (p.endsWith('/console/api')) p = p.slice(0, -'/console/api'.length);
  return `${url.origin}${p}/console/api`;
}

/**
 * Dify's own error text: `{code, message, params?}` (plugin errors nest the daemon's JSON inside
 * message; a request-parser refusal names the parameter in `params`).
 */
export function difyError(res: RawResponse): { code: string; message: string; params: string } {
  const body = res.body;
  if (isDifyErrorBody(body)) {
    const code = typeof body.code === 'string' ? body.code : '';
    const params = 'params' in body && typeof body.params === 'string' ? body.params : '';
    let message = typeof body.message === 'string' ? body.message : JSON.stringify(body.message);
    try {
      const inner = JSON.parse(message) as unknown;
      if (inner && typeof inner === 'object' && 'message' in inner && typeof inner.message === 'string')
        message = inner.message;
    } catch {
      // Not nested JSON: the message is already plain text.
    }
    return { code, message, params };
  }
  // Not Dify's JSON (nginx error page, a proxy): the text without markup, shortened.
  const plain = res.text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { code: '', message: plain.slice(0, 300) || `HTTP ${res.status}`, params: '' };
}

export function isDifyErrorBody(body: unknown): body is { code?: unknown; message: unknown } {
  return typeof body === 'object' && body !== null && 'message' in body;
}

/** A refused plugin or workspace call → the app's error for it. */
export function requestError(res: RawResponse, endpoint: string, apiBase: string): AppError {
  const { message } = difyError(res);
  if (SIGNATURE_REJECTION.test(message))
    return new AppError('PLUGIN_SIGNATURE_REJECTED', { params: { message } });
  if (res.status === 403) return new AppError('DIFY_FORBIDDEN', { params: { message, endpoint } });
  if (res.status === 404 && !isDifyErrorBody(res.body)) return notFound(apiBase, res.status);
  if (res.status === 400 && DAEMON_UNAVAILABLE.test(message)) {
    return new AppError('DIFY_PLUGIN_DAEMON_UNAVAILABLE', { params: { endpoint, message } });
  }
  if (res.status === 400) return new AppError('DIFY_REQUEST_FAILED', { params: { endpoint, message } });
  return httpError(res, endpoint);
}

export function notFound(apiBase: string, status: number): AppError {
  return new AppError('DIFY_NOT_FOUND', { params: { url: apiBase, status } });
}

export function httpError(res: RawResponse, endpoint: string): AppError {
  return new AppError('DIFY_HTTP_ERROR', {
    params: { status: res.status, endpoint, message: difyError(res).message },
  });
}

export function unexpected(endpoint: string, reason: string, body?: string): AppError {
  return new AppError('DIFY_UNEXPECTED_RESPONSE', {
    params: { endpoint, reason },
    ...(body !== undefined ? { detail: body.slice(0, 2000) } : {}),
  });
}

export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

export function networkReason(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return messageOf(e);
}
