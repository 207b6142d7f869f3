/**
 * The `.env` / timeout capability's piece of the contract: the timeout panel's data, its channels
 * (view, check while typing, preview, apply, backups, restore). The renderer imports only the types.
 */
import { z } from 'zod';
import { defineInvoke } from '../core/contract-kit';
import { ErrorInfoSchema, JobRefSchema, NoInput } from '../core/contract';
import { CHAIN_SCENARIOS } from './timeout-scenarios';

const Params = z.record(z.string(), z.union([z.string(), z.number()]));

export const TranslatedErrorSchema = z.object({ key: z.string(), params: Params });

export const NoEffectSchema = z.object({
  /** environment: the reader (`by`) loads the file, but its own `environment:` entry maps the key and wins. */
  reason: z.enum(['notReferenced', 'noReader', 'shadowed', 'environment']),
  /** Files that set the key without effect. */
  files: z.array(z.string()),
  /** The file whose value the readers get instead (shadowed); the reader service (environment). */
  by: z.string().nullable(),
  /** Where to set the key for it to take effect (environment). */
  instead: z.string().nullable().optional(),
});

/** Why a change goes to its file (reach-model.ts `suggestPlacement`); `chosen`: the user picked it. */
export const PlacementReasonSchema = z.enum([
  'decides',
  'documented',
  'ownFile',
  'envFile',
  'fewestServices',
  'chosen',
  'fallback',
]);

export const KeySettingSchema = z.object({
  file: z.string(),
  value: z.string().nullable(),
  line: z.number().nullable(),
  /** decides: the readers get this value; shadowed: another file or `environment:` wins; unused: reaches no reader. */
  effect: z.enum(['decides', 'shadowed', 'unused']),
});

export const TimeoutKeyViewSchema = z.object({
  key: z.string(),
  group: z.enum(['workflow', 'plugins', 'tools', 'code', 'http', 'web']),
  unit: z.enum(['s', 'ms', 'min', 'nginx']),
  defaultValue: z.string(),
  min: z.number(),
  max: z.number(),
  location: z.enum(['env', 'override']),
  /** Documented readers (the catalog). */
  consumers: z.array(z.string()),
  /** What the readers get now, as Compose resolves it; null: not passed (Dify's default applies). */
  value: z.string().nullable(),
  source: z.enum(['file', 'composeDefault', 'notSet']),
  /** The file that decides the value now. */
  file: z.string().nullable(),
  /** Where a change would be written. */
  suggestedFile: z.string().nullable(),
  /** Why the change goes there (null: no file reaches a reader; `.env` is used). */
  suggestedReason: PlacementReasonSchema.nullable().optional(),
  /** Services that read the value in this project. */
  readers: z.array(z.string()),
  /** Per reader, the name it reads the value under (e.g. sandbox: WORKER_TIMEOUT). */
  readerNames: z.record(z.string(), z.string()),
  settings: z.array(KeySettingSchema),
  noEffect: NoEffectSchema.nullable(),
  /** The current value is invalid for the reading program (why, when not null). */
  invalid: TranslatedErrorSchema.nullable(),
  approximate: z.boolean(),
});

const ChainMessageSchema = z.object({
  code: z.string(),
  link: z.string(),
  messageKey: z.string(),
  params: Params,
});

const CodeLocationSchema = z.object({ file: z.string(), line: z.number(), text: z.string() });

const RuleSetSchema = z.enum(['upTo1.8', '1.9-1.11.1', '1.12-1.15', '1.16.0', 'newest']);
const LinkEffectSchema = z.enum([
  'nodeFails',
  'pluginKilled',
  'runStopped',
  'runAbortedAtNodeEnd',
  'runAbortedBeforeNextNode',
  'uiStopsWaiting',
  'clientGetsError',
  'callBackFails',
]);
const LinkConditionSchema = z.enum(['blocksEventLoop', 'callsBackIntoDify', 'nodeSetsNoTimeout']);

export const ChainResultSchema = z.object({
  scenario: z.string(),
  /** The release's rule set (dify-release.ts) and whether it was assumed (release unknown). */
  ruleSet: RuleSetSchema,
  assumed: z.boolean(),
  links: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['env', 'fixed', 'plugin']),
      seconds: z.number().nullable(),
      raw: z.string().nullable(),
      source: z.string(),
      titleKey: z.string(),
      services: z.array(z.string()),
      measure: z.enum(['total', 'gap', 'nodeEnd', 'beforeNode', 'watchdog']),
      effect: LinkEffectSchema,
      outsideContinues: z.boolean().nullable(),
      condition: LinkConditionSchema.nullable(),
      counts: z.boolean(),
      guards: z.string().optional(),
      at: CodeLocationSchema.optional(),
    }),
  ),
  effective: z.object({ seconds: z.number(), by: z.array(z.string()) }).nullable(),
  warnings: z.array(ChainMessageSchema),
  notes: z.array(ChainMessageSchema),
});

export const ReleaseViewSchema = z.object({
  dify: z.string().nullable(),
  daemon: z.string().nullable(),
  ruleSet: RuleSetSchema,
  assumed: z.boolean(),
  /** PLUGIN_INSTALL_TIMEOUT exists (plugin daemon ≥ 0.5.5); null: the daemon's release is unknown. */
  pluginInstallTimeout: z.boolean().nullable(),
});

/** The plugin's own limit for the chain: the tool's hard-coded HTTP timeout, where it is written. */
const PluginChainInputSchema = z
  .object({
    toolHttpTimeout: z.number().positive().nullable().optional(),
    at: CodeLocationSchema.strict().nullable().optional(),
  })
  .strict();

const ReleaseInputSchema = z.object({ ruleSet: RuleSetSchema, assumed: z.boolean() }).strict();

export const FitResultSchema = z.object({
  scenario: z.string(),
  targetSeconds: z.number(),
  ruleSet: RuleSetSchema,
  assumed: z.boolean(),
  /** Key → value: what timeouts:preview and timeouts:apply take. */
  changes: z.record(z.string(), z.string()),
  steps: z.array(
    z.object({
      key: z.string(),
      from: z.string().nullable(),
      fromSeconds: z.number().nullable(),
      to: z.string(),
      toSeconds: z.number(),
      effect: LinkEffectSchema,
    }),
  ),
  cannotChange: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['plugin', 'fixed', 'unknown', 'aboveMax']),
      seconds: z.number().nullable(),
      effect: LinkEffectSchema,
      condition: LinkConditionSchema.nullable(),
      at: CodeLocationSchema.optional(),
    }),
  ),
  verdict: z.enum(['fits', 'blocked', 'unknown']),
});

export const TimeoutsViewSchema = z.object({
  project: z.object({
    dir: z.string(),
    name: z.string(),
    running: z.boolean(),
    composeVersion: z.string().nullable(),
  }),
  /** Compose could not resolve the project: file/reader facts were read from the YAML. */
  approximate: z.boolean(),
  /** A quick view: values from the files, readers read from the YAML while Compose resolves them. */
  resolving: z.boolean(),
  composeError: ErrorInfoSchema.nullable(),
  files: z.array(z.object({ file: z.string(), exists: z.boolean() })),
  keys: z.array(TimeoutKeyViewSchema),
  presets: z.array(z.object({ id: z.string(), values: z.record(z.string(), z.string()) })),
  /** The Dify / plugin daemon releases read from the images, and the rules they give. */
  release: ReleaseViewSchema,
  chains: z.array(ChainResultSchema),
  invalidLines: z.array(
    z.object({ file: z.string(), line: z.number(), text: z.string(), messageKey: z.string() }),
  ),
});

export const ChangesInputSchema = z
  .object({
    changes: z.record(z.string().min(1).max(200), z.string().max(4096)),
    file: z.string().max(4096).optional(),
    mode: z.enum(['readers', 'full']).optional(),
  })
  .strict();

export const CheckResultSchema = z.object({
  errors: z.record(z.string(), TranslatedErrorSchema),
  chains: z.array(ChainResultSchema),
});

export const ChangePreviewSchema = z.object({
  entries: z.array(
    z.object({
      key: z.string(),
      /** What the readers get now (null: not passed). */
      old: z.string().nullable(),
      /** What the target file holds now (null: absent). */
      fileOld: z.string().nullable(),
      new: z.string(),
      file: z.string(),
      /** The file does not exist yet and will hold only the keys written. */
      createsFile: z.boolean(),
      /** Why the change goes to `file`. */
      reason: PlacementReasonSchema,
      readers: z.array(z.string()),
      noEffect: NoEffectSchema.nullable(),
    }),
  ),
  errors: z.array(z.object({ key: z.string(), value: z.string(), error: TranslatedErrorSchema })),
  /** Services that read the changed keys (recreated by default). */
  readers: z.array(z.string()),
  /** Everything whose resolved config changes: what a plain `up -d` recreates. */
  upSet: z.array(z.string()),
  /** upSet minus readers: left for the next full start. */
  pending: z.array(z.string()),
  /** What Apply recreates in the chosen mode. */
  recreate: z.array(z.string()),
  mode: z.enum(['readers', 'full']),
  running: z.boolean(),
  approximate: z.boolean(),
});

export const BackupEntrySchema = z.object({
  id: z.string(),
  file: z.string(),
  createdAt: z.number(),
  size: z.number(),
});

export const RestoreInputSchema = z
  .object({
    file: z.string().min(1).max(4096),
    backupId: z.string().min(1).max(300),
    mode: z.enum(['readers', 'full']).optional(),
  })
  .strict();

export type TimeoutsView = z.infer<typeof TimeoutsViewSchema>;
export type TimeoutKeyView = z.infer<typeof TimeoutKeyViewSchema>;
export type ChangePreview = z.infer<typeof ChangePreviewSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type BackupEntry = z.infer<typeof BackupEntrySchema>;
export type ChangesInput = z.infer<typeof ChangesInputSchema>;
export type ChainResultDto = z.infer<typeof ChainResultSchema>;
export type FitResultDto = z.infer<typeof FitResultSchema>;
export type ReleaseView = z.infer<typeof ReleaseViewSchema>;

export const envInvoke = defineInvoke({
  /** The timeout panel: every catalog key with what Compose says about it (value, file, readers). */
  'timeouts:view': {
    /** `quick`: answer at once from the files (and what is known), without waiting for Compose. */
    input: z.object({ quick: z.boolean().optional() }).strict(),
    output: TimeoutsViewSchema,
  },
  /** Validation of draft values and the timeout chains they give (pure; called while typing). */
  'timeouts:check': {
    input: z
      .object({
        values: z.record(z.string().max(200), z.string().max(4096)),
        /** The tool's own limit read from a plugin's code (plugins:timeouts), in seconds. */
        plugin: PluginChainInputSchema.optional(),
        release: ReleaseInputSchema.optional(),
      })
      .strict(),
    output: CheckResultSchema,
  },
  /** "Make this call fit": the fewest key changes for a scenario and target duration (pure). */
  'timeouts:fit': {
    input: z
      .object({
        scenario: z.enum(CHAIN_SCENARIOS),
        targetSeconds: z
          .number()
          .positive()
          .max(7 * 24 * 3600),
        values: z.record(z.string().max(200), z.string().max(4096)),
        plugin: PluginChainInputSchema.optional(),
        release: ReleaseInputSchema.optional(),
      })
      .strict(),
    output: FitResultSchema,
  },
  'timeouts:preview': { input: ChangesInputSchema, output: ChangePreviewSchema },
  'timeouts:apply': { input: ChangesInputSchema, output: JobRefSchema },
  'timeouts:backups': { input: NoInput, output: z.array(BackupEntrySchema) },
  'timeouts:restore': { input: RestoreInputSchema, output: JobRefSchema },
});
