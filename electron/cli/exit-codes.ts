/**
 * The exit codes of `dify-stack`, in a module of their own: the process entry (cli.ts) answers
 * `--version` with them before it loads anything else.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;
