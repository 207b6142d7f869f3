/**
 * What a plugin folder check tells the user, in the shape the Plugins page and the CLI show it:
 * problems (Dify would refuse: packaging stops), warnings (Dify accepts, but the result is not what
 * the user may expect) and, for a Python plugin, which files the plugin daemon installs packages from.
 * Issue 8: the user learns this before an upload, not from a failed install.
 */
import type { PluginFolderCheck } from './manifest';
import type { ManifestProblem, ManifestWarning } from './manifest-problems';
import type { PythonDependencies, PythonInstall } from './python-deps';

export interface PythonDependencySummary {
  /** What plugin daemon 0.5.3+ runs without a pip mirror (i18n `plugins.pythonInstall.<install>`). */
  install: PythonInstall;
  /** The package's files that command reads, in the order the user would name them; empty for `none`. */
  files: string[];
  /**
   * The official packager would add a requirements.txt exported from uv.lock, so its package installs
   * differently on some daemons; the warning DEPS_NO_REQUIREMENTS_LOCKED says how.
   */
  officialAddsRequirements: boolean;
}

export interface PluginCheckSummary {
  problems: ManifestProblem[];
  warnings: ManifestWarning[];
  /** Null for a plugin that is not Python (or has no readable manifest). */
  python: PythonDependencySummary | null;
}

const INSTALL_FILES: Record<PythonInstall, readonly string[]> = {
  'uv-sync-frozen': ['pyproject.toml', 'uv.lock'],
  'uv-sync': ['pyproject.toml'],
  'pip-requirements': ['requirements.txt'],
  none: [],
};

export function summarizePython(deps: PythonDependencies): PythonDependencySummary {
  return {
    install: deps.install,
    files: [...INSTALL_FILES[deps.install]],
    officialAddsRequirements: deps.officialAddsRequirements,
  };
}

export function summarizeCheck(check: PluginFolderCheck): PluginCheckSummary {
  return {
    problems: check.problems,
    warnings: check.warnings,
    python: check.python ? summarizePython(check.python) : null,
  };
}

/**
 * One line of a problem or warning for a terminal: `file[:line:col]: text`, without saying the file
 * twice when the text already starts with it (most texts do, so they read alone on the card).
 */
export function findingLine(finding: ManifestProblem<string>, text: string): string {
  const where = finding.line ? `${finding.file}:${finding.line}:${finding.column ?? 1}` : finding.file;
  const own = `${finding.file}: `;
  if (text.startsWith(own)) return `${where}: ${text.slice(own.length)}`;
  if (!finding.line && text.startsWith(finding.file)) return text;
  return `${where}: ${text}`;
}
