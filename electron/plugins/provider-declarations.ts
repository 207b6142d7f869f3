import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import {
  AGENT_STRATEGY,
  credentialFormSchemas,
  DATASOURCE,
  ENDPOINT,
  EVENT,
  eventParameter,
  i18n,
  MODEL,
  MODEL_POSITION_TYPES,
  oauthSchema,
  permission,
  providerConfig,
  providerConfigs,
  providerIdentity,
  TOOL,
  type ChildRef,
} from './declaration-types';
import { T, type GoType, type GoYamlDecoder, type Path } from './go-yaml-decode';

/**
 * The provider declarations and the manifest, whose UnmarshalYAML in the daemon does more than decode
 * fields (dify-plugin-daemon 0.6.x pkg/entities/plugin_entities: ToolProviderDeclaration,
 * EndpointProviderDeclaration, ModelProviderDeclaration, AgentStrategyProviderDeclaration,
 * DatasourceProviderDeclaration, TriggerProviderDeclaration). The decoders below follow those methods,
 * and return the child files they list (`$files`) and, for models, the position files and `predefined`
 * patterns (`$positions`, `$predefined`) that decoder/helper.go Manifest() reads next.
 */

const modelProviderFields = T.struct({
  provider: T.string,
  label: i18n,
  description: i18n,
  icon_small: i18n,
  icon_large: i18n,
  icon_small_dark: i18n,
  icon_large_dark: i18n,
  background: T.string,
  help: T.struct({ title: i18n, url: i18n }),
  supported_model_types: T.slice(T.string),
  configurate_methods: T.slice(T.string),
  provider_credential_schema: T.struct({ credential_form_schemas: credentialFormSchemas }),
  model_credential_schema: T.struct({
    model: T.struct({ label: i18n, placeholder: i18n }),
    credential_form_schemas: credentialFormSchemas,
  }),
  position: T.struct(Object.fromEntries(MODEL_POSITION_TYPES.map((t) => [t, T.slice(T.string)]))),
  model_declarations: T.slice(MODEL),
  models: T.node,
});

export const MODEL_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, modelProviderFields, path) as Record<string, unknown> | undefined;
  if (!out) return undefined;
  const models = d.resolve(out.models as YamlNode | undefined);
  delete out.models;
  const positions: Record<string, ChildRef> = {};
  const predefined: ChildRef[] = [];
  if (models && isMap(models)) {
    for (const { key, value } of d.entries(models)) {
      const entry = d.resolve(value);
      if (!MODEL_POSITION_TYPES.includes(key) || !entry || !isMap(entry)) continue;
      for (const item of d.entries(entry)) {
        const v = d.resolve(item.value);
        const at: Path = [...path, 'models', key, item.key];
        // The daemon takes the node's text whatever its kind: a non-scalar names the file "".
        if (item.key === 'position') positions[key] = { target: scalarText(v), node: v, path: at };
        else if (item.key === 'predefined' && v && isSeq(v)) {
          v.items.forEach((p, i) => {
            const pn = d.resolve(p as YamlNode);
            predefined.push({ target: scalarText(pn), node: pn, path: [...at, i] });
          });
        }
      }
    }
  } else if (models && isSeq(models)) {
    d.decode(models, T.slice(MODEL), [...path, 'models']);
  }
  return { ...out, $positions: positions, $predefined: predefined };
});

/**
 * A provider's child list: scalars are files to read, mappings are declarations written inline
 * (other items are skipped). `inline` holds the decoded inline declarations.
 */
function childList(
  d: GoYamlDecoder,
  list: YamlNode | undefined,
  child: GoType,
  path: Path,
  endpointStyle = false,
): { files: ChildRef[]; inline: unknown[] } {
  const files: ChildRef[] = [];
  const inline: unknown[] = [];
  const node = d.resolve(list);
  if (!node || !isSeq(node)) return { files, inline };
  for (let i = 0; i < node.items.length; i++) {
    const item = d.resolve(node.items[i] as YamlNode);
    if (!item) continue;
    if (isScalar(item)) {
      files.push({ target: scalarText(item), node: item, path: [...path, i] });
      continue;
    }
    if (!isMap(item) && !endpointStyle) continue;
    const before = d.issues.length;
    const decoded = d.decode(item, child, [...path, i]);
    // EndpointProviderDeclaration.UnmarshalYAML returns nil on a bad inline endpoint: that one and
    // the rest are dropped, and nothing is reported.
    if (endpointStyle && d.issues.length > before) {
      d.issues.splice(before);
      break;
    }
    if (decoded !== undefined) inline.push(decoded);
  }
  return { files, inline };
}

/**
 * credentials_schema as a list of ProviderConfig, or a mapping name → ProviderConfig whose own keys
 * are not checked for duplicates (the daemon walks the node's content itself).
 */
function credentials(d: GoYamlDecoder, raw: YamlNode | undefined, path: Path, strict: boolean): void {
  const node = d.resolve(raw);
  if (!node || d.isNull(node)) return;
  if (!isMap(node)) {
    d.decode(node, providerConfigs, path);
    return;
  }
  for (const { key, keyNode, value } of d.entries(node)) {
    const v = d.resolve(value);
    if (v && isMap(v)) d.decode(v, providerConfig, [...path, key]);
    else if (strict) {
      // trigger_declaration.go convertYAMLNodeToProviderConfigList
      d.issue('CREDENTIALS_ENTRY_INVALID', v ?? keyNode, [...path, key], { key });
      return;
    }
  }
}

const toolProviderFields = T.struct({
  identity: providerIdentity,
  credentials_schema: T.node,
  credentials_for_provider: T.node,
  tools: T.node,
  oauth_schema: oauthSchema,
});

export const TOOL_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, toolProviderFields, path) as Record<string, YamlNode | undefined> | undefined;
  if (!out) return undefined;
  // An empty credentials_schema falls back to credentials_for_provider (ToolProviderDeclaration.UnmarshalYAML).
  const schema = d.resolve(out.credentials_schema);
  const empty =
    !schema ||
    d.isNull(schema) ||
    isScalar(schema) ||
    (isMap(schema) || isSeq(schema) ? schema.items.length === 0 : true);
  const key = empty ? 'credentials_for_provider' : 'credentials_schema';
  credentials(d, empty ? out.credentials_for_provider : out.credentials_schema, [...path, key], false);
  return { identity: out.identity, $files: childList(d, out.tools, TOOL, [...path, 'tools']).files };
});

const endpointProviderFields = T.struct({
  settings: providerConfigs,
  endpoint_declarations: T.slice(ENDPOINT),
  endpoints: T.node,
});

export const ENDPOINT_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, endpointProviderFields, path) as
    Record<string, YamlNode | undefined> | undefined;
  if (!out) return undefined;
  return { $files: childList(d, out.endpoints, ENDPOINT, [...path, 'endpoints'], true).files };
});

const agentProviderFields = T.struct({ identity: providerIdentity, strategies: T.node });

export const AGENT_STRATEGY_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, agentProviderFields, path) as Record<string, YamlNode | undefined> | undefined;
  if (!out) return undefined;
  return {
    identity: out.identity,
    $files: childList(d, out.strategies, AGENT_STRATEGY, [...path, 'strategies']).files,
  };
});

const datasourceProviderFields = T.struct({
  identity: T.struct({
    author: T.string,
    name: T.string,
    description: i18n,
    icon: T.string,
    label: i18n,
    tags: T.slice(T.string),
  }),
  credentials_schema: T.node,
  datasources: T.node,
  oauth_schema: oauthSchema,
  provider_type: T.string,
});

export const DATASOURCE_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, datasourceProviderFields, path) as
    Record<string, YamlNode | undefined> | undefined;
  if (!out) return undefined;
  credentials(d, out.credentials_schema, [...path, 'credentials_schema'], false);
  // Inline datasources are kept: their icons are remapped at upload like those of datasource files.
  const { files, inline } = childList(d, out.datasources, DATASOURCE, [...path, 'datasources']);
  return { identity: out.identity, $files: files, $inline: inline };
});

const triggerProviderFields = T.struct({
  identity: providerIdentity,
  subscription_schema: T.node,
  subscription_constructor: T.node,
  events: T.node,
});

export const TRIGGER_PROVIDER = T.custom((node, d, path) => {
  const out = d.decode(node, triggerProviderFields, path) as Record<string, YamlNode | undefined> | undefined;
  if (!out) return undefined;
  credentials(d, out.subscription_schema, [...path, 'subscription_schema'], true);
  const constructor = d.resolve(out.subscription_constructor);
  if (constructor && isMap(constructor)) {
    const at = [...path, 'subscription_constructor'];
    const c = d.decode(
      constructor,
      T.struct({ parameters: T.node, credentials_schema: T.node, oauth_schema: T.node }),
      at,
    ) as Record<string, YamlNode | undefined> | undefined;
    if (c) {
      d.decode(c.parameters, T.slice(eventParameter), [...at, 'parameters']);
      credentials(d, c.credentials_schema, [...at, 'credentials_schema'], true);
      d.decode(c.oauth_schema, oauthSchema, [...at, 'oauth_schema']);
    }
  }
  return { identity: out.identity, $files: childList(d, out.events, EVENT, [...path, 'events']).files };
});

/** PluginDeclaration: manifest.yaml (PluginDeclarationWithoutAdvancedFields inline + providers). */
export const MANIFEST = T.struct({
  version: T.string,
  type: T.string,
  author: T.string,
  name: T.string,
  label: i18n,
  description: i18n,
  icon: T.string,
  icon_dark: T.string,
  resource: T.struct({ memory: T.int, permission }),
  plugins: T.struct({
    tools: T.slice(T.string),
    models: T.slice(T.string),
    endpoints: T.slice(T.string),
    agent_strategies: T.slice(T.string),
    datasources: T.slice(T.string),
    triggers: T.slice(T.string),
  }),
  meta: T.struct({
    version: T.string,
    arch: T.slice(T.string),
    runner: T.struct({ language: T.string, version: T.string, entrypoint: T.string }),
    minimum_dify_version: T.string,
  }),
  tags: T.slice(T.string),
  created_at: T.time,
  privacy: T.string,
  repo: T.string,
  verified: T.bool,
  endpoint: ENDPOINT_PROVIDER,
  model: MODEL_PROVIDER,
  tool: TOOL_PROVIDER,
  agent_strategy: AGENT_STRATEGY_PROVIDER,
  datasource: DATASOURCE_PROVIDER,
  trigger: TRIGGER_PROVIDER,
});

export type ProviderKind = 'tools' | 'models' | 'endpoints' | 'agent_strategies' | 'datasources' | 'triggers';

/** Per `plugins.<kind>` entry: the provider type, its child type and its key in the provider YAML. */
export const PROVIDERS: Record<ProviderKind, { provider: GoType; child: GoType | null; childKey: string }> = {
  tools: { provider: TOOL_PROVIDER, child: TOOL, childKey: 'tools' },
  models: { provider: MODEL_PROVIDER, child: null, childKey: '' },
  endpoints: { provider: ENDPOINT_PROVIDER, child: ENDPOINT, childKey: 'endpoints' },
  agent_strategies: { provider: AGENT_STRATEGY_PROVIDER, child: AGENT_STRATEGY, childKey: 'strategies' },
  datasources: { provider: DATASOURCE_PROVIDER, child: DATASOURCE, childKey: 'datasources' },
  triggers: { provider: TRIGGER_PROVIDER, child: EVENT, childKey: 'events' },
};

/** The manifest's inline provider key for each kind (PluginDeclaration's `tool:`, `model:`…). */
export const INLINE_PROVIDER_KEY: Record<ProviderKind, string> = {
  tools: 'tool',
  models: 'model',
  endpoints: 'endpoint',
  agent_strategies: 'agent_strategy',
  datasources: 'datasource',
  triggers: 'trigger',
};

function scalarText(node: YamlNode | null): string {
  return node && isScalar(node) ? String(node.value ?? '') : '';
}
