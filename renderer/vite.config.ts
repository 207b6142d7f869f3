import { defineConfig, type Plugin } from 'vite';

/**
 * The dev server injects CSS as <style> tags, which the strict meta CSP blocks; relax style-src for
 * `vite serve` only. The built index.html keeps the strict policy.
 */
function devInlineStyles(): Plugin {
  return {
    name: 'dev-inline-styles',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

// The renderer is plain React; esbuild's automatic JSX runtime is all it needs (no plugin).
export default defineConfig({
  root: __dirname,
  // Relative asset URLs: the same build works under app://dify-stack/ (the packaged app, see
  // electron/core/app-protocol.ts), the E2E harness's http server, and any folder it is copied to.
  base: './',
  esbuild: { jsx: 'automatic' },
  plugins: [devInlineStyles()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome130',
    rollupOptions: {
      // zod (pulled in by the shared contract) carries comments Rollup cannot place; they are harmless.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1', strictPort: true },
});
