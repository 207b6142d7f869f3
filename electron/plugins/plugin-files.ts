import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { messageOf } from '../core/errors';
import { isRecord } from './declaration-rules';
import { FolderIndex } from './folder-index';
import { fieldName, GoYamlDecoder, type GoType, type Path } from './go-yaml-decode';
import type {
  ManifestProblem,
  ManifestProblemCode,
  ManifestWarning,
  ManifestWarningCode,
} from './manifest-problems';
import { ReferenceChecker, type ReferenceResult } from './reference-check';
import { loadYaml, nodePosition, type LoadedYaml } from './yaml-load';

/**
 * The plugin folder as the check reads it: each YAML file parsed and decoded once (yaml-load.ts,
 * go-yaml-decode.ts), references and icons looked up (reference-check.ts), and the problems and
 * warnings found, each with its file and line.
 */

/** One parsed YAML file of the plugin. */
export interface YamlFile {
  rel: string;
  yaml: LoadedYaml;
}

/** A position: a node, or keys from the file's root (the nearest existing parent is shown). */
export type Where = Path | YamlNode | null;

export interface Decoded {
  file: YamlFile;
  value: Record<string, unknown>;
  /** Values the decode reported (a mapping with a duplicate key counts as a whole): rules skip them. */
  reported: (path: Path) => boolean;
}

export class PluginFiles {
  readonly problems: ManifestProblem[] = [];
  readonly warnings: ManifestWarning[] = [];
  readonly index: FolderIndex;
  readonly refs: ReferenceChecker;
  private readonly decoded = new Map<string, Decoded | null>();

  constructor(
    private readonly dir: string,
    packaged: ReadonlySet<string>,
    ignoreFile: string,
  ) {
    this.index = new FolderIndex(dir);
    this.refs = new ReferenceChecker(this.index, packaged, ignoreFile);
  }

  async checkAsset(file: YamlFile, keys: Path, icon: unknown): Promise<void> {
    if (typeof icon !== 'string' || icon === '') return;
    this.report(file, keys, await this.refs.asset(icon, fieldName(keys)));
  }

  /** The clean path when `target` is a file that will be in the package, else null (reported). */
  async checkFile(file: YamlFile, where: Where, target: string, field: string): Promise<string | null> {
    const result = await this.refs.file(target, field);
    this.report(file, where, result);
    return result.ok ? result.rel : null;
  }

  report(file: YamlFile, where: Where, result: ReferenceResult): void {
    if (!result.ok) this.add(result.code, file, where, result.params);
  }

  /**
   * Reads, parses and decodes a file once (a file listed twice is read once); reports, never throws.
   * Syntax: only the first error of a file; the decode's problems come one per value.
   */
  async loadDecoded(rel: string, type: GoType, isManifest = false): Promise<Decoded | null> {
    if (this.decoded.has(rel)) return this.decoded.get(rel) ?? null;
    this.decoded.set(rel, null);
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, ...rel.split('/')), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (isManifest && (code === 'ENOENT' || code === 'ENOTDIR'))
        this.problems.push({ code: 'MANIFEST_MISSING', file: rel, params: { file: rel, dir: this.dir } });
      else
        this.problems.push({
          code: 'FILE_UNREADABLE',
          file: rel,
          params: { file: rel, reason: messageOf(e) },
        });
      return null;
    }
    const loaded = loadYaml(text);
    if (!loaded.ok) {
      const { line, column, reason } = loaded.error;
      this.problems.push({
        code: 'YAML_SYNTAX',
        file: rel,
        line,
        column,
        params: { file: rel, line, column, reason },
      });
      return null;
    }
    const file: YamlFile = { rel, yaml: loaded.yaml };
    const decoder = new GoYamlDecoder(loaded.yaml);
    const value = decoder.decodeRoot(type);
    for (const issue of decoder.issues) {
      const listExpected =
        issue.code === 'YAML_SHAPE' && issue.path.length === 2 && issue.path[0] === 'plugins';
      this.add(
        listExpected && isManifest ? 'FIELD_NOT_LIST' : issue.code,
        file,
        issue.node ?? issue.path,
        issue.params,
      );
    }
    // A mapping with a duplicate key is not decoded at all (yaml.v3): nothing below it is checked.
    const undecoded = decoder.issues.map((i) =>
      i.code === 'YAML_DUPLICATE_KEY' ? i.path.slice(0, -1) : i.path,
    );
    if (undecoded.some((p) => p.length === 0)) return null;
    if (isManifest && !loaded.yaml.doc?.contents) {
      this.add('YAML_NOT_MAPPING', file, [], {});
      return null;
    }
    const root = isRecord(value) ? value : {};
    Object.defineProperty(root, '$file', { value: file, enumerable: false });
    const reported = (p: Path): boolean => undecoded.some((u) => isPrefix(u, p) || isPrefix(p, u));
    const result = { file, value: root, reported };
    this.decoded.set(rel, result);
    return result;
  }

  fileOf(value: unknown): YamlFile | null {
    return isRecord(value) ? ((value as { $file?: YamlFile }).$file ?? null) : null;
  }

  rawString(file: YamlFile, keys: Path): string | null {
    const v = file.yaml.doc?.getIn(keys);
    return typeof v === 'string' && v !== '' ? v : null;
  }

  /**
   * Where to point: a node, or the entry at `keys` — a mapping entry's key line (a value may start on
   * the next line), else the nearest entry that exists.
   */
  position(file: YamlFile, where: Where): { line?: number; column?: number } {
    if (where && !Array.isArray(where)) return nodePosition(file.yaml, where as YamlNode);
    let node = (file.yaml.doc?.contents ?? null) as YamlNode | null;
    let at: YamlNode | null = node;
    for (const key of (where ?? []) as Path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        at = pair.key as YamlNode;
        node = (pair.value ?? null) as YamlNode | null;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
        node = node.items[key] as YamlNode;
        at = node;
      } else break;
    }
    return nodePosition(file.yaml, at);
  }

  add(
    code: ManifestProblemCode,
    file: YamlFile,
    where: Where,
    params: Record<string, string | number>,
  ): void {
    this.problems.push({
      code,
      file: file.rel,
      ...this.position(file, where),
      params: { file: file.rel, ...params },
    });
  }

  warn(
    code: ManifestWarningCode,
    file: YamlFile,
    where: Where,
    params: Record<string, string | number>,
  ): void {
    this.warnings.push({
      code,
      file: file.rel,
      ...this.position(file, where),
      params: { file: file.rel, ...params },
    });
  }
}

function isPrefix(prefix: Path, full: Path): boolean {
  return prefix.length <= full.length && prefix.every((k, i) => k === full[i]);
}
