/**
 * Checks and packages every plugin of a checkout of langgenius/dify-official-plugins with our checker
 * and packager, and prints the counts, the failures and the time taken. That repository's CI packages
 * each plugin with Dify's own packager, so every one of them is valid: a failure here is a place where
 * we disagree with Dify (or a file missing from the checkout).
 *
 *   npx tsx scripts/check-official-plugins.ts /path/to/dify-official-plugins [--only tools]
 *
 * A plugin is a folder `<kind>/<name>/` with a manifest.yaml (kinds: tools, models, extensions,
 * agent-strategies, datasources, triggers). Packages are written to a temp folder and removed.
 * Exit code: 0 when every plugin passed, 1 otherwise, 2 for bad arguments.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { translate } from '../electron/core/i18n';
import { checkPluginFolder } from '../electron/plugins/manifest';
import { buildPackage, listPackageFiles, packageFileName } from '../electron/plugins/packager';

const KINDS = ['tools', 'models', 'extensions', 'agent-strategies', 'datasources', 'triggers'];

interface Failure {
  plugin: string;
  stage: 'check' | 'package';
  lines: string[];
}

async function findPlugins(root: string, only: string | null): Promise<string[]> {
  const found: string[] = [];
  for (const kind of KINDS) {
    if (only && kind !== only) continue;
    const entries = await fs.readdir(path.join(root, kind), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!e.isDirectory()) continue;
      const rel = `${kind}/${e.name}`;
      const hasManifest = await fs
        .stat(path.join(root, rel, 'manifest.yaml'))
        .then((s) => s.isFile())
        .catch(() => false);
      if (hasManifest) found.push(rel);
    }
  }
  return found;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? null) : null;
  const root = args.find((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
  if (!root) {
    console.error(
      'usage: npx tsx scripts/check-official-plugins.ts <dify-official-plugins checkout> [--only <kind>]',
    );
    return 2;
  }
  const plugins = await findPlugins(path.resolve(root), only);
  if (plugins.length === 0) {
    console.error(`no plugins (<kind>/<name>/manifest.yaml) under ${root}`);
    return 2;
  }
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'official-plugins-'));
  const failures: Failure[] = [];
  const warnings = new Map<string, number>();
  const installs = new Map<string, number>();
  const perKind = new Map<string, { total: number; ok: number }>();
  let checkMs = 0;
  let packageMs = 0;
  let bytes = 0;
  const started = performance.now();
  try {
    for (const rel of plugins) {
      const dir = path.join(path.resolve(root), rel);
      const kind = rel.split('/')[0] ?? '';
      const k = perKind.get(kind) ?? { total: 0, ok: 0 };
      k.total++;
      perKind.set(kind, k);
      let t = performance.now();
      const list = await listPackageFiles(dir);
      const check = await checkPluginFolder(dir, {
        packagedFiles: new Set(list.files.map((f) => f.rel)),
        ignoreFile: list.ignoreFile,
      });
      checkMs += performance.now() - t;
      for (const w of check.warnings) count(warnings, w.code);
      count(installs, check.python?.install ?? 'not python');
      if (check.problems.length > 0 || !check.manifest) {
        failures.push({
          plugin: rel,
          stage: 'check',
          lines: check.problems.map((p) => {
            const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
            return `${where}: ${translate('en', `plugins.problems.${p.code}`, p.params)}`;
          }),
        });
        continue;
      }
      t = performance.now();
      try {
        const result = await buildPackage(list, { outFile: path.join(out, packageFileName(check.manifest)) });
        bytes += result.bytes;
        await fs.rm(result.path, { force: true });
        k.ok++;
      } catch (e) {
        failures.push({ plugin: rel, stage: 'package', lines: [e instanceof Error ? e.message : String(e)] });
      } finally {
        packageMs += performance.now() - t;
      }
    }
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const passed = plugins.length - failures.length;
  console.log(
    `plugins: ${plugins.length}, passed (checked and packaged): ${passed}, failed: ${failures.length}`,
  );
  for (const [kind, k] of perKind) console.log(`  ${kind}: ${k.ok}/${k.total}`);
  console.log(
    `time: ${seconds(performance.now() - started)} in all (check ${seconds(checkMs)}, package ${seconds(packageMs)}); packages: ${(bytes / 1024 / 1024).toFixed(1)} MB`,
  );
  console.log(`daemon installs with: ${[...installs].map(([m, n]) => `${m} ${n}`).join(', ')}`);
  console.log(`warnings: ${[...warnings].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  for (const f of failures) {
    console.log(`\nFAILED ${f.plugin} (${f.stage})`);
    for (const line of f.lines) console.log(`  ${line}`);
  }
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
