/**
 * The first-run setup piece of the contract: what is not configured yet (the dashboard's panel and the
 * wizard read it). Finishing or skipping the wizard is a settings change (`setupDone`), not a channel.
 */
import { z } from 'zod';
import { defineInvoke } from '../core/contract-kit';
import { NoInput } from '../core/contract';

/** What the stack still lacks, in the wizard's order; each names the wizard step that sets it up. */
export const SetupNeedSchema = z.enum(['difyDir', 'ollama', 'a1111', 'difyLogin']);

export const SetupStateSchema = z.object({
  /** The wizard was finished or skipped: the app no longer opens on it. */
  setupDone: z.boolean(),
  needs: z.array(SetupNeedSchema),
});

export const setupInvoke = defineInvoke({
  'setup:state': { input: NoInput, output: SetupStateSchema },
});

export type SetupNeed = z.infer<typeof SetupNeedSchema>;
export type SetupState = z.infer<typeof SetupStateSchema>;
