/** The notifications piece of the contract: a clicked notification asks the window to show a page. */
import { z } from 'zod';
import { defineEvents } from '../core/contract-kit';

/** Where a clicked notification leads (the log viewer has its own event, `logs:open`). */
export const NotificationOpenSchema = z.object({
  /** The dashboard (the stack, and the jobs with their output) or the GPU page. */
  page: z.enum(['dashboard', 'gpu']),
  /** The job the notification was about, when it was about one. */
  jobId: z.string().nullable(),
});

export const notificationsEvents = defineEvents({
  'notifications:open': NotificationOpenSchema,
});

export type NotificationOpen = z.infer<typeof NotificationOpenSchema>;
