import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  resolveAppRequest,
} from '../../../electron/core/app-protocol';

const ROOT = '/opt/dify stack/resources/app.asar/dist/renderer';
const WIN_ROOT = 'C:\\Program Files\\Dify Stack Tray\\resources\\app.asar\\dist\\renderer';

describe('resolveAppRequest', () => {
  it('serves index.html for / and for the entry URL', () => {
    expect(resolveAppRequest('app://dify-stack/', ROOT)).toEqual({
      ok: true,
      file: `${ROOT}/index.html`,
      mimeType: 'text/html; charset=utf-8',
    });
    expect(resolveAppRequest('app://dify-stack', ROOT)).toMatchObject({
      ok: true,
      file: `${ROOT}/index.html`,
    });
    expect(resolveAppRequest(APP_ENTRY_URL, ROOT)).toMatchObject({ ok: true, file: `${ROOT}/index.html` });
    expect(resolveAppRequest('app://dify-stack/index.html?x=1#/settings', ROOT)).toMatchObject({ ok: true });
  });

  it.each([
    ['assets/index-Cvh7zarT.js', 'text/javascript; charset=utf-8'],
    ['assets/index-DhN8ssQJ.css', 'text/css; charset=utf-8'],
    ['assets/logo.svg', 'image/svg+xml'],
    ['assets/tray.PNG', 'image/png'],
    ['assets/inter.woff2', 'font/woff2'],
    ['assets/index.js.map', 'application/json; charset=utf-8'],
  ])('serves %s as %s', (file, mimeType) => {
    expect(resolveAppRequest(`app://dify-stack/${file}`, ROOT)).toEqual({
      ok: true,
      file: `${ROOT}/${file}`,
      mimeType,
    });
  });

  it('decodes names with spaces or other escaped characters', () => {
    expect(resolveAppRequest('app://dify-stack/assets/my%20file.js', ROOT)).toMatchObject({
      ok: true,
      file: `${ROOT}/assets/my file.js`,
    });
  });

  it.each([
    'app://dify-stack/../secrets.json',
    'app://dify-stack/assets/../../../etc/passwd.txt',
    'app://dify-stack/%2e%2e/%2e%2e/etc/passwd.txt',
    'app://dify-stack/%2E%2E/x.js',
    'app://dify-stack/.%2e/x.js',
    'app://dify-stack/assets/..%2f..%2fx.js',
    'app://dify-stack/assets/..%5c..%5cx.js',
    'app://dify-stack/assets\\..\\..\\x.js',
    'app://dify-stack/./index.html',
    'app://dify-stack//etc/passwd.txt',
    'app://dify-stack/%2fetc%2fpasswd.txt',
    'app://dify-stack/C:/Windows/win.ini.txt',
    'app://dify-stack/C%3a%5cWindows%5cwin.ini.txt',
    'app://dify-stack/%5c%5cevil-host%5cshare%5cx.js',
    'app://dify-stack/index.html%00.png',
    'app://dify-stack/assets/',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(url, ROOT)).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses other hosts, other schemes and broken escapes', () => {
    expect(resolveAppRequest('app://evil/index.html', ROOT)).toMatchObject({ ok: false, reason: 'host' });
    expect(resolveAppRequest('app://dify-stack.evil/index.html', ROOT)).toMatchObject({ ok: false });
    expect(resolveAppRequest('app://dify-stack@evil/index.html', ROOT)).toMatchObject({ ok: false });
    expect(resolveAppRequest('file:///etc/passwd', ROOT)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest('app://dify-stack/%E0%A4%A.js', ROOT)).toMatchObject({ ok: false, status: 400 });
  });

  it('serves only the file types the renderer is built from, and only GET/HEAD', () => {
    expect(resolveAppRequest('app://dify-stack/notes', ROOT)).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest('app://dify-stack/app.exe', ROOT)).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest('app://dify-stack/index.html', ROOT, { method: 'POST' })).toMatchObject({
      ok: false,
      status: 405,
    });
    expect(resolveAppRequest('app://dify-stack/index.html', ROOT, { method: 'head' })).toMatchObject({
      ok: true,
    });
  });

  it('stays inside a Windows root (drive letters, backslashes, case)', () => {
    const win = { pathApi: path.win32 };
    expect(resolveAppRequest('app://dify-stack/assets/a.js', WIN_ROOT, win)).toMatchObject({
      ok: true,
      file: `${WIN_ROOT}\\assets\\a.js`,
    });
    for (const url of [
      'app://dify-stack/..%5C..%5Capp.asar.unpacked%5Cx.js',
      'app://dify-stack/D:%5Cx.js',
      'app://dify-stack/%2e%2e/%2e%2e/x.js',
    ]) {
      expect(resolveAppRequest(url, WIN_ROOT, win)).toMatchObject({ ok: false });
    }
  });
});

describe('createAppProtocolHandler', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dst-app-protocol-'));
  const root = path.join(dir, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(path.join(root, 'assets', 'a.js'), 'export {};');
  // A file next to the renderer folder that a traversal would reach.
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET_KEY=sk-1');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const handle = createAppProtocolHandler({ rootDir: root, readFile, csp: () => "default-src 'self'" });

  it('serves the entry with its type, the CSP header and nosniff', async () => {
    const res = await handle({ url: 'app://dify-stack/', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>ok</title>');
  });

  it('serves assets without a CSP of their own', async () => {
    const res = await handle({ url: 'app://dify-stack/assets/a.js', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it('answers 404 for a missing file and 403 for a way out of the folder', async () => {
    expect((await handle({ url: 'app://dify-stack/assets/missing.js', method: 'GET' })).status).toBe(404);
    const out = await handle({ url: 'app://dify-stack/%2e%2e/secret.txt', method: 'GET' });
    expect(out.status).toBe(403);
    expect(await out.text()).toBe('');
  });

  it('registers a scheme that is standard and secure, and nothing more', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true });
  });
});
