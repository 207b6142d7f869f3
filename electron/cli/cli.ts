/**
 * `dify-stack`: the command line over the same services as the tray app.
 *
 *   dify-stack status [--json]      state of Docker, Dify and every Dify service
 *     [--watch]                     … printed again on every change, until Ctrl+C (exit 0)
 *   dify-stack up | down | stop     whole stack (compose up -d / down / stop), waiting for the result
 *   dify-stack restart SERVICE      one service
 *   global: --dify-dir DIR, --config FILE (before or after the command), --help everywhere
 *
 * Exit codes: 0 success, 1 the operation failed (one translated line on stderr, then compose's own
 * detail), 2 wrong usage, 130 cancelled with Ctrl+C (a job); Ctrl+C is how `status --watch` ends
 * normally, so that is 0. `status` says the state in its code: 0 Dify running, 3 not fully running,
 * 4 error, 5 unavailable (exit-codes.ts#statusExitCode). Everything runs in `runCli` so tests can drive it
 * in-process; the process entry at the bottom only wires the real process to it.
 *
 * This module is the process entry and loads nothing at start but Node itself (issue 8: a user's
 * `dify-stack --version` took 0.44 s where Node starts in 0.10 s, `status` 4× `docker compose ps`).
 * It answers `--version` itself, a plain `status` through cli-status.ts (no commander, no services),
 * a repeated plain `timeouts` through cli-timeouts.ts (what the last full one printed, when nothing it
 * was made of changed), and loads the command tree (cli-program.ts) for everything else.
 * scripts/build.mjs makes separate files, so a command parses only the code it runs.
 */
import pkg from '../../package.json';
import { peekCommand } from './cli-args';
import type { CliIo } from './cli-program';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes';

export type { CliIo };
export { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE };
export { peekOption } from './cli-args';

/** Commands answered without the command tree when they can be (null: they cannot, run the tree). */
const QUICK: Record<string, (argv: readonly string[], io: CliIo) => Promise<number | null>> = {
  status: async (argv, io) => (await import('./cli-status')).quickStatusCommand(argv, io),
  timeouts: async (argv, io) => (await import('./cli-timeouts')).quickTimeoutsCommand(argv, io),
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // What commander prints for a leading -V/--version (it answers it before anything that follows).
  if (argv[0] === '-V' || argv[0] === '--version') {
    io.stdout.write(`${pkg.version}\n`);
    return EXIT_OK;
  }
  // A plain `status` or a repeated `timeouts` on the real engine; services a test injects are what
  // the answer must come from.
  const quick = io.createServices ? undefined : QUICK[peekCommand(argv) ?? ''];
  if (quick) {
    const code = await quick(argv, io).catch(() => null);
    if (code !== null) return code;
  }
  const { runProgram } = await import('./cli-program');
  return runProgram(argv, io);
}

// ---- process entry (kept tiny: everything above is tested in-process) -------------------------

if (typeof require !== 'undefined' && require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      let pressed = 0;
      const listener = (): void => {
        // The first Ctrl+C cancels cleanly; a second one means "now".
        if (++pressed > 1) process.exit(EXIT_CANCELLED);
        handler();
      };
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  }).then((code) => {
    process.exitCode = code;
  });
}
