import type { Node as YamlNode } from 'yaml';
import { T, type Path } from './go-yaml-decode';

/**
 * The plugin daemon's declaration types as yaml.v3 sees them: the YAML key of every Go field (its `yaml`
 * tag, else the lower-cased field name) and its type, from dify-plugin-daemon 0.6.x
 * pkg/entities/plugin_entities (plugin_declaration.go, tool_declaration.go, model_declaration.go,
 * endpoint_declaration.go, agent_declaration.go, datasource_declaration.go, trigger_declaration.go,
 * config.go, oauth.go, basic_type.go). The types are unchanged from 0.5.0 for what decoding needs.
 * Keys not listed here are ignored by the daemon, so nothing below them is checked. The provider
 * declarations, whose UnmarshalYAML does more than decode fields, are in provider-declarations.ts.
 */

/** A file a declaration names (a tool file, a position file, a `predefined` pattern…). */
export interface ChildRef {
  target: string;
  node: YamlNode | null;
  path: Path;
}

export const i18n = T.struct({ en_US: T.string, ja_JP: T.string, zh_Hans: T.string, pt_BR: T.string });
const parameterOption = T.struct({ value: T.string, label: i18n, icon: T.string });
const autoGenerate = T.struct({ type: T.string });
const template = T.struct({ enabled: T.bool });
const configOption = T.struct({ value: T.string, label: i18n });

/** ProviderConfig has only json tags: yaml.v3 uses the lower-cased Go field names. */
export const providerConfig = T.struct({
  name: T.string,
  type: T.string,
  scope: T.string,
  required: T.bool,
  default: T.any,
  options: T.slice(configOption),
  multiple: T.bool,
  label: i18n,
  help: i18n,
  url: T.string,
  placeholder: i18n,
});
export const providerConfigs = T.slice(providerConfig);
export const oauthSchema = T.struct({ client_schema: providerConfigs, credentials_schema: providerConfigs });
const anyMap = T.map(T.any);

/** ToolProviderIdentity (agent strategy and trigger providers use the same keys). */
export const providerIdentity = T.struct({
  author: T.string,
  name: T.string,
  description: i18n,
  icon: T.string,
  icon_dark: T.string,
  label: i18n,
  tags: T.slice(T.string),
});
const nameIdentity = T.struct({ author: T.string, name: T.string, label: i18n });

export const TOOL = T.struct({
  identity: nameIdentity,
  description: T.struct({ human: i18n, llm: T.string }),
  parameters: T.slice(
    T.struct({
      name: T.string,
      label: i18n,
      human_description: i18n,
      type: T.string,
      scope: T.string,
      form: T.string,
      llm_description: T.string,
      required: T.bool,
      auto_generate: autoGenerate,
      template,
      default: T.any,
      min: T.float,
      max: T.float,
      multiple: T.bool,
      precision: T.int,
      options: T.slice(parameterOption),
    }),
  ),
  output_schema: anyMap,
  has_runtime_parameters: T.bool,
});

export const ENDPOINT = T.struct({ path: T.string, method: T.string, hidden: T.bool });

export const AGENT_STRATEGY = T.struct({
  identity: nameIdentity,
  description: i18n,
  parameters: T.slice(
    T.struct({
      name: T.string,
      label: i18n,
      help: i18n,
      type: T.string,
      auto_generate: autoGenerate,
      template,
      scope: T.string,
      required: T.bool,
      default: T.any,
      min: T.float,
      max: T.float,
      precision: T.int,
      options: T.slice(parameterOption),
    }),
  ),
  output_schema: anyMap,
  features: T.slice(T.string),
});

export const DATASOURCE = T.struct({
  identity: T.struct({ author: T.string, name: T.string, label: i18n, icon: T.string }),
  parameters: T.slice(
    T.struct({
      name: T.string,
      label: i18n,
      type: T.string,
      scope: T.string,
      required: T.bool,
      auto_generate: autoGenerate,
      template,
      default: T.any,
      min: T.float,
      max: T.float,
      precision: T.int,
      options: T.slice(parameterOption),
      description: i18n,
    }),
  ),
  description: i18n,
  output_schema: anyMap,
});

export const eventParameter = T.struct({
  name: T.string,
  label: i18n,
  type: T.string,
  auto_generate: autoGenerate,
  template,
  scope: T.string,
  required: T.bool,
  multiple: T.bool,
  default: T.any,
  min: T.float,
  max: T.float,
  precision: T.int,
  options: T.slice(T.struct({ label: i18n, value: T.any })),
  description: i18n,
});

export const EVENT = T.struct({
  identity: nameIdentity,
  parameters: T.slice(eventParameter),
  description: i18n,
  output_schema: anyMap,
});

/** model_declaration.go PARAMETER_RULE_TEMPLATE: the names `use_template` may take. */
export const PARAMETER_RULE_TEMPLATES = [
  'temperature',
  'top_p',
  'top_k',
  'presence_penalty',
  'frequency_penalty',
  'max_tokens',
  'response_format',
  'json_schema',
] as const;

const parameterRuleFields = T.struct({
  name: T.string,
  use_template: T.string,
  label: i18n,
  type: T.string,
  help: i18n,
  required: T.bool,
  default: T.any,
  min: T.float,
  max: T.float,
  precision: T.int,
  options: T.slice(T.string),
});

/** ModelParameterRule.UnmarshalYAML → TransformTemplate: an unknown template fails the whole file. */
const parameterRule = T.custom((node, d, path) => {
  const rule = d.decode(node, parameterRuleFields, path) as Record<string, unknown> | undefined;
  const name = rule?.use_template;
  if (
    typeof name === 'string' &&
    name !== '' &&
    !(PARAMETER_RULE_TEMPLATES as readonly string[]).includes(name)
  ) {
    const at = d.entries(node).find((e) => e.key === 'use_template')?.value ?? node;
    d.issue('USE_TEMPLATE_UNKNOWN', at, [...path, 'use_template'], {
      value: name,
      allowed: PARAMETER_RULE_TEMPLATES.join(', '),
    });
  }
  return rule;
});

export const MODEL = T.struct({
  model: T.string,
  label: i18n,
  model_type: T.string,
  features: T.slice(T.string),
  fetch_from: T.string,
  model_properties: anyMap,
  deprecated: T.bool,
  parameter_rules: T.slice(parameterRule),
  pricing: T.struct({ input: T.decimal, output: T.decimal, unit: T.decimal, currency: T.string }),
});

const showOn = T.slice(T.struct({ variable: T.string, value: T.string }));
const credentialFormSchema = T.struct({
  variable: T.string,
  label: i18n,
  type: T.string,
  required: T.bool,
  default: T.string,
  options: T.slice(T.struct({ label: i18n, value: T.string, show_on: showOn })),
  help: i18n,
  url: T.string,
  placeholder: i18n,
  max_length: T.int,
  show_on: showOn,
});
export const credentialFormSchemas = T.slice(credentialFormSchema);

/** Position files are a plain list of model names. */
export const POSITION_LIST = T.slice(T.string);

/** The model types whose `models.<type>` entry the daemon reads (ModelProviderDeclaration.UnmarshalYAML). */
export const MODEL_POSITION_TYPES = ['llm', 'text_embedding', 'tts', 'speech2text', 'moderation', 'rerank'];

export const permission = T.struct({
  tool: T.struct({ enabled: T.bool }),
  model: T.struct({
    enabled: T.bool,
    llm: T.bool,
    text_embedding: T.bool,
    rerank: T.bool,
    tts: T.bool,
    speech2text: T.bool,
    moderation: T.bool,
  }),
  node: T.struct({ enabled: T.bool }),
  endpoint: T.struct({ enabled: T.bool }),
  app: T.struct({ enabled: T.bool }),
  storage: T.struct({ enabled: T.bool, size: T.uint }),
});
