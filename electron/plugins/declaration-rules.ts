import { fieldName, type Path } from './go-yaml-decode';
import type { ManifestProblemCode } from './manifest-problems';

/**
 * The daemon's rules for manifest.yaml, applied to the manifest as yaml.v3 decoded it.
 *
 * - The struct validator (go-playground/validator, `validate:` tags of PluginDeclaration and the
 *   types below it in dify-plugin-daemon pkg/entities/plugin_entities/plugin_declaration.go, with the
 *   custom `version`, `is_available_arch`, `is_available_language` and `plugin_tag` checks from
 *   pkg/entities/manifest_entities and pkg/entities/constants). `dify plugin package` runs it
 *   (pkg/plugin_packager/packager: Validate → UnmarshalPluginDeclarationFromYaml), so the official
 *   packager refuses what fails here; so does the Python SDK when the plugin starts.
 * - What the upload itself checks (internal/service/plugin_decoder.go UploadPluginPkg and
 *   PluginDeclaration.ManifestValidate): the identifier's author/name/version patterns, no UUID as
 *   author, at least one provider kind, and which kinds may be combined.
 *
 * Notes on the validator that shape these rules: `required` on a nested struct (label, resource,
 * meta…) is ignored, so it is the fields inside that must be set; `required` on a number means
 * "not 0"; `lt`/`max` count characters (runes); `omitempty` skips a pointer that is not set.
 */

export const AUTHOR_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const NAME_PATTERN = /^[a-z0-9_-]{1,128}$/;
/** manifest_entities.VERSION_PATTERN */
export const VERSION_PATTERN = /^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$/;

/** constants.Arch values accepted by is_available_arch. */
export const ARCHES = ['amd64', 'arm64'] as const;
/** is_available_language accepts python only (constants.Go exists but is "not supported yet"). */
export const RUNNER_LANGUAGES = ['python'] as const;
/** manifest_entities.PluginTag values accepted by plugin_tag. */
export const PLUGIN_TAGS = [
  'search',
  'image',
  'videos',
  'weather',
  'finance',
  'design',
  'travel',
  'social',
  'news',
  'medical',
  'productivity',
  'education',
  'business',
  'entertainment',
  'utilities',
  'other',
  'agent',
  'rag',
  'trigger',
] as const;

/** storage.size: min=1024, max=1073741824 (1 GiB). */
const STORAGE_MIN = 1024;
const STORAGE_MAX = 1_073_741_824;
/** google/uuid Parse forms that the author pattern lets through. */
const UUID_LIKE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;

export interface RuleProblem {
  code: ManifestProblemCode;
  /** Where in manifest.yaml (for the line); the nearest existing parent is shown when it is absent. */
  path: Path;
  params: Record<string, string | number>;
}

type Decoded = Record<string, unknown>;

/**
 * `blocked(path)`: the decode already reported this value (or a parent), so no rule looks at it: a
 * wrong type is one problem, not two.
 */
export function manifestRules(manifest: Decoded, blocked: (path: Path) => boolean): RuleProblem[] {
  const out: RuleProblem[] = [];
  const add = (code: ManifestProblemCode, path: Path, params: Record<string, string | number> = {}): void => {
    if (!blocked(path)) out.push({ code, path, params: { field: fieldName(path), ...params } });
  };
  const text = (path: Path): string => {
    const v = getIn(manifest, path);
    return typeof v === 'string' ? v : '';
  };
  const patterned = (path: Path, pattern: RegExp, code: ManifestProblemCode): void => {
    const v = text(path);
    if (v === '') add('FIELD_MISSING', path);
    else if (!pattern.test(v)) add(code, path, { value: v });
  };
  const maxLength = (path: Path, max: number): void => {
    if (runes(text(path)) > max) add('TEXT_TOO_LONG', path, { max });
  };

  patterned(['version'], VERSION_PATTERN, 'VERSION_INVALID');
  patterned(['type'], /^plugin$/, 'TYPE_INVALID');
  patterned(['author'], AUTHOR_PATTERN, 'AUTHOR_INVALID');
  if (UUID_LIKE.test(text(['author']))) add('AUTHOR_UUID', ['author'], { value: text(['author']) });
  patterned(['name'], NAME_PATTERN, 'NAME_INVALID');
  i18nRules(manifest, ['label'], add, 'LABEL_INVALID');
  i18nRules(manifest, ['description'], add, 'I18N_EN_US_MISSING');
  if (text(['icon']) === '') add('FIELD_MISSING', ['icon']);
  maxLength(['icon'], 128);
  maxLength(['icon_dark'], 128);

  const memory = getIn(manifest, ['resource', 'memory']);
  if (typeof memory !== 'number' || memory === 0) add('MEMORY_MISSING', ['resource', 'memory']);
  const storage = getIn(manifest, ['resource', 'permission', 'storage']);
  if (isRecord(storage)) {
    const size = typeof storage.size === 'number' ? storage.size : 0;
    if (size < STORAGE_MIN || size > STORAGE_MAX)
      add('STORAGE_SIZE_INVALID', ['resource', 'permission', 'storage', 'size'], { value: size });
  }
  const plugins = getIn(manifest, ['plugins']);
  if (isRecord(plugins)) {
    for (const [kind, list] of Object.entries(plugins)) {
      if (Array.isArray(list)) list.forEach((_, i) => maxLength(['plugins', kind, i], 128));
    }
  }

  metaRules(manifest, add, text);

  const tags = getIn(manifest, ['tags']);
  if (Array.isArray(tags)) {
    tags.forEach((tag, i) => {
      if (typeof tag === 'string' && !(PLUGIN_TAGS as readonly string[]).includes(tag))
        add('VALUE_NOT_ALLOWED', ['tags', i], { value: tag, allowed: PLUGIN_TAGS.join(', ') });
    });
  }
  const created = getIn(manifest, ['created_at']);
  if (!isRecord(created) || created.zero === true) add('CREATED_AT_MISSING', ['created_at']);
  const repo = text(['repo']);
  if (repo !== '' && !isUrl(repo)) add('REPO_INVALID', ['repo'], { value: repo });
  return out;
}

type Add = (code: ManifestProblemCode, path: Path, params?: Record<string, string | number>) => void;

function metaRules(manifest: Decoded, add: Add, text: (path: Path) => string): void {
  const meta = getIn(manifest, ['meta']);
  if (!isRecord(meta)) {
    add('FIELD_MISSING', ['meta']);
    return;
  }
  const version = text(['meta', 'version']);
  if (version === '') add('FIELD_MISSING', ['meta', 'version']);
  else if (!VERSION_PATTERN.test(version))
    add('META_VERSION_INVALID', ['meta', 'version'], { value: version });
  const arch = meta.arch;
  if (!Array.isArray(arch)) add('FIELD_MISSING', ['meta', 'arch']);
  else {
    arch.forEach((a, i) => {
      if (typeof a === 'string' && !(ARCHES as readonly string[]).includes(a))
        add('VALUE_NOT_ALLOWED', ['meta', 'arch', i], { value: a, allowed: ARCHES.join(', ') });
    });
  }
  if (!isRecord(meta.runner)) {
    add('FIELD_MISSING', ['meta', 'runner']);
    return;
  }
  const language = text(['meta', 'runner', 'language']);
  if (language === '') add('FIELD_MISSING', ['meta', 'runner', 'language']);
  else if (!(RUNNER_LANGUAGES as readonly string[]).includes(language))
    add('VALUE_NOT_ALLOWED', ['meta', 'runner', 'language'], {
      value: language,
      allowed: RUNNER_LANGUAGES.join(', '),
    });
  for (const [key, max] of [
    ['version', 128],
    ['entrypoint', 256],
  ] as const) {
    const v = text(['meta', 'runner', key]);
    if (v === '') add('FIELD_MISSING', ['meta', 'runner', key]);
    else if (runes(v) > max) add('TEXT_TOO_LONG', ['meta', 'runner', key], { max });
  }
}

/** I18nObject: en_US required and under 1024 characters; the other languages under 1024. */
function i18nRules(manifest: Decoded, path: Path, add: Add, noEnglish: ManifestProblemCode): void {
  const value = getIn(manifest, path);
  if (!isRecord(value)) {
    add('FIELD_MISSING', path);
    return;
  }
  const en = typeof value.en_US === 'string' ? value.en_US : '';
  if (en === '') add(noEnglish, path);
  for (const lang of ['en_US', 'ja_JP', 'zh_Hans', 'pt_BR']) {
    const v = value[lang];
    if (typeof v === 'string' && runes(v) >= 1024) add('TEXT_TOO_LONG', [...path, lang], { max: 1023 });
  }
}

/**
 * go-playground's `url`: a scheme, then a host, an opaque part or a fragment (after Go's url.Parse,
 * which refuses spaces and bad % escapes).
 */
function isUrl(value: string): boolean {
  const s = value.toLowerCase();
  // eslint-disable-next-line no-control-regex -- Go's url.Parse refuses control characters
  if (/[\s\u0000-\u001f\u007f]/.test(s) || /%(?![0-9a-f]{2})/.test(s)) return false;
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/.exec(s);
  if (!m) return false;
  const rest = m[2] ?? '';
  if (m[1] === 'file') return true;
  if (rest.startsWith('//')) return /^\/\/[^/?#]+/.test(rest) || rest.includes('#');
  return rest !== '';
}

function runes(s: string): number {
  return [...s].length;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getIn(v: unknown, path: Path): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}
