/**
 * The processes piece of the contract: Ollama and AUTOMATIC1111 supervised beside Dify, Start/Stop of
 * the whole stack in order (Docker engine → Ollama → A1111 → Dify; Stop the reverse), the checks of
 * their settings, and the connectivity doctor (can Dify's containers reach them?).
 */
import { z } from 'zod';
import { defineInvoke, defineTopics } from '../core/contract-kit';
import { ComponentIdSchema, ErrorInfoSchema, JobRefSchema, NoInput } from '../core/contract';

export const SupervisedIdSchema = z.enum(['ollama', 'a1111']);

/** One check of the doctor: what was tried, from where, and (on failure) the likely cause and its fix. */
export const DoctorCheckSchema = z.object({
  /** e.g. `ollama.tags`, `a1111.sdModels`, `a1111.ping`. */
  id: z.string(),
  component: SupervisedIdSchema,
  /** Where the request ran: a container (`api`, `plugin_daemon`) or `host`. */
  from: z.string(),
  url: z.string(),
  outcome: z.enum(['ok', 'failed', 'skipped']),
  /** HTTP status when one came back. */
  status: z.number().int().nullable(),
  /** How the request was made inside the container (`curl`, `wget`, `python3`), for the report. */
  tool: z.string().nullable(),
  /** The likely cause and its fix (null when ok): a key under `doctor.causes` in the locales, + params. */
  cause: z
    .object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })
    .nullable(),
  /** The same in English for the CLI and logs. */
  detail: z.string(),
  /** What the tool printed, trimmed (for "show details"). */
  output: z.string().optional(),
});

export const DoctorReportSchema = z.object({
  ok: z.boolean(),
  /** The container the checks ran in (null when none runs: then every container check is skipped). */
  container: z.string().nullable(),
  checks: z.array(DoctorCheckSchema),
  /** Problems that kept the doctor from checking at all (no Dify project, engine down). */
  error: ErrorInfoSchema.nullable(),
  finishedAt: z.number(),
});

/** A settings field's verdict: fine, or what is wrong and what to do. */
export const FieldCheckSchema = z.object({
  ok: z.boolean(),
  /** What the check found (the executable, the launcher), for the field's hint. */
  found: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
});

const ComponentIdsInput = z.object({ ids: z.array(ComponentIdSchema).max(4).optional() }).strict();

export const processesInvoke = defineInvoke({
  /** Start the named components in stack order (none: the stack as `stackComponents` says); one job, a step each. */
  'components:start': { input: ComponentIdsInput, output: JobRefSchema },
  /** Stop them in the reverse order. */
  'components:stop': { input: ComponentIdsInput, output: JobRefSchema },
  /** Checks the Ollama/A1111 settings as they would be saved (unsaved values from the form). */
  'processes:checkSettings': {
    input: z
      .object({
        ollamaPath: z.string().max(4096),
        a1111Dir: z.string().max(4096),
        a1111Port: z.number().int().min(1).max(65535),
      })
      .strict(),
    output: z.object({
      ollamaPath: FieldCheckSchema,
      a1111Dir: FieldCheckSchema,
      a1111Port: FieldCheckSchema,
    }),
  },
  'doctor:run': { input: NoInput, output: DoctorReportSchema },
  /** The last doctor report (after Start, or the last run), null before any. */
  'doctor:last': { input: NoInput, output: DoctorReportSchema.nullable() },
});

export const processesTopics = defineTopics({
  /** A supervised program's output: the lines kept so far, then each new line. */
  'process-output': {
    params: z.object({ component: SupervisedIdSchema }).strict(),
    item: z.string(),
  },
});

export type SupervisedId = z.infer<typeof SupervisedIdSchema>;
export type DoctorCheck = z.infer<typeof DoctorCheckSchema>;
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
export type FieldCheck = z.infer<typeof FieldCheckSchema>;
