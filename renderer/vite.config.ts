import { defineConfig } from 'vite';

// The renderer is plain React; esbuild's automatic JSX runtime is all it needs (no plugin).
export default defineConfig({
  root: __dirname,
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome130',
  },
  server: { host: '127.0.0.1', strictPort: true },
});
