/**
 * Temp folders for tests, benchmarks and the integration global set-up.
 *
 * No test-runner import here: `scripts/bench` and vitest's global set-up load this file (through
 * test-stack.ts / test-image.ts) outside a vitest worker, where importing `vitest` throws. The
 * beforeEach/afterEach variant lives in `use-temp-dir.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh empty folder under the OS temp folder, named `<prefix>XXXXXX`. */
export function createTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function createTempDirSync(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Retries cover a file still held open for a moment (Windows, a child process just exiting). A folder
// that still cannot be removed is left to the OS temp cleaner: clean-up must never turn a passing test
// red or hide the real failure of a failing one.
const REMOVE = { recursive: true, force: true, maxRetries: 3, retryDelay: 100 } as const;

/** Removes a folder and everything in it; never throws. `undefined` (set-up never ran) is a no-op. */
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (!dir) return;
  await rm(dir, REMOVE).catch(() => undefined);
}

export function removeTempDirSync(dir: string | undefined): void {
  if (!dir) return;
  try {
    rmSync(dir, REMOVE);
  } catch {
    // See REMOVE: a leftover temp folder is not a test failure.
  }
}

/** Several temp folders removed together, for tests that make a new one whenever they need it. */
export class TempDirs {
  private readonly made: string[] = [];

  constructor(private readonly defaultPrefix = 'dst-test-') {}

  async make(prefix = this.defaultPrefix): Promise<string> {
    const dir = await createTempDir(prefix);
    this.made.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.made.splice(0).map(removeTempDir));
  }
}
