import { z } from 'zod';
import { DIFY_LOGIN_SECRET, DIFY_PASSWORD_SECRET, type SecretStore } from './secrets';

/**
 * The Dify password is kept together with the origin (scheme, host, port) of the Dify URL it was
 * entered for, and given out only for that origin: after the URL setting changes, the saved password
 * is not sent to the new address — the user enters it again (issue 9). Otherwise a changed URL, by
 * mistake or by someone with access to the settings file, and a "Test login" would hand it to any host.
 *
 * The CLI's password (DIFY_PASSWORD) is given for the run, together with the URL it names: it is not
 * bound. A password saved by an older version without an origin is treated as not saved.
 */

export type PasswordLookup =
  | { state: 'ok'; password: string }
  | { state: 'missing' }
  /** Saved for another Dify URL: never sent here. */
  | { state: 'other-url'; savedFor: string };

const BoundSchema = z.object({ origin: z.string(), password: z.string().min(1) });

/** `https://dify.example.com:8443` for any URL there; the trimmed text when it is no URL. */
export function urlOrigin(url: string): string {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return url.trim();
  }
}

export async function lookupDifyPassword(store: SecretStore, url: string): Promise<PasswordLookup> {
  if (store.source === 'environment') {
    const password = await store.get(DIFY_PASSWORD_SECRET);
    return password ? { state: 'ok', password } : { state: 'missing' };
  }
  const raw = await store.get(DIFY_LOGIN_SECRET);
  if (!raw) return { state: 'missing' };
  let bound: z.infer<typeof BoundSchema>;
  try {
    const parsed = BoundSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return { state: 'missing' };
    bound = parsed.data;
  } catch {
    return { state: 'missing' };
  }
  return bound.origin === urlOrigin(url)
    ? { state: 'ok', password: bound.password }
    : { state: 'other-url', savedFor: bound.origin };
}

/** Saves the password for `url`'s origin (and drops an unbound one an older version saved). */
export async function saveDifyPassword(store: SecretStore, url: string, password: string): Promise<void> {
  await store.set(DIFY_LOGIN_SECRET, JSON.stringify({ origin: urlOrigin(url), password }));
  await store.delete(DIFY_PASSWORD_SECRET);
}

export async function deleteDifyPassword(store: SecretStore): Promise<void> {
  await store.delete(DIFY_LOGIN_SECRET);
  await store.delete(DIFY_PASSWORD_SECRET);
}
