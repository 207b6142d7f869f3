/**
 * How Dify's plugin daemon will install a Python plugin's packages, from the files in the package.
 *
 * dify-plugin-daemon internal/core/local_runtime/setup_python_environment.go:
 * - 0.5.3 and later, detectDependencyFileType: pyproject.toml wins over requirements.txt;
 *   installDependencies then runs `uv sync --no-dev`, with `--frozen` when uv.lock is in the package
 *   (unless PLUGIN_IGNORE_UV_LOCK is set), else `uv pip install -r requirements.txt`. Neither file:
 *   the installation fails ("neither pyproject.toml nor requirements.txt found in plugin directory").
 *   From 0.6.3, with PIP_MIRROR_URL set, requirements.txt wins when present.
 * - 0.5.0–0.5.2 read requirements.txt only ("failed to find requirements.txt").
 *
 * The official packager differs from ours: `dify plugin package` (pkg/plugin_packager/packager/
 * packager.go, generatedFiles, from 0.6.3) adds a requirements.txt exported with `uv export --frozen`
 * when a Python plugin has pyproject.toml and uv.lock but no requirements.txt, and the official
 * plugins' CI (.github/scripts/export-legacy-requirements.sh) does the same before packaging. We pack
 * the folder as it is, so such a package has no requirements.txt.
 */

export const PYTHON_INSTALLS = ['uv-sync-frozen', 'uv-sync', 'pip-requirements', 'none'] as const;
export type PythonInstall = (typeof PYTHON_INSTALLS)[number];

export interface PythonDependencies {
  /** What daemon 0.5.3+ runs without a pip mirror. */
  install: PythonInstall;
  requirementsTxt: boolean;
  pyprojectToml: boolean;
  uvLock: boolean;
  /** The official packager would add requirements.txt (exported from uv.lock) to this package. */
  officialAddsRequirements: boolean;
}

export const UV_EXPORT_COMMAND =
  'uv export --frozen --format requirements.txt --no-group dev --no-emit-project --no-hashes --no-header --no-annotate -o requirements.txt';

export interface DependencyFilesOnDisk {
  requirementsTxt: boolean;
  pyprojectToml: boolean;
  uvLock: boolean;
}

/**
 * `files`: the package's files (forward slashes; only the root's dependency files count). `onDisk`:
 * which of them exist in the folder, ignore rules or not — the official packager looks there (the FS
 * decoder's Stat), so it exports from a uv.lock that .difyignore leaves out.
 */
export function pythonDependencies(
  files: ReadonlySet<string>,
  onDisk: DependencyFilesOnDisk,
): PythonDependencies {
  const requirementsTxt = files.has('requirements.txt');
  const pyprojectToml = files.has('pyproject.toml');
  const uvLock = files.has('uv.lock');
  const install: PythonInstall = pyprojectToml
    ? uvLock
      ? 'uv-sync-frozen'
      : 'uv-sync'
    : requirementsTxt
      ? 'pip-requirements'
      : 'none';
  return {
    install,
    requirementsTxt,
    pyprojectToml,
    uvLock,
    officialAddsRequirements: onDisk.pyprojectToml && onDisk.uvLock && !onDisk.requirementsTxt,
  };
}
