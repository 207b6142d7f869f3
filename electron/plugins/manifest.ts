import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { FolderIndex } from './folder-index';

/**
 * Reads a local plugin folder's `manifest.yaml` and checks it the way the plugin daemon will when the
 * package is installed (author/name/version patterns, every YAML and asset it references, icons under
 * `_assets/`), so the user sees every problem before an upload — with file and line, as translatable
 * codes. Never throws for bad input: a broken YAML file is a problem in the list, not an exception.
 *
 * The reference walk mirrors the daemon's decoder (dify-plugin-daemon pkg/plugin_packager/decoder):
 * `plugins.<kind>` lists provider YAMLs, each provider lists its child YAMLs (tools, endpoints,
 * strategies, datasources, events), model providers list position files and predefined model files,
 * and `extra.python.source` names the Python module the runner imports.
 */

export const AUTHOR_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const NAME_PATTERN = /^[a-z0-9_-]{1,128}$/;
/** The daemon's manifest version pattern (manifest_entities.VERSION_PATTERN). */
export const VERSION_PATTERN = /^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$/;

export const MANIFEST_FILE = 'manifest.yaml';

export type ManifestProblemCode =
  | 'MANIFEST_MISSING'
  | 'FILE_UNREADABLE'
  | 'YAML_SYNTAX'
  | 'YAML_NOT_MAPPING'
  | 'FIELD_MISSING'
  | 'FIELD_NOT_LIST'
  | 'AUTHOR_INVALID'
  | 'NAME_INVALID'
  | 'VERSION_INVALID'
  | 'TYPE_INVALID'
  | 'LABEL_INVALID'
  | 'REFERENCE_MISSING'
  | 'REFERENCE_CASE_MISMATCH'
  | 'REFERENCE_OUTSIDE'
  | 'REFERENCE_BACKSLASH'
  | 'REFERENCE_IGNORED';

export interface ManifestProblem {
  code: ManifestProblemCode;
  /** The file the problem is in, relative to the plugin folder, forward slashes. */
  file: string;
  line?: number;
  column?: number;
  /** Parameters for the i18n text `plugins.problems.<code>` (always includes `file`). */
  params: Record<string, string | number>;
}

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
  entrypoint: string | null;
}

export interface PluginFolderCheck {
  dir: string;
  /** Null only when there is no readable manifest mapping at all. */
  manifest: PluginManifest | null;
  problems: ManifestProblem[];
  /** Every file the manifest references, directly or through provider YAMLs (forward slashes, sorted). */
  references: string[];
}

export interface CheckOptions {
  /**
   * The files that will go into the package (from the packager). A reference that exists on disk but
   * is left out by the ignore rules would be missing after install, so it is reported.
   */
  packagedFiles?: ReadonlySet<string>;
  /** Name of the ignore file that produced `packagedFiles`, for the message. */
  ignoreFile?: string | null;
}

/** Per provider kind: the key listing its child YAMLs and which of its fields name icons in `_assets/`. */
const PROVIDER_KINDS: Record<string, { children: string; icons: string[][] }> = {
  tools: { children: 'tools', icons: [['identity', 'icon']] },
  endpoints: { children: 'endpoints', icons: [] },
  agent_strategies: { children: 'strategies', icons: [] },
  datasources: { children: 'datasources', icons: [] },
  triggers: { children: 'events', icons: [] },
  models: { children: '', icons: [] },
};
const MODEL_TYPES = ['llm', 'text_embedding', 'rerank', 'tts', 'speech2text', 'moderation'];
const MODEL_ICON_FIELDS = ['icon_small', 'icon_large'];
const ASSETS_DIR = '_assets';

export async function checkPluginFolder(dir: string, options: CheckOptions = {}): Promise<PluginFolderCheck> {
  const checker = new Checker(dir, options);
  return checker.run();
}

/** Positions inside one parsed YAML file. */
class YamlFile {
  constructor(
    readonly rel: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  get value(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 }) as unknown;
  }

  /** Line/column (1-based) of the node at `keys`, or of the nearest existing parent. */
  pos(keys: (string | number)[]): { line?: number; column?: number } {
    for (let n = keys.length; n >= 0; n--) {
      const node = (n === 0 ? this.doc.contents : this.doc.getIn(keys.slice(0, n), true)) as
        YamlNode | null | undefined;
      const range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
      if (range) {
        const p = this.lines.linePos(range[0]);
        return { line: p.line, column: p.col };
      }
    }
    return {};
  }
}

class Checker {
  private readonly problems: ManifestProblem[] = [];
  private readonly references = new Set<string>();
  private readonly index: FolderIndex;
  private readonly visitedYaml = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly options: CheckOptions,
  ) {
    this.index = new FolderIndex(dir);
  }

  async run(): Promise<PluginFolderCheck> {
    const manifestFile = await this.loadYaml(MANIFEST_FILE, null);
    if (!manifestFile) return this.result(null);
    const root = manifestFile.value;
    if (!isRecord(root)) {
      this.add('YAML_NOT_MAPPING', manifestFile, [], {});
      return this.result(null);
    }
    const manifest = this.checkIdentity(manifestFile, root);
    await this.checkIcons(manifestFile, root);
    await this.checkEntrypoint(manifestFile, root);
    await this.checkExtensions(manifestFile, root);
    return this.result(manifest);
  }

  private result(manifest: PluginManifest | null): PluginFolderCheck {
    return { dir: this.dir, manifest, problems: this.problems, references: [...this.references].sort() };
  }

  private checkIdentity(file: YamlFile, root: Record<string, unknown>): PluginManifest {
    const author = this.checkedString(file, root, 'author', AUTHOR_PATTERN, 'AUTHOR_INVALID');
    const name = this.checkedString(file, root, 'name', NAME_PATTERN, 'NAME_INVALID');
    const version = this.checkedString(file, root, 'version', VERSION_PATTERN, 'VERSION_INVALID');
    const type = this.checkedString(file, root, 'type', /^plugin$/, 'TYPE_INVALID');
    const label = i18nObject(root.label);
    if (root.label === undefined) this.add('FIELD_MISSING', file, ['label'], { field: 'label' });
    else if (!label || !label.en_US) this.add('LABEL_INVALID', file, ['label'], { field: 'label' });
    const icon = typeof root.icon === 'string' ? root.icon : '';
    if (!icon) this.add('FIELD_MISSING', file, ['icon'], { field: 'icon' });
    const runner = isRecord(root.meta) && isRecord(root.meta.runner) ? root.meta.runner : null;
    return {
      author,
      name,
      version,
      type,
      pluginId: `${author}/${name}`,
      label: label ?? {},
      description: i18nObject(root.description) ?? {},
      icon,
      runnerLanguage: runner && typeof runner.language === 'string' ? runner.language : null,
      entrypoint: runner && typeof runner.entrypoint === 'string' ? runner.entrypoint : null,
    };
  }

  /** A required scalar field; numbers are accepted as text so `version: 1.0` reports as invalid, not missing. */
  private checkedString(
    file: YamlFile,
    root: Record<string, unknown>,
    field: string,
    pattern: RegExp,
    code: ManifestProblemCode,
  ): string {
    const raw = root[field];
    if (raw === undefined || raw === null || raw === '') {
      this.add('FIELD_MISSING', file, [field], { field });
      return '';
    }
    const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : JSON.stringify(raw);
    if (typeof raw !== 'string' || !pattern.test(raw)) this.add(code, file, [field], { field, value });
    return value;
  }

  private async checkIcons(file: YamlFile, root: Record<string, unknown>): Promise<void> {
    for (const field of ['icon', 'icon_dark']) {
      const value = root[field];
      if (typeof value === 'string' && value !== '') await this.checkAsset(file, [field], value);
    }
  }

  private async checkEntrypoint(file: YamlFile, root: Record<string, unknown>): Promise<void> {
    const runner = isRecord(root.meta) && isRecord(root.meta.runner) ? root.meta.runner : null;
    if (!runner || runner.language !== 'python' || typeof runner.entrypoint !== 'string') return;
    // The runner does `python -m <entrypoint>`: `main` means main.py at the root (dots are packages).
    const target = `${runner.entrypoint.replace(/\./g, '/')}.py`;
    await this.checkReference(file, ['meta', 'runner', 'entrypoint'], target, 'meta.runner.entrypoint');
  }

  private async checkExtensions(file: YamlFile, root: Record<string, unknown>): Promise<void> {
    const plugins = root.plugins;
    if (plugins === undefined || plugins === null) {
      this.add('FIELD_MISSING', file, ['plugins'], { field: 'plugins' });
      return;
    }
    if (!isRecord(plugins)) {
      this.add('YAML_NOT_MAPPING', file, ['plugins'], { field: 'plugins' });
      return;
    }
    for (const [kind, spec] of Object.entries(PROVIDER_KINDS)) {
      const list = plugins[kind];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        this.add('FIELD_NOT_LIST', file, ['plugins', kind], { field: `plugins.${kind}` });
        continue;
      }
      for (let i = 0; i < list.length; i++) {
        const target = list[i];
        if (typeof target !== 'string') {
          this.add('FIELD_NOT_LIST', file, ['plugins', kind, i], { field: `plugins.${kind}` });
          continue;
        }
        const ok = await this.checkReference(file, ['plugins', kind, i], target, `plugins.${kind}`);
        if (!ok) continue;
        const provider = await this.loadYaml(normalizeRef(target), file.rel);
        if (!provider) continue;
        if (kind === 'models') await this.checkModelProvider(provider);
        else await this.checkProvider(provider, spec.children, spec.icons);
      }
    }
  }

  private async checkProvider(file: YamlFile, childKey: string, iconPaths: string[][]): Promise<void> {
    const value = file.value;
    if (!isRecord(value)) {
      this.add('YAML_NOT_MAPPING', file, [], {});
      return;
    }
    for (const keys of iconPaths) {
      const icon = getIn(value, keys);
      if (typeof icon === 'string' && icon !== '') await this.checkAsset(file, keys, icon);
    }
    await this.checkPythonSource(file, value);
    const children = value[childKey];
    if (!Array.isArray(children)) return;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      // Children may also be written inline as mappings; only strings are file references.
      if (typeof child !== 'string') continue;
      const ok = await this.checkReference(file, [childKey, i], child, childKey);
      if (!ok) continue;
      const childFile = await this.loadYaml(normalizeRef(child), file.rel);
      if (!childFile) continue;
      const childValue = childFile.value;
      if (!isRecord(childValue)) {
        this.add('YAML_NOT_MAPPING', childFile, [], {});
        continue;
      }
      await this.checkPythonSource(childFile, childValue);
    }
  }

  private async checkModelProvider(file: YamlFile): Promise<void> {
    const value = file.value;
    if (!isRecord(value)) {
      this.add('YAML_NOT_MAPPING', file, [], {});
      return;
    }
    for (const field of MODEL_ICON_FIELDS) {
      const icons = i18nObject(value[field]);
      if (!icons) continue;
      for (const [lang, icon] of Object.entries(icons)) {
        if (icon) await this.checkAsset(file, [field, lang], icon);
      }
    }
    const extra = getIn(value, ['extra', 'python']);
    if (isRecord(extra)) {
      if (typeof extra.provider_source === 'string') {
        await this.checkReference(
          file,
          ['extra', 'python', 'provider_source'],
          extra.provider_source,
          'extra.python.provider_source',
        );
      }
      if (Array.isArray(extra.model_sources)) {
        for (let i = 0; i < extra.model_sources.length; i++) {
          const src = extra.model_sources[i];
          if (typeof src === 'string') {
            await this.checkReference(
              file,
              ['extra', 'python', 'model_sources', i],
              src,
              'extra.python.model_sources',
            );
          }
        }
      }
    }
    const models = value.models;
    if (!isRecord(models)) return;
    for (const type of MODEL_TYPES) {
      const entry = models[type];
      if (!isRecord(entry)) continue;
      if (typeof entry.position === 'string') {
        await this.checkReference(
          file,
          ['models', type, 'position'],
          entry.position,
          `models.${type}.position`,
        );
      }
      if (Array.isArray(entry.predefined)) {
        for (let i = 0; i < entry.predefined.length; i++) {
          const pattern = entry.predefined[i];
          // Predefined entries are glob patterns; only literal paths can be checked for existence.
          if (typeof pattern === 'string' && !/[*?[]/.test(pattern)) {
            await this.checkReference(
              file,
              ['models', type, 'predefined', i],
              pattern,
              `models.${type}.predefined`,
            );
          }
        }
      }
    }
  }

  private async checkPythonSource(file: YamlFile, value: Record<string, unknown>): Promise<void> {
    const source = getIn(value, ['extra', 'python', 'source']);
    if (typeof source === 'string' && source !== '') {
      await this.checkReference(file, ['extra', 'python', 'source'], source, 'extra.python.source');
    }
  }

  /** Icons are names inside `_assets/` (the daemon's CheckAssetsValid). */
  private async checkAsset(file: YamlFile, keys: (string | number)[], icon: string): Promise<void> {
    await this.checkReference(file, keys, `${ASSETS_DIR}/${icon}`, keys.join('.'));
  }

  /** True when `target` is a file that will be in the package. */
  private async checkReference(
    file: YamlFile,
    keys: (string | number)[],
    target: string,
    field: string,
  ): Promise<boolean> {
    const params = { field, target };
    if (target.includes('\\')) {
      this.add('REFERENCE_BACKSLASH', file, keys, params);
      return false;
    }
    const rel = normalizeRef(target);
    if (rel === null) {
      this.add('REFERENCE_OUTSIDE', file, keys, params);
      return false;
    }
    this.references.add(rel);
    const found = await this.index.lookup(rel);
    if (found.kind === 'missing' || found.kind === 'directory') {
      this.add('REFERENCE_MISSING', file, keys, params);
      return false;
    }
    if (found.kind === 'case-mismatch') {
      this.add('REFERENCE_CASE_MISMATCH', file, keys, { ...params, actual: found.actual });
      return false;
    }
    const packaged = this.options.packagedFiles;
    if (packaged && !packaged.has(rel)) {
      this.add('REFERENCE_IGNORED', file, keys, { ...params, ignoreFile: this.options.ignoreFile ?? '' });
      return false;
    }
    return true;
  }

  /** Reads and parses a YAML file, reporting (never throwing) when it is missing or malformed. */
  private async loadYaml(rel: string | null, from: string | null): Promise<YamlFile | null> {
    if (rel === null) return null;
    if (this.visitedYaml.has(rel)) return null;
    this.visitedYaml.add(rel);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, ...rel.split('/')), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (from === null && (code === 'ENOENT' || code === 'ENOTDIR')) {
        this.problems.push({ code: 'MANIFEST_MISSING', file: rel, params: { file: rel, dir: this.dir } });
      } else {
        this.problems.push({
          code: 'FILE_UNREADABLE',
          file: rel,
          params: { file: rel, reason: errorText(e) },
        });
      }
      return null;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const p = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
        this.problems.push({
          code: 'YAML_SYNTAX',
          file: rel,
          ...(p ? { line: p.line, column: p.col } : {}),
          params: {
            file: rel,
            line: p?.line ?? 0,
            column: p?.col ?? 0,
            reason: err.message.split('\n')[0] ?? err.code,
          },
        });
      }
      return null;
    }
    return new YamlFile(rel, doc, lines);
  }

  private add(
    code: ManifestProblemCode,
    file: YamlFile,
    keys: (string | number)[],
    params: Record<string, string | number>,
  ): void {
    const pos = file.pos(keys);
    this.problems.push({ code, file: file.rel, ...pos, params: { file: file.rel, ...params } });
  }
}

/** A manifest-relative reference → a clean relative path, or null when it leaves the plugin folder. */
export function normalizeRef(ref: string): string | null {
  if (ref === '' || ref.startsWith('/') || /^[A-Za-z]:/.test(ref)) return null;
  const out: string[] = [];
  for (const part of ref.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.length > 0 ? out.join('/') : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getIn(v: unknown, keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function i18nObject(v: unknown): Record<string, string> | null {
  if (!isRecord(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
