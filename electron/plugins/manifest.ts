import { isSeq } from 'yaml';
import { getIn, isRecord, manifestRules } from './declaration-rules';
import { MODEL, MODEL_POSITION_TYPES, POSITION_LIST, type ChildRef } from './declaration-types';
import { BadPatternError, goGlobToRegExp } from './go-glob';
import { fieldName, type Path } from './go-yaml-decode';
import type {
  ManifestProblem,
  ManifestProblemCode,
  ManifestWarning,
  ManifestWarningCode,
} from './manifest-problems';
import { ALWAYS_EXCLUDED, listPackageFiles } from './package-files';
import { PluginFiles, type YamlFile } from './plugin-files';
import { INLINE_PROVIDER_KEY, MANIFEST, PROVIDERS, type ProviderKind } from './provider-declarations';
import { pythonDependencies, UV_EXPORT_COMMAND, type PythonDependencies } from './python-deps';

/**
 * Reads a local plugin folder's `manifest.yaml` and every file it references, and checks them the way
 * Dify's plugin daemon will when the package is packaged, uploaded and installed, so the user learns
 * every problem before an upload — with file and line, as translatable codes. Never throws for bad
 * input: a broken YAML file is a problem in the list, not an exception.
 *
 * The walk mirrors dify-plugin-daemon pkg/plugin_packager/decoder/helper.go (Manifest): each
 * `plugins.<kind>` entry is a provider YAML, each provider lists child YAMLs (tools, endpoints,
 * strategies, datasources, events), a model provider names position files and `predefined` patterns
 * matched against the package's files; every file is decoded with yaml.v3 into the daemon's types
 * (go-yaml-decode.ts, declaration-types.ts). Then the manifest rules (declaration-rules.ts), the icon
 * checks (CheckAssetsValid, RemapAssets) and the Python dependency files (python-deps.ts). Beyond the
 * daemon, the Python files named by `extra.python.*` and the runner's entrypoint must exist: the
 * plugin's SDK imports them when the plugin starts.
 */

export { AUTHOR_PATTERN, NAME_PATTERN, VERSION_PATTERN } from './declaration-rules';
export { normalizeRef } from './reference-check';
export type { ManifestProblem, ManifestProblemCode, ManifestWarning, ManifestWarningCode };

export const MANIFEST_FILE = 'manifest.yaml';

export interface PluginManifest {
  author: string;
  name: string;
  version: string;
  type: string;
  /** `author/name`: how Dify identifies the plugin across versions. */
  pluginId: string;
  label: Record<string, string>;
  description: Record<string, string>;
  icon: string;
  runnerLanguage: string | null;
  /** `meta.runner.version`: the Python the daemon runs the plugin with (e.g. "3.12"). */
  runnerVersion: string | null;
  entrypoint: string | null;
}

export interface PluginFolderCheck {
  dir: string;
  /** Null only when there is no readable manifest mapping at all. */
  manifest: PluginManifest | null;
  /** What Dify would refuse: packaging stops on any of these. */
  problems: ManifestProblem[];
  /** What Dify accepts but the user should know (the package still builds). */
  warnings: ManifestWarning[];
  /** Every file the manifest references, directly or through provider YAMLs (forward slashes, sorted). */
  references: string[];
  /** For a Python plugin: what the daemon will install its packages from. */
  python: PythonDependencies | null;
}

export interface CheckOptions {
  /**
   * The files that will go into the package (from the packager); listed here when not given. A
   * reference that exists on disk but is left out by the ignore rules would be missing after install.
   */
  packagedFiles?: ReadonlySet<string>;
  /** Name of the ignore file that produced `packagedFiles`, for the message. */
  ignoreFile?: string | null;
}

export async function checkPluginFolder(dir: string, options: CheckOptions = {}): Promise<PluginFolderCheck> {
  let packaged = options.packagedFiles;
  let ignoreFile = options.ignoreFile ?? null;
  if (!packaged) {
    const list = await listPackageFiles(dir).catch(() => null);
    packaged = new Set(list?.files.map((f) => f.rel) ?? []);
    ignoreFile = [list?.ignoreFile, ALWAYS_EXCLUDED.join(', ')].filter(Boolean).join('; ');
  }
  return new Checker(dir, packaged, ignoreFile ?? '').run();
}

class Checker {
  private readonly files: PluginFiles;

  constructor(
    private readonly dir: string,
    private readonly packaged: ReadonlySet<string>,
    ignoreFile: string,
  ) {
    this.files = new PluginFiles(dir, packaged, ignoreFile);
  }

  async run(): Promise<PluginFolderCheck> {
    const loaded = await this.files.loadDecoded(MANIFEST_FILE, MANIFEST, true);
    if (!loaded || !isRecord(loaded.value)) return this.result(null, null);
    const { file, value: m } = loaded;
    for (const r of manifestRules(m, loaded.reported)) this.files.add(r.code, file, r.path, r.params);
    const manifest = identity(m);
    await this.files.checkAsset(file, ['icon'], m.icon);
    await this.files.checkAsset(file, ['icon_dark'], m.icon_dark);
    await this.checkEntrypoint(file, manifest);
    const providers = await this.checkExtensions(file, m);
    if (!loaded.reported(['plugins'])) this.checkProviderKinds(file, m);
    await this.checkProviderIcons(providers);
    const python = manifest.runnerLanguage === 'python' ? await this.checkPython(file) : null;
    return this.result(manifest, python);
  }

  private result(manifest: PluginManifest | null, python: PythonDependencies | null): PluginFolderCheck {
    return {
      dir: this.dir,
      manifest,
      problems: this.files.problems,
      warnings: this.files.warnings,
      references: [...this.files.refs.references].sort(),
      python,
    };
  }

  private async checkEntrypoint(file: YamlFile, manifest: PluginManifest): Promise<void> {
    if (manifest.runnerLanguage !== 'python' || !manifest.entrypoint) return;
    // The runner does `python -m <entrypoint>`: `main` means main.py at the root (dots are packages).
    const target = `${manifest.entrypoint.replace(/\./g, '/')}.py`;
    await this.files.checkFile(file, ['meta', 'runner', 'entrypoint'], target, 'meta.runner.entrypoint');
  }

  /** Reads every provider YAML and its children; returns the decoded providers per kind. */
  private async checkExtensions(
    file: YamlFile,
    m: Record<string, unknown>,
  ): Promise<Map<ProviderKind, unknown[]>> {
    const providers = new Map<ProviderKind, unknown[]>();
    const plugins = isRecord(m.plugins) ? m.plugins : {};
    for (const kind of Object.keys(PROVIDERS) as ProviderKind[]) {
      const list = plugins[kind];
      if (!Array.isArray(list)) continue;
      const decoded: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const target = String(list[i]);
        const rel = await this.files.checkFile(file, ['plugins', kind, i], target, `plugins.${kind}`);
        const provider = rel ? await this.files.loadDecoded(rel, PROVIDERS[kind].provider) : null;
        if (!provider || !isRecord(provider.value)) continue;
        decoded.push(provider.value);
        await this.checkPythonSources(provider.file);
        if (kind === 'models') await this.checkModelFiles(provider.file, provider.value);
        else await this.checkChildren(kind, provider.file, provider.value);
      }
      providers.set(kind, decoded);
    }
    return providers;
  }

  private async checkChildren(
    kind: ProviderKind,
    file: YamlFile,
    provider: Record<string, unknown>,
  ): Promise<void> {
    const { child, childKey } = PROVIDERS[kind];
    const refs = (provider.$files ?? []) as ChildRef[];
    const children: unknown[] = [];
    for (const ref of refs) {
      const rel = await this.files.checkFile(file, ref.node ?? ref.path, ref.target, childKey);
      const loaded = rel && child ? await this.files.loadDecoded(rel, child) : null;
      if (!loaded) continue;
      children.push(loaded.value);
      await this.checkPythonSources(loaded.file);
    }
    provider.$children = children;
  }

  /** Position files and the model files matched by `predefined` (helper.go Manifest, decoder.Walk). */
  private async checkModelFiles(file: YamlFile, provider: Record<string, unknown>): Promise<void> {
    const positions = (provider.$positions ?? {}) as Record<string, ChildRef>;
    for (const type of MODEL_POSITION_TYPES) {
      const ref = positions[type];
      if (!ref) continue;
      const rel = await this.files.checkFile(
        file,
        ref.node ?? ref.path,
        ref.target,
        `models.${type}.position`,
      );
      if (rel) await this.files.loadDecoded(rel, POSITION_LIST);
    }
    const candidates = [...this.packaged].filter((f) => !f.endsWith('_position.yaml')).sort();
    for (const ref of (provider.$predefined ?? []) as ChildRef[]) {
      let pattern: RegExp;
      try {
        pattern = goGlobToRegExp(ref.target);
      } catch (e) {
        if (!(e instanceof BadPatternError)) throw e;
        this.files.add('PATTERN_INVALID', file, ref.node ?? ref.path, {
          field: fieldName(ref.path),
          value: ref.target,
        });
        continue;
      }
      const matched = candidates.filter((f) => pattern.test(f));
      // A glob over an empty folder is normal (customizable-model providers); a literal path that
      // matches nothing is a model file that is not there. The daemon accepts both silently.
      if (matched.length === 0 && !/[*?[\\]/.test(ref.target)) {
        this.files.warn('PREDEFINED_NO_MATCH', file, ref.node ?? ref.path, {
          field: fieldName(ref.path),
          value: ref.target,
        });
      }
      for (const rel of matched) {
        this.files.refs.references.add(rel);
        await this.files.loadDecoded(rel, MODEL);
      }
    }
    const extra = this.files.rawString(file, ['extra', 'python', 'provider_source']);
    if (extra)
      await this.files.checkFile(
        file,
        ['extra', 'python', 'provider_source'],
        extra,
        'extra.python.provider_source',
      );
    const sources: unknown = file.yaml.doc?.getIn(['extra', 'python', 'model_sources']);
    const count = isSeq(sources) ? sources.items.length : 0;
    for (let i = 0; i < count; i++) {
      const src = this.files.rawString(file, ['extra', 'python', 'model_sources', i]);
      if (src)
        await this.files.checkFile(
          file,
          ['extra', 'python', 'model_sources', i],
          src,
          'extra.python.model_sources',
        );
    }
  }

  /** ManifestValidate: at least one kind, and only tools with endpoints may share a plugin. */
  private checkProviderKinds(file: YamlFile, m: Record<string, unknown>): void {
    // A listed provider counts even when its file failed: that failure is the problem to fix.
    const listed = (k: ProviderKind): boolean => {
      const list = getIn(m, ['plugins', k]);
      return Array.isArray(list) && list.length > 0;
    };
    const present = (Object.keys(PROVIDERS) as ProviderKind[]).filter(
      (k) => listed(k) || m[INLINE_PROVIDER_KEY[k]] !== undefined,
    );
    if (present.length === 0) {
      this.files.add('PROVIDER_MISSING', file, ['plugins'], {});
      return;
    }
    const exclusive: ProviderKind[] = ['models', 'agent_strategies', 'datasources', 'triggers'];
    for (const kind of exclusive) {
      const other = present.find((k) => k !== kind);
      if (present.includes(kind) && other) {
        this.files.add('PROVIDERS_CONFLICT', file, ['plugins', kind], { kind, other });
        return;
      }
    }
  }

  /**
   * Icons the upload looks up in `_assets/` (RemapAssets; CheckAssetsValid for the packager). The
   * daemon keeps only the last provider of each kind (helper.go overwrites dec.Tool…), so only its
   * icons are looked up; model icons only in the four languages the daemon's I18nObject has.
   */
  private async checkProviderIcons(providers: Map<ProviderKind, unknown[]>): Promise<void> {
    for (const [kind, list] of providers) {
      const provider = list[list.length - 1];
      if (!isRecord(provider)) continue;
      const file = this.files.fileOf(provider);
      if (!file) continue;
      if (kind === 'models') {
        for (const field of ['icon_small', 'icon_large', 'icon_small_dark', 'icon_large_dark']) {
          for (const lang of ['en_US', 'zh_Hans', 'ja_JP', 'pt_BR'])
            await this.files.checkAsset(file, [field, lang], getIn(provider, [field, lang]));
        }
        continue;
      }
      if (kind === 'endpoints') continue;
      await this.files.checkAsset(file, ['identity', 'icon'], getIn(provider, ['identity', 'icon']));
      if (kind !== 'datasources')
        await this.files.checkAsset(
          file,
          ['identity', 'icon_dark'],
          getIn(provider, ['identity', 'icon_dark']),
        );
      if (kind === 'datasources') {
        const children = [
          ...((provider.$inline ?? []) as unknown[]),
          ...((provider.$children ?? []) as unknown[]),
        ];
        for (const child of children) {
          const childFile = this.files.fileOf(child) ?? file;
          await this.files.checkAsset(childFile, ['identity', 'icon'], getIn(child, ['identity', 'icon']));
        }
      }
    }
  }

  private async checkPython(file: YamlFile): Promise<PythonDependencies> {
    const onDisk = async (rel: string): Promise<boolean> =>
      (await this.files.index.lookup(rel)).kind === 'file';
    const deps = pythonDependencies(this.packaged, {
      requirementsTxt: await onDisk('requirements.txt'),
      pyprojectToml: await onDisk('pyproject.toml'),
      uvLock: await onDisk('uv.lock'),
    });
    if (deps.install === 'none')
      this.files.add('DEPENDENCIES_MISSING', file, ['meta', 'runner', 'language'], {});
    else if (deps.pyprojectToml && !deps.requirementsTxt) {
      const code: ManifestWarningCode = deps.uvLock
        ? 'DEPS_NO_REQUIREMENTS_LOCKED'
        : 'DEPS_NO_REQUIREMENTS_UNLOCKED';
      const params = { file: 'pyproject.toml', command: UV_EXPORT_COMMAND };
      this.files.warnings.push({ code, file: 'pyproject.toml', params });
    }
    return deps;
  }

  private async checkPythonSources(file: YamlFile): Promise<void> {
    const source = this.files.rawString(file, ['extra', 'python', 'source']);
    if (source)
      await this.files.checkFile(file, ['extra', 'python', 'source'], source, 'extra.python.source');
  }
}

/** The identity fields as decoded (empty text when missing: the rules report that). */
function identity(m: Record<string, unknown>): PluginManifest {
  const text = (keys: Path): string => {
    const v = getIn(m, keys);
    return typeof v === 'string' ? v : '';
  };
  const author = text(['author']);
  const name = text(['name']);
  const runner = getIn(m, ['meta', 'runner']);
  return {
    author,
    name,
    version: text(['version']),
    type: text(['type']),
    pluginId: `${author}/${name}`,
    label: i18nObject(m.label),
    description: i18nObject(m.description),
    icon: text(['icon']),
    runnerLanguage: isRecord(runner) && typeof runner.language === 'string' ? runner.language : null,
    runnerVersion: runnerVersion(isRecord(runner) ? runner.version : undefined),
    entrypoint: isRecord(runner) && typeof runner.entrypoint === 'string' ? runner.entrypoint : null,
  };
}

/**
 * YAML reads an unquoted `3.10` as the number 3.1 (the daemon's Go decoder keeps the text "3.10"):
 * such a number is taken as written by JavaScript, which errs toward asking for less, never more.
 */
function runnerVersion(v: unknown): string | null {
  if (typeof v === 'string') return v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

function i18nObject(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}
