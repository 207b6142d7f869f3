/**
 * The tag of a container image of one repository, e.g. `langgenius/dify-api:1.16.0` → `1.16.0`. A
 * registry prefix or an `@sha256:` digest may come along. The login (the console API's era) and the
 * timeout rules (which release is running) both read Dify's release this way.
 */
export function imageTag(image: string | null | undefined, repo: string): string | null {
  const ref = (image ?? '').trim().split('@')[0] ?? '';
  const escaped = repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(String.raw`^(?:[^/]+/)*${escaped}:([^:/]+)$`).exec(ref);
  return m ? (m[1] as string) : null;
}
