import { describe, expect, it } from 'vitest';
import { allowedOrigins, decideExternalLink } from '../../../electron/core/external-links';

const DIFY = allowedOrigins(['http://localhost']);

describe('allowedOrigins', () => {
  it('keeps the origins of the configured http(s) URLs, once each', () => {
    expect(
      allowedOrigins(['http://localhost/apps', 'https://dify.example.com:8443/x?y=1', 'http://LOCALHOST:80']),
    ).toEqual(['http://localhost', 'https://dify.example.com:8443']);
  });

  it('lets broken or non-web settings allow nothing', () => {
    expect(allowedOrigins(['', 'not a url', 'file:///C:/x', 'javascript:alert(1)', null, undefined])).toEqual(
      [],
    );
  });
});

describe('decideExternalLink', () => {
  it.each([
    'http://localhost',
    'http://localhost/',
    'http://localhost/apps?tab=all#x',
    'HTTP://LocalHost:80/signin',
  ])('opens %s: the configured Dify origin', (url) => {
    expect(decideExternalLink(url, DIFY)).toMatchObject({ open: true });
  });

  it('hands the browser the normalised URL', () => {
    expect(decideExternalLink('HTTP://LocalHost:80/signin', DIFY)).toEqual({
      open: true,
      url: 'http://localhost/signin',
    });
  });

  it.each([
    ['https://evil.example/', 'not-allowed'],
    ['https://docs.dify.ai/', 'not-allowed'],
    // Same host, other scheme or port: another origin (another service on the machine).
    ['https://localhost/', 'not-allowed'],
    ['http://localhost:8080/', 'not-allowed'],
    ['http://localhost.evil.example/', 'not-allowed'],
    ['http://evil.example/?next=http://localhost/', 'not-allowed'],
    ['http://user:secret@localhost/', 'credentials'],
    ['file:///C:/Windows/System32/calc.exe', 'not-web'],
    ['javascript:alert(1)', 'not-web'],
    ['ms-settings:privacy', 'not-web'],
    ['\\\\evil-host\\share\\x.exe', 'not-a-url'],
    ['', 'not-a-url'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(decideExternalLink(url, DIFY)).toMatchObject({ open: false, reason });
  });

  it('refuses everything when nothing is configured', () => {
    expect(decideExternalLink('http://localhost/', [])).toMatchObject({ open: false, reason: 'not-allowed' });
  });

  it('shows only origin and path of a refused URL (a query string or fragment may hold a token)', () => {
    const d = decideExternalLink('https://evil.example/cb?token=abc123#access_token=xyz', DIFY);
    expect(d).toEqual({ open: false, reason: 'not-allowed', shown: 'https://evil.example/cb' });
    const creds = decideExternalLink('http://me:hunter2@localhost/x?y=1', DIFY);
    expect(creds).toEqual({ open: false, reason: 'credentials', shown: 'http://localhost/x' });
    expect(decideExternalLink('file:///C:/Users/me/secret.txt', DIFY)).toMatchObject({ shown: 'file: URL' });
  });

  it('allows the other configured services too (Ollama, A1111) when given', () => {
    const origins = allowedOrigins(['http://localhost', 'http://127.0.0.1:11434', 'http://127.0.0.1:7860']);
    expect(decideExternalLink('http://127.0.0.1:7860/', origins)).toMatchObject({ open: true });
    expect(decideExternalLink('http://127.0.0.1:7861/', origins)).toMatchObject({ open: false });
  });
});
