/**
 * What every E2E file starts with: whether it can run here (and saying so when it cannot), and the
 * page under test, closed after its tests with the check that the page logged no error. Temp folders
 * come from test/helpers/use-temp-dir.ts.
 */
import { afterAll, afterEach, expect } from 'vitest';
import {
  chromiumAvailable,
  composeV2Available,
  dockerEngineAvailable,
  skipReason,
} from '../helpers/docker-available';
import { startHarness, type Harness, type HarnessOptions } from './harness';

/** `browser`: Chromium only (main-side services without an engine, doubles); `engine`: also Docker + Compose v2. */
export type E2eNeeds = 'browser' | 'engine';

/**
 * The reason this file's tests are skipped, or undefined when they run (in CI a missing prerequisite
 * throws instead). A skip is logged, so a quiet pass never hides that nothing ran.
 */
export function e2eSkip(file: string, needs: E2eNeeds): string | undefined {
  const skip =
    needs === 'engine'
      ? skipReason(
          'Chromium, a Docker engine and Compose v2',
          chromiumAvailable() && dockerEngineAvailable() && composeV2Available(),
        )
      : skipReason('Chromium (/usr/bin/chromium)', chromiumAvailable());
  if (skip) console.warn(`[e2e] ${file}: skipped: ${skip}`);
  return skip;
}

export interface HarnessSlot {
  /** Starts the harness (the built renderer in Chromium over the real services) for this scope. */
  open(options?: HarnessOptions): Promise<Harness>;
}

/**
 * The harness of a `describe` (`suite`: one for all its tests) or of each test (`test`), closed in
 * the matching after-hook. `afterClose` runs once the page is closed (e.g. the suite's compose stack
 * goes down only then). Closing asserts the page saw no console error, uncaught exception or CSP
 * violation: any of those is a bug.
 */
export function useHarness(
  scope: 'suite' | 'test',
  options: { afterClose?: () => Promise<void> | void } = {},
): HarnessSlot {
  let current: Harness | null = null;
  (scope === 'suite' ? afterAll : afterEach)(async () => {
    const h = current;
    current = null;
    const errors = h ? [...h.pageErrors] : [];
    await h?.close();
    await options.afterClose?.();
    expect(errors).toEqual([]);
  });
  return {
    open: async (harnessOptions) => {
      current = await startHarness(harnessOptions);
      return current;
    },
  };
}
