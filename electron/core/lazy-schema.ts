import type { z as Z } from 'zod';

/**
 * A zod schema built on its first use, with zod itself loaded then. Loading zod costs 50–100 ms of a
 * one-shot CLI run (issue 8: `dify-stack status` must take less than `docker compose ps`); a module
 * on that path whose schemas check only answers that may never come (a local server's JSON, a file
 * that may not exist) declares them with this instead of at import.
 */
export function lazySchema<T>(build: (z: typeof Z) => T): () => T {
  let schema: T | undefined;
  return () => {
    // A plain require, so that the bundle loads zod here and not at start (esbuild keeps it in place);
    // the same module instance as every `import … from 'zod'`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    schema ??= build((require('zod') as { z: typeof Z }).z);
    return schema;
  };
}
