export interface LockEntry {
  version?: string;
  resolved?: string;
  optional?: boolean;
  link?: boolean;
}
export interface Command {
  command: string;
  args: string[];
  shell?: boolean;
}
export type Run = (command: Command, options: { cwd: string; env: NodeJS.ProcessEnv }) => number;
export type Log = (line: string) => void;
interface Base {
  root: string;
  env: NodeJS.ProcessEnv;
  run: Run;
  log: Log;
}

export declare function lockDrift(
  lockPackages: Record<string, LockEntry>,
  installedVersion: (dir: string) => string | null,
): string | null;
export declare function dependencyState(root: string): {
  state: 'missing' | 'stale' | 'fresh';
  reason: string;
};
export declare function runCommand(command: Command, options?: object): number;
export declare function ensureDependencies(options: Base): number;
export declare function ensureElectronBinary(options: Base): number;
export declare function missingTestPrerequisites(
  env: NodeJS.ProcessEnv,
  check?: (command: string, args: string[]) => boolean,
  exists?: (file: string) => boolean,
): string[];
export declare function prepareTestEnvironment(
  options: Base & {
    missing: string[];
    platform: string;
    isRoot: boolean;
    interactive: boolean;
    has: (command: string) => boolean;
  },
): number;
