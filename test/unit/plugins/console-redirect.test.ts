/**
 * Redirects from "Dify" are never followed (issue 9, finding 1): fetch would resend a 307/308's POST
 * body — e-mail and password — to the new address, and the CSRF header with every later call. The
 * double behind the redirecting server stands for the other host: it must receive nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { DifyConsoleClient } from '../../../electron/plugins/console-client';
import { ConsoleTransport, suggestedBaseUrl } from '../../../electron/plugins/console-transport';
import {
  startDifyConsoleDouble,
  startRedirectingProxy,
  type DifyConsoleDouble,
  type RedirectingProxy,
} from '../../doubles/dify-console';

const running: Array<DifyConsoleDouble | RedirectingProxy> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function setUp(status: 301 | 302 | 303 | 307 | 308) {
  const dify = await startDifyConsoleDouble({ version: '1.13.0' });
  const proxy = await startRedirectingProxy(dify.url, { status });
  running.push(dify, proxy);
  return { dify, proxy };
}

describe('console redirects', () => {
  it.each([307, 308, 301, 302, 303] as const)(
    'a %i at login is an error naming the address; nothing reaches the other host',
    async (status) => {
      const { dify, proxy } = await setUp(status);
      const client = new DifyConsoleClient({
        baseUrl: proxy.url,
        email: dify.options.email,
        password: () => dify.options.password,
      });
      const error = await client.login().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'DIFY_REDIRECTED',
        params: {
          url: proxy.url,
          status,
          location: `${dify.url}/console/api/system-features`,
          suggested: dify.url,
        },
      });
      expect((error as AppError).message).toContain(dify.url);
      expect(dify.requests).toEqual([]);
      expect(dify.loginCount()).toBe(0);
    },
  );

  it('the login POST itself (password in the body) is not resent to the redirect target', async () => {
    const { dify, proxy } = await setUp(307);
    const transport = new ConsoleTransport(`${proxy.url}/console/api`, { baseUrl: proxy.url, fetch });
    const sent = transport.send(
      'POST',
      '/login',
      { json: { email: dify.options.email, password: dify.options.password, remember_me: false } },
      {},
      5000,
    );
    await expect(sent).rejects.toMatchObject({ code: 'DIFY_REDIRECTED' });
    expect(proxy.requests).toEqual([{ method: 'POST', path: '/console/api/login' }]);
    expect(dify.requests).toEqual([]);
  });

  it('suggests the base URL without the console API path', () => {
    expect(suggestedBaseUrl('https://dify.example.com/console/api/login')).toBe('https://dify.example.com');
    expect(suggestedBaseUrl('https://example.com/dify/console/api/x')).toBe('https://example.com/dify');
    expect(suggestedBaseUrl('https://example.com/signin')).toBe('https://example.com');
  });
});
