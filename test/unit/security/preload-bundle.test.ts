/**
 * Issue 15: the preload carries only the bridge and the channel names (≤ 50 KB; it was ~800 KB with
 * zod and every schema inside). Bundled in memory with the build's own preload options
 * (scripts/preload-bundle.mjs), so the figure is the one `npm run build` writes to dist/preload.js.
 */
import { build, type Metafile } from 'esbuild';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRELOAD_MAX_BYTES, preloadBundle } from '../../../scripts/preload-bundle.mjs';

const ROOT = path.resolve(__dirname, '../../..');

let code = '';
let metafile: Metafile;

beforeAll(async () => {
  const result = await build({
    ...preloadBundle,
    absWorkingDir: ROOT,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  code = result.outputFiles?.find((f) => f.path.endsWith('preload.js'))?.text ?? '';
  if (!result.metafile) throw new Error('esbuild returned no metafile');
  metafile = result.metafile;
});

describe('the preload bundle', () => {
  it(`is at most ${PRELOAD_MAX_BYTES} bytes`, () => {
    expect(code.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(PRELOAD_MAX_BYTES);
  });

  it('bundles no package and no schema: zod stays in main', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((file) => file.includes('node_modules'))).toEqual([]);
    expect(inputs.filter((file) => /contract/.test(file))).toEqual([]);
    expect(code).not.toMatch(/zod/i);
  });

  it('requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });
});
