/**
 * The vitest-friendly side of `temp-dir.ts`: folders made in a before-hook and removed in the matching
 * after-hook, so a test file declares what it needs in one line. Call at the top of a file or inside
 * a `describe` (the hooks follow vitest's scoping).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTempDir, removeTempDir } from './temp-dir';

/** `each`: a fresh folder per test; `all`: one folder shared by the tests of the file or describe. */
export type TempDirScope = 'each' | 'all';

/**
 * A temp folder named `<prefix>XXXXXX`; read its path with the returned function (it changes per test
 * with scope `each`). Reading it outside a test or hook throws, which catches a misplaced call early.
 */
export function useTempDir(prefix: string, scope: TempDirScope = 'each'): () => string {
  let dir: string | undefined;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await createTempDir(prefix);
  });
  after(async () => {
    const made = dir;
    dir = undefined;
    await removeTempDir(made);
  });
  return () => {
    if (dir === undefined) throw new Error(`useTempDir('${prefix}'): read outside a test or hook`);
    return dir;
  };
}
