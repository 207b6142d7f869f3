/**
 * How a supervised program is ended: its own API first when it has one (A1111's server-stop lets it
 * finish writing), then the whole process tree (process-tree.ts).
 */
import { cancellableDelay } from '../core/cancellable-delay';
import { AppError } from '../core/errors';
import { killTree, terminateTree, treeAlive } from './process-tree';

export interface EndOptions {
  /** The program's own stop call; true when it was accepted. */
  gracefulStop?: () => Promise<boolean>;
  /** Does the server still answer? (the supervisor's bounded `ready`) */
  serving: (signal: AbortSignal) => Promise<boolean>;
  graceMs: number;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * gracefulStop (when set and accepted) → wait for the tree to go → killTree; otherwise terminateTree
 * (posix SIGTERM, grace, SIGKILL; Windows taskkill /T /F). True when nothing of it is left.
 */
export async function endProgram(pid: number, opts: EndOptions): Promise<boolean> {
  if (opts.signal?.aborted) throw new AppError('CANCELLED');
  const tree = { platform: opts.platform, env: opts.env };
  if (opts.gracefulStop && (await opts.gracefulStop().catch(() => false))) {
    if (await stoppedServing(pid, opts)) return true;
    return killTree(pid, tree);
  }
  return (await terminateTree(pid, { ...tree, graceMs: opts.graceMs })) !== 'failed';
}

/** How long a server that stopped answering may take to end by itself before what is left is killed. */
const SILENT_MS = 2_000;

/**
 * After an accepted graceful stop: true when the tree is gone. False after graceMs, or as soon as the
 * server has not answered for 2 s while something of the tree stays — on Windows A1111's cmd.exe
 * waits at `pause` after the server ended (facts.md); only a kill ends it.
 */
async function stoppedServing(pid: number, opts: EndOptions): Promise<boolean> {
  const until = Date.now() + opts.graceMs;
  const signal = opts.signal ?? new AbortController().signal;
  let silentSince: number | null = null;
  while (Date.now() < until) {
    if (!treeAlive(pid, opts.platform)) return true;
    if (await opts.serving(signal)) silentSince = null;
    else silentSince ??= Date.now();
    if (silentSince !== null && Date.now() - silentSince >= SILENT_MS) return false;
    await cancellableDelay(100, signal);
  }
  return !treeAlive(pid, opts.platform);
}
