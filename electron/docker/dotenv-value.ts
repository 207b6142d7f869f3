import { readFile } from 'node:fs/promises';

/**
 * Just enough of .env to find one Compose setting (COMPOSE_PROFILES for the approximate fallback,
 * COMPOSE_PROJECT_NAME), expanding `${X:-d}` with other .env values the way Dify's default line
 * needs. The full byte-preserving parser is electron/env/. A module of its own so that the project
 * name is found without loading a YAML parser (`dify-stack status` counts its milliseconds).
 */
export async function readDotenvValue(file: string, key: string): Promise<string | null> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let value = (m[2] ?? '').trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    values.set(m[1] as string, value);
  }
  const value = values.get(key);
  if (value === undefined) return null;
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_all, name: string, def?: string) => {
      const v = values.get(name);
      return v !== undefined && v !== '' ? v : (def ?? '');
    },
  );
}
