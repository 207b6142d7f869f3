import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Whether tests that need a real engine / browser can run here. In CI nothing may be skipped, so
 * `requireOrSkip` turns a missing prerequisite into a failure there and a one-line skip reason elsewhere.
 */
export function dockerEngineAvailable(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      stdio: 'pipe',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

export function composeV2Available(): boolean {
  try {
    execFileSync('docker', ['compose', 'version', '--short'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function composeV1Available(): boolean {
  try {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A second engine of a test's own can be started (test/helpers/private-dockerd.ts): dockerd on PATH, run as root. */
export function privateDockerdAvailable(): boolean {
  try {
    execFileSync('dockerd', ['--version'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export const inCI = process.env.CI === 'true';

/**
 * Returns a skip reason (string) when the prerequisite is missing outside CI, undefined when tests
 * may run; throws in CI so a missing engine can never pass as "skipped".
 */
export function skipReason(what: string, available: boolean): string | undefined {
  if (available) return undefined;
  if (inCI) throw new Error(`${what} is required in CI (run scripts/setup-test-env.sh)`);
  return `${what} not available here (run scripts/setup-test-env.sh)`;
}
