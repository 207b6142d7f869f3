/**
 * What a supervision test needs around it (vitest hooks; keep it out of generic-server-spec.ts, which a
 * test's own child processes import outside vitest): a temp folder holding the registry and the log,
 * and at the end the supervisors disposed and the doubles they started ended.
 */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ProcessRegistry } from '../../electron/processes/registry';
import { Supervisor, type SupervisorOptions } from '../../electron/processes/supervisor';
import { useTempDir } from '../helpers/use-temp-dir';
import { killFromPidFiles, serves } from './generic-server-spec';

export interface SupervisionSandbox {
  dir: () => string;
  registryFile: () => string;
  logFile: () => string;
  /**
   * A supervisor of 'ollama' for the app, on this sandbox's registry and log, ready when the double on
   * `port` serves; disposed after the test.
   */
  supervisor: (port: number, over?: Partial<SupervisorOptions>) => Supervisor;
  /** Disposed after each test. */
  supervisors: Supervisor[];
  /** The doubles' pid files: their processes (and groups) are ended after each test. */
  pidFiles: string[];
}

export function useSupervisionSandbox(prefix: string): SupervisionSandbox {
  const dir = useTempDir(prefix);
  const sandbox: SupervisionSandbox = {
    dir,
    registryFile: () => join(dir(), 'app data', 'processes.json'),
    logFile: () => join(dir(), 'app data', 'logs', 'ollama.log'),
    supervisor: (port, over = {}) => {
      const s = new Supervisor({
        component: 'ollama',
        registry: new ProcessRegistry({ file: sandbox.registryFile() }),
        program: 'app',
        logFile: sandbox.logFile(),
        port,
        ready: (signal) => serves(port, signal),
        ...over,
      });
      sandbox.supervisors.push(s);
      return s;
    },
    supervisors: [],
    pidFiles: [],
  };
  afterEach(() => {
    for (const s of sandbox.supervisors.splice(0)) s.dispose();
    killFromPidFiles(sandbox.pidFiles.splice(0));
  });
  return sandbox;
}
