/**
 * What the plugin folder check reports: a code (i18n `plugins.problems.<code>`), the file, the
 * position when known, and the text's parameters. Problems stop packaging; warnings do not.
 */

export type ManifestProblemCode =
  | 'MANIFEST_MISSING'
  | 'FILE_UNREADABLE'
  | 'YAML_SYNTAX'
  | 'YAML_NOT_MAPPING'
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_TYPE'
  | 'YAML_SHAPE'
  | 'FIELD_MISSING'
  | 'FIELD_NOT_LIST'
  | 'AUTHOR_INVALID'
  | 'AUTHOR_UUID'
  | 'NAME_INVALID'
  | 'VERSION_INVALID'
  | 'META_VERSION_INVALID'
  | 'TYPE_INVALID'
  | 'LABEL_INVALID'
  | 'I18N_EN_US_MISSING'
  | 'TEXT_TOO_LONG'
  | 'VALUE_NOT_ALLOWED'
  | 'MEMORY_MISSING'
  | 'STORAGE_SIZE_INVALID'
  | 'CREATED_AT_MISSING'
  | 'REPO_INVALID'
  | 'PROVIDER_MISSING'
  | 'PROVIDERS_CONFLICT'
  | 'USE_TEMPLATE_UNKNOWN'
  | 'CREDENTIALS_ENTRY_INVALID'
  | 'PATTERN_INVALID'
  | 'DEPENDENCIES_MISSING'
  | 'REFERENCE_MISSING'
  | 'REFERENCE_CASE_MISMATCH'
  | 'REFERENCE_OUTSIDE'
  | 'REFERENCE_BACKSLASH'
  | 'REFERENCE_NOT_CLEAN'
  | 'REFERENCE_IGNORED';

export type ManifestWarningCode =
  'PREDEFINED_NO_MATCH' | 'DEPS_NO_REQUIREMENTS_LOCKED' | 'DEPS_NO_REQUIREMENTS_UNLOCKED';

export interface ManifestProblem<C extends string = ManifestProblemCode> {
  code: C;
  /** The file the problem is in, relative to the plugin folder, forward slashes. */
  file: string;
  line?: number;
  column?: number;
  /** Parameters for the i18n text `plugins.problems.<code>` (always includes `file`). */
  params: Record<string, string | number>;
}

export type ManifestWarning = ManifestProblem<ManifestWarningCode>;

export const PROBLEM_CODES: readonly ManifestProblemCode[] = [
  'MANIFEST_MISSING',
  'FILE_UNREADABLE',
  'YAML_SYNTAX',
  'YAML_NOT_MAPPING',
  'YAML_DUPLICATE_KEY',
  'YAML_TYPE',
  'YAML_SHAPE',
  'FIELD_MISSING',
  'FIELD_NOT_LIST',
  'AUTHOR_INVALID',
  'AUTHOR_UUID',
  'NAME_INVALID',
  'VERSION_INVALID',
  'META_VERSION_INVALID',
  'TYPE_INVALID',
  'LABEL_INVALID',
  'I18N_EN_US_MISSING',
  'TEXT_TOO_LONG',
  'VALUE_NOT_ALLOWED',
  'MEMORY_MISSING',
  'STORAGE_SIZE_INVALID',
  'CREATED_AT_MISSING',
  'REPO_INVALID',
  'PROVIDER_MISSING',
  'PROVIDERS_CONFLICT',
  'USE_TEMPLATE_UNKNOWN',
  'CREDENTIALS_ENTRY_INVALID',
  'PATTERN_INVALID',
  'DEPENDENCIES_MISSING',
  'REFERENCE_MISSING',
  'REFERENCE_CASE_MISMATCH',
  'REFERENCE_OUTSIDE',
  'REFERENCE_BACKSLASH',
  'REFERENCE_NOT_CLEAN',
  'REFERENCE_IGNORED',
];

export const WARNING_CODES: readonly ManifestWarningCode[] = [
  'PREDEFINED_NO_MATCH',
  'DEPS_NO_REQUIREMENTS_LOCKED',
  'DEPS_NO_REQUIREMENTS_UNLOCKED',
];
