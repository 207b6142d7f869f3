/**
 * The shapes of one supervised program: how to launch it, what the supervisor is told, and what it
 * tells (the snapshot's process facts are made from the state).
 */
import type { SupervisedId } from './contract';
import type { ProcessRegistry } from './registry';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** win32 cmd.exe command lines built by the caller (quotes kept as written). */
  windowsVerbatimArguments?: boolean;
  kind?: 'child' | 'desktop-app';
}

export interface SupervisorTimings {
  /** How often `ready` is asked during a start (default 250 ms). */
  readyPollMs?: number;
  /** How long one `ready` call may take (default 2 000 ms). */
  readyTimeoutMs?: number;
  /** How often an attached pid (no child of ours to hear exit from) is looked at (default 2 000 ms). */
  alivePollMs?: number;
  /** How often the log is read while nobody waits on it (default 500 ms). */
  logPollMs?: number;
}

export interface SupervisorOptions {
  component: SupervisedId;
  registry: ProcessRegistry;
  program: 'app' | 'cli';
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** App data, e.g. <appData>/logs/ollama.log. */
  logFile: string;
  port: number | null;
  /** Is it usable? Polled during start (every ~250 ms, with its own short timeout). */
  ready: (signal: AbortSignal) => Promise<boolean>;
  /** Tried first by stop() when set (e.g. A1111's /sdapi/v1/server-stop); true when it was accepted. */
  gracefulStop?: () => Promise<boolean>;
  /** Default 10 000. */
  graceMs?: number;
  /**
   * Quiet time after which a start fails (PROCESS_START_TIMEOUT) — output keeps it alive: a 20-minute
   * first-run install that prints progress never times out. Default 180 000.
   */
  quietTimeoutMs?: number;
  restart?: {
    enabled: () => boolean;
    /** Default 1 000. */
    baseMs?: number;
    /** Default 60 000. */
    maxMs?: number;
    /** Default 5. */
    maxAttempts?: number;
    /** A program that ran this long before it ended starts the count (and the delay) afresh. Default 300 000. */
    stableMs?: number;
  };
  /** How to start it again after a crash when this supervisor only attached (it has no spec of its own). */
  respawn?: () => Promise<LaunchSpec>;
  /** Lines of output kept (default 1 000). */
  maxLines?: number;
  timings?: SupervisorTimings;
  onChange?: () => void;
  onLine?: (line: string) => void;
}

export interface SupervisorState {
  pid: number | null;
  owner: 'app' | 'cli' | null;
  kind: 'child' | 'desktop-app' | null;
  running: boolean;
  starting: boolean;
  restarts: number;
  lastExitCode: number | null;
  lastLines: string[];
  logFile: string;
  startedAt: number | null;
  crashed: boolean;
  nextRestartAt: number | null;
}
