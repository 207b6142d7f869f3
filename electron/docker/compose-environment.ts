/**
 * The part of our environment that can change how Compose resolves a project: Compose's own
 * `COMPOSE_*` settings, every variable the given texts interpolate (`$NAME`, `${NAME…}`) and `names`.
 * Sorted `[name, value or null]` pairs, for the keys of what is kept between runs (the status's
 * remembered models, the timeout panel's reach): a change there must not find the old answer.
 */
export function composeEnvironment(
  env: NodeJS.ProcessEnv,
  texts: readonly string[],
  names: Iterable<string> = [],
): Array<[string, string | null]> {
  const all = new Set(names);
  for (const name of Object.keys(env)) if (name.startsWith('COMPOSE_')) all.add(name);
  for (const text of texts) {
    for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) all.add(m[1] as string);
  }
  return [...all].sort().map((name) => [name, env[name] ?? null]);
}
