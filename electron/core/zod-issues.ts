import type { z } from 'zod';

/** "difyUrl: must be an http:// or https:// URL; language: …" — short enough for one line. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
