/**
 * The quick status takes the engine's version from the headers of its one engine call: Docker's API
 * server sets `Server: Docker/<version> (<os>)` and `Api-Version` on every response. Anything else —
 * a proxy that drops or rewrites them — is not taken, and the engine is asked with GET /version.
 */
import { describe, expect, it } from 'vitest';
import { engineFromHeaders } from '../../../electron/stack/quick-status';

describe('engineFromHeaders', () => {
  it.each([
    ['Docker/20.10.24+dfsg1 (linux)', '1.41', { version: '20.10.24+dfsg1', apiVersion: '1.41' }],
    ['Docker/27.3.1 (linux)', '1.47', { version: '27.3.1', apiVersion: '1.47' }],
    ['Docker/28.2.2 (windows)', '1.50', { version: '28.2.2', apiVersion: '1.50' }],
  ])('%s, API %s', (server, api, expected) => {
    expect(engineFromHeaders({ server, 'api-version': api })).toEqual({ state: 'running', ...expected });
  });

  it.each([
    ['no Server header', { 'api-version': '1.41' }],
    ['no Api-Version header', { server: 'Docker/27.3.1 (linux)' }],
    ['another server', { server: 'nginx/1.25.3', 'api-version': '1.41' }],
    ['Server without the OS part', { server: 'Docker/27.3.1', 'api-version': '1.41' }],
    ['an API version that is none', { server: 'Docker/27.3.1 (linux)', 'api-version': 'v1' }],
    ['repeated headers', { server: 'Docker/27.3.1 (linux)', 'api-version': ['1.41', '1.41'] }],
  ])('%s: asked with GET /version instead', (_name, headers) => {
    expect(engineFromHeaders(headers)).toBeNull();
  });
});
