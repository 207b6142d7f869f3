/**
 * Issue 9, finding 11: the dashboard's CSP. The policy main sends as a header (core/renderer-csp.ts)
 * and the meta tag in renderer/index.html must both be strict, and the meta must survive Vite's
 * build unchanged with asset URLs that resolve under app://dify-stack/ (relative, no file:// or /).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RollupOutput } from 'rollup';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { rendererCsp } from '../../../electron/core/renderer-csp';

const ROOT = path.resolve(__dirname, '../../..');

type Policy = Map<string, string[]>;

function parsePolicy(text: string): Policy {
  const policy: Policy = new Map();
  for (const part of text.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) policy.set(name.toLowerCase(), values);
  }
  return policy;
}

function metaPolicy(html: string): Policy {
  const metas = [...html.matchAll(/<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/gi)];
  expect(metas).toHaveLength(1);
  const content = /content="([^"]*)"/i.exec(metas[0]![0])?.[1];
  expect(content).toBeDefined();
  return parsePolicy(content ?? '');
}

/** What every copy of the policy must say. */
function expectStrict(policy: Policy): void {
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('style-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'none'"]);
  expect(policy.get('form-action')).toEqual(["'none'"]);
  expect(policy.get('frame-src')).toEqual(["'none'"]);
  expect(policy.get('connect-src')).toEqual(["'self'"]);
  const all = [...policy.values()].flat();
  for (const loose of [
    "'unsafe-eval'",
    "'unsafe-inline'",
    "'wasm-unsafe-eval'",
    '*',
    'http:',
    'https:',
    'file:',
  ]) {
    expect(all).not.toContain(loose);
  }
}

const sourceHtml = () => readFileSync(path.join(ROOT, 'renderer', 'index.html'), 'utf8');

describe('renderer CSP', () => {
  it('the header main sends is strict and forbids framing the page', () => {
    const header = parsePolicy(rendererCsp());
    expectStrict(header);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('renderer/index.html carries the same policy, without frame-ancestors (ignored in a meta tag)', () => {
    const meta = metaPolicy(sourceHtml());
    expectStrict(meta);
    expect(meta.has('frame-ancestors')).toBe(false);
    expect(meta).toEqual(parsePolicy(rendererCsp({ forMetaTag: true })));
  });

  it('relaxes only style-src, and only for the dev server', () => {
    const dev = parsePolicy(rendererCsp({ devServer: true }));
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    dev.delete('style-src');
    const prod = parsePolicy(rendererCsp());
    prod.delete('style-src');
    expect(dev).toEqual(prod);
  });

  it('the built index.html keeps the policy and loads its assets by relative URLs (app:// safe)', async () => {
    // Vitest sets NODE_ENV=test; the packaged build is a production one.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    let output: RollupOutput;
    try {
      output = (await build({
        configFile: path.join(ROOT, 'renderer', 'vite.config.ts'),
        logLevel: 'silent',
        mode: 'production',
        build: { write: false, sourcemap: false },
      })) as RollupOutput;
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    const index = output.output.find((o) => o.fileName === 'index.html');
    expect(index?.type).toBe('asset');
    const html = index?.type === 'asset' ? String(index.source) : '';
    expect(metaPolicy(html)).toEqual(metaPolicy(sourceHtml()));
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) {
      expect(url === 'data:,' || url.startsWith('./assets/')).toBe(true);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  }, 120_000);
});
