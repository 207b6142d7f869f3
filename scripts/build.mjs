// Builds the Node side (Electron main, preload, CLI) with esbuild. Why esbuild and not electron-vite:
// three small entry points need nothing but bundling TypeScript, and the same tool builds the CLI,
// which must run under plain Node with no Electron around it. The renderer is built by Vite.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { preloadBundle } from './preload-bundle.mjs';

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
  // `await import(x)` in our code means "load x when needed", not "load x as an ES module": as require()
  // it stays in the CommonJS loader (no ES module loader started for it, the same instance as a
  // require of x elsewhere).
  supported: { 'dynamic-import': false },
};

/**
 * The CLI's bundles. A repeated `timeouts` prints what the last full one printed when nothing it was
 * made of changed (electron/cli/cli-timeouts-memory.ts): the text also depends on the code and the
 * locale files, so each build has its own id in that memory's key.
 */
const cli = {
  ...common,
  define: { 'process.env.DIFY_STACK_BUILD_ID': JSON.stringify(`${Date.now().toString(36)}`) },
  plugins: [localesBeside()],
};

/**
 * The CLI reads the locale files from dist/locales/ (copied there below) when it first translates:
 * bundled in, their 0.3 MB were compiled at every start, ~25 ms of a repeated `timeouts` that
 * translates nothing (core/i18n.ts requires them on first use). electron-builder ships dist/**.
 */
function localesBeside() {
  return {
    name: 'locales-beside',
    setup(b) {
      b.onResolve({ filter: /resources[\\/]locales[\\/](en|ja)\.json$/ }, (args) => ({
        path: `./locales/${basename(args.path)}`,
        external: true,
      }));
    },
  };
}

/** Leaves the named imports to files built beside the bundle instead of bundling them in. */
function siblingBundles(files) {
  return {
    name: 'sibling-bundles',
    setup(b) {
      b.onResolve({ filter: /^\.\/cli-(status|timeouts|program)$/ }, (args) =>
        files[args.path] ? { path: files[args.path], external: true } : undefined,
      );
    },
  };
}

mkdirSync('dist/locales', { recursive: true });
for (const lang of ['en', 'ja']) copyFileSync(`resources/locales/${lang}.json`, `dist/locales/${lang}.json`);

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/main.js', external: ['electron'] }),
  // A sandboxed preload may only require('electron'): everything else is bundled into it.
  build({ ...common, ...preloadBundle }),
  // The CLI in four files, so that a command parses only the code it runs (issue 8: `--version`
  // took 4× Node's start, `status` 4× `docker compose ps`). dist/cli.js is the entry: it answers
  // --version and loads dist/cli-status.js for a plain `status` (no commander, no services),
  // dist/cli-timeouts.js for a repeated plain `timeouts`, or dist/cli-program.js, the whole command
  // tree, for anything else. They share no state (the entry passes only argv and the process), so
  // the modules several contain may be copied into each.
  build({
    ...cli,
    entryPoints: ['electron/cli/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [
      ...cli.plugins,
      siblingBundles({
        './cli-status': './cli-status.js',
        './cli-timeouts': './cli-timeouts.js',
        './cli-program': './cli-program.js',
      }),
    ],
  }),
  build({ ...cli, entryPoints: ['electron/cli/cli-status.ts'], outfile: 'dist/cli-status.js' }),
  build({ ...cli, entryPoints: ['electron/cli/cli-timeouts.ts'], outfile: 'dist/cli-timeouts.js' }),
  build({ ...cli, entryPoints: ['electron/cli/cli-program.ts'], outfile: 'dist/cli-program.js' }),
]);
chmodSync('dist/cli.js', 0o755);
