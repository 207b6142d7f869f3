/**
 * The exit codes of `dify-stack`, in a module of their own: the process entry (cli.ts) answers
 * `--version` with them before it loads anything else.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

/** `status`: Dify is not fully running (stopped, partly running, starting). */
export const EXIT_NOT_RUNNING = 3;
/** `status`: Dify or the engine is in error (a folder that is not a Dify project, Compose failing). */
export const EXIT_STATUS_ERROR = 4;
/** `status`: cannot tell — Docker is not running or not installed, or no Dify folder is set or found. */
export const EXIT_UNAVAILABLE = 5;

interface StatusLike {
  components: ReadonlyArray<{ id: string; state: string }>;
}

/** What `status` exits with, so scripts can branch on it (README, "The CLI"). */
export function statusExitCode(snapshot: StatusLike): number {
  const state = (id: string) => snapshot.components.find((c) => c.id === id)?.state;
  const docker = state('docker');
  const dify = state('dify');
  if (docker === 'unavailable') return EXIT_UNAVAILABLE;
  if (docker === 'error' || dify === 'error') return EXIT_STATUS_ERROR;
  if (dify === undefined || dify === 'unavailable') return EXIT_UNAVAILABLE;
  return dify === 'running' ? EXIT_OK : EXIT_NOT_RUNNING;
}
