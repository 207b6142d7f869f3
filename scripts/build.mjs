// Builds the Node side (Electron main, preload, CLI) with esbuild. Why esbuild and not electron-vite:
// three small entry points need nothing but bundling TypeScript, and the same tool builds the CLI,
// which must run under plain Node with no Electron around it. The renderer is built by Vite.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Runtime dependencies stay in node_modules (dockerode has optional native parts); electron-builder
  // packs them.
  packages: 'external',
};

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/main.js', external: ['electron'] }),
  // A sandboxed preload may only require('electron'): bundle everything else into it.
  build({
    ...common,
    packages: undefined,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/preload.js',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/cli/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
chmodSync('dist/cli.js', 0o755);
