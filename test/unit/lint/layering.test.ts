/**
 * The layering rules of `.dependency-cruiser.cjs` (README, "Layout"), run through dependency-cruiser's
 * API on two fixture trees shaped like the repo: `bad/` holds one deliberate breach per rule, `clean/`
 * every allowed kind of edge. The fixture's capabilities (`logs`, `gpu`) are named nowhere in the
 * config, so the tests also prove a new capability folder is covered without editing it.
 */
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const FIXTURES = path.join(ROOT, 'test/fixtures/layering');

interface Found {
  rule: string;
  from: string;
  to: string;
}

/** What `npm run lint` would report for the fixture tree, as `rule: from → to` lines. */
async function check(tree: 'bad' | 'clean'): Promise<{ violations: Found[]; modules: number }> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfigFile = options.tsConfig?.fileName;
  if (!tsConfigFile) throw new Error('the config names no tsconfig: `import type` would not count');
  const reported = await cruise(
    ['electron', 'renderer/src'],
    { ...options, baseDir: path.join(FIXTURES, tree), outputType: 'json' },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const result = (
    typeof reported.output === 'string' ? JSON.parse(reported.output) : reported.output
  ) as ICruiseResult;
  const violations = result.summary.violations.map((v) => ({
    rule: v.rule.name,
    from: v.from,
    // An npm module resolves outside the fixture (../../../../node_modules/…): name the package.
    to: v.to.replace(/^.*node_modules\/([^/]+)\/.*$/, 'npm:$1'),
  }));
  return { violations, modules: result.modules.length };
}

const lines = (found: Found[]): string[] => found.map((f) => `${f.rule}: ${f.from} → ${f.to}`).sort();

describe('layering rules (.dependency-cruiser.cjs)', () => {
  it('report each deliberate breach in the bad tree under its rule, and nothing else', async () => {
    const { violations } = await check('bad');
    expect(lines(violations)).toEqual(
      [
        // A cycle closed by an `import type` still counts.
        'no-circular: electron/logs/log-format.ts → electron/logs/log-levels.ts',
        // The capability reached another's service rather than its api.ts.
        'capability-through-api: electron/logs/log-service.ts → electron/stack/stack-service.ts',
        'capability-not-above: electron/gpu/gpu-service.ts → electron/contract.ts',
        'capability-not-above: electron/gpu/gpu-service.ts → electron/cli/cli.ts',
        'core-imports-core-only: electron/core/status.ts → electron/stack/contract.ts',
        'docker-imports-core-only: electron/docker/compose.ts → electron/stack/api.ts',
        'docker-imports-core-only: electron/docker/compose.ts → electron/bridge-key.ts',
        'no-electron-below-main: electron/gpu/notify.ts → npm:electron',
        'no-electron-below-main: electron/cli/cli.ts → npm:electron',
        'electron-not-renderer: electron/core/presentation.ts → renderer/src/lib/labels.ts',
        'renderer-imports-contract-only: renderer/src/pages/StackPage.tsx → electron/stack/stack-service.ts',
        'renderer-contract-types-only: renderer/src/lib/channels.ts → electron/stack/contract.ts',
        'renderer-no-node-builtins: renderer/src/lib/files.ts → path',
      ].sort(),
    );
  });

  it('report nothing for the clean tree, which uses every allowed kind of import', async () => {
    const { violations, modules } = await check('clean');
    expect(violations).toEqual([]);
    // Guards against a vacuous pass (wrong base folder, nothing cruised): 15 fixture files + electron.
    expect(modules).toBe(16);
  });
});
