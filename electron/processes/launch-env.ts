/**
 * Environment variables for the programs we launch, with Windows' rule: names are case-insensitive
 * there, but a copied env object (what every LaunchSpec carries) is not — so `Path` and `PATH`, or an
 * inherited `Ollama_Host` beside our `OLLAMA_HOST`, could both end up in the child's environment block,
 * and which one the child sees would depend on their order.
 */

/** The value of `name` (on win32 whatever its case). */
export function envValue(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== 'win32') return env[name];
  const upper = name.toUpperCase();
  const key = Object.keys(env).find((k) => k.toUpperCase() === upper);
  return key === undefined ? undefined : env[key];
}

/** Sets each variable in order (a later one wins); `null` removes it. Changes `env` in place. */
export function overlayEnv(
  env: NodeJS.ProcessEnv,
  entries: Iterable<readonly [string, string | null]>,
  platform: NodeJS.Platform,
): NodeJS.ProcessEnv {
  for (const [name, value] of entries) {
    const upper = name.toUpperCase();
    for (const key of Object.keys(env))
      if (key === name || (platform === 'win32' && key.toUpperCase() === upper)) delete env[key];
    if (value !== null) env[name] = value;
  }
  return env;
}
