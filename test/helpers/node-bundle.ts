/**
 * One TypeScript entry bundled for plain Node, as scripts/build.mjs bundles dist/cli.js (minus the
 * bin's shebang and source map). Dependencies stay external: the file must sit inside the repo so they
 * resolve from its node_modules.
 */
export async function bundleForNode(
  entry: string,
  outfile: string,
  define: Record<string, string> = {},
): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
    define,
  });
}
