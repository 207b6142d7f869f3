/**
 * The stack's piece of the contract: the Docker engine + Dify compose project — live status, start,
 * stop, restart of a service, and finding/checking the Dify `docker` folder.
 */
import { z } from 'zod';
import { defineEvents, defineInvoke } from '../core/contract-kit';
import { ErrorInfoSchema, JobRefSchema, NoInput, StatusSnapshotSchema } from '../core/contract';

export const DifyDirCheckSchema = z.object({
  dir: z.string(),
  ok: z.boolean(),
  error: ErrorInfoSchema.nullable(),
  composeFile: z.string().nullable(),
});

export const DetectedProjectSchema = z.object({
  dir: z.string(),
  project: z.string(),
  services: z.array(z.string()),
});

export const stackInvoke = defineInvoke({
  'app:openDify': { input: NoInput, output: z.object({ url: z.string() }) },
  'status:get': { input: NoInput, output: StatusSnapshotSchema },
  'status:refresh': { input: NoInput, output: StatusSnapshotSchema },
  'stack:restartService': {
    input: z.object({ service: z.string().min(1).max(128) }).strict(),
    output: JobRefSchema,
  },
  'settings:checkDifyDir': {
    input: z.object({ dir: z.string().max(4096) }).strict(),
    output: DifyDirCheckSchema,
  },
  'settings:detectDifyDir': { input: NoInput, output: z.array(DetectedProjectSchema) },
  /** Opens the OS folder picker (Electron only); null when the user cancelled. */
  'settings:pickDifyDir': { input: NoInput, output: z.object({ dir: z.string().nullable() }) },
});

export const stackEvents = defineEvents({
  status: StatusSnapshotSchema,
});

export type DifyDirCheck = z.infer<typeof DifyDirCheckSchema>;
export type DetectedProject = z.infer<typeof DetectedProjectSchema>;
