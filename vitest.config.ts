import { defineConfig } from 'vitest/config';

// Three projects: unit (pure logic, fast), integration (real Docker engine + compose CLI, doubles over
// HTTP on 127.0.0.1) and e2e (built renderer in Debian's Chromium). `npm test` runs all of them.
export default defineConfig({
  test: {
    // Compose stacks and Chromium are heavy on two cores, and Docker-backed files must not race each
    // other's compose operations: one test file at a time (unit files take milliseconds each).
    fileParallelism: false,
    // Nothing a test builds may write into the developer's own settings folder.
    setupFiles: ['test/helpers/isolated-config-home.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          globalSetup: ['test/integration/global-setup.ts'],
          // Projects run one after another (unit → integration → e2e), never sharing the two cores.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          // The page reacts within milliseconds, but CI's two cores may be busy: poll generously.
          expect: { poll: { timeout: 15_000, interval: 50 } },
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
