// What makes the preload's bundle what it is, shared by scripts/build.mjs and the size test
// (test/unit/security/preload-bundle.test.ts), so the test measures the bundle the build writes.
// A sandboxed preload may only require('electron'): everything else it imports is bundled into it,
// so it imports only zod-free modules (electron/channel-names.ts) and stays small.
export const preloadBundle = {
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/preload.js',
  bundle: true,
  // The Node side keeps its dependencies in node_modules; the preload cannot, so none is external.
  packages: undefined,
  external: ['electron'],
};

/** The ceiling (issue 15): the preload is parsed for every page load of the dashboard. */
export const PRELOAD_MAX_BYTES = 50 * 1024;
