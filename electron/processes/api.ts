/**
 * What the rest of the app (IPC handlers, tray, CLI, E2E harness) may ask of the processes capability:
 * Ollama and AUTOMATIC1111 beside Dify, the whole stack in order, and the connectivity doctor.
 * Implemented by `ProcessService` in this folder.
 */
import type { ComponentId } from '../core/contract';
import type { JobHandle } from '../core/jobs';
import type { TopicSource } from '../core/subscriptions';
import type { A1111Client } from './a1111-client';
import type { DoctorReport, FieldCheck, SupervisedId } from './contract';
import type { OllamaClient } from './ollama-client';

export type { OllamaLoadedModel, OllamaModel } from './ollama-client';

/**
 * How this capability runs a program, for others that run one of their own (a plugin's debug run):
 * its output straight into a log file the child inherits (rotated at a start, followed by polling),
 * and the end of its whole process tree.
 */
export { LogFollower, openChildLog, rotateLog, type LogFollowerOptions } from './process-log';
export { terminateTree, treeAlive } from './process-tree';

/** What the GPU capability asks of a running Ollama: the loaded models, the cloud ones, and unloads. */
export type OllamaVramClient = Pick<OllamaClient, 'ps' | 'tags' | 'unload'>;
/** What it asks of a running AUTOMATIC1111: its CUDA memory, and the checkpoint's unload and reload. */
export type A1111VramClient = Pick<A1111Client, 'memory' | 'unloadCheckpoint' | 'reloadCheckpoint'>;

export interface ProcessesApi {
  /** Starts the components in stack order (none: the stack as the settings say), one job with a step each. */
  startComponents(ids?: readonly ComponentId[]): JobHandle<void>;
  /** Stops them in the reverse order; `remove`: Dify's containers are removed (`compose down`), not kept. */
  stopComponents(ids?: readonly ComponentId[], options?: { remove?: boolean }): JobHandle<void>;
  /** One look at Ollama and A1111 (HTTP probes, the registry), written into the app snapshot. */
  refresh(): Promise<void>;
  /**
   * Keeps the snapshot live. `supervise` (the app; default): also notices crashes of what we started and
   * restarts it when the settings say so — one program only, or two would race for the port.
   */
  watch(options?: { supervise?: boolean }): void;
  checkSettings(input: {
    ollamaPath: string;
    a1111Dir: string;
    a1111Port: number;
  }): Promise<{ ollamaPath: FieldCheck; a1111Dir: FieldCheck; a1111Port: FieldCheck }>;
  runDoctor(): Promise<DoctorReport>;
  lastDoctor(): DoctorReport | null;
  /**
   * The API clients of Ollama and AUTOMATIC1111 when the last look (`refresh`) found them running — A1111
   * with its API — else null: the GPU capability asks only what runs for who holds the VRAM.
   */
  vramClients(): { ollama: OllamaVramClient | null; a1111: A1111VramClient | null };
  /**
   * The file the log viewer follows for Ollama's or A1111's output now, and whether the program writing
   * it runs: the output file of a program we started (the app or a CLI run), else — Ollama on Windows —
   * the desktop app's server.log; else our output file of an earlier run (file null: none is known).
   */
  logFileOf(component: SupervisedId): { file: string | null; running: boolean };
  /** A supervised program's output: what is kept, then each new line (the `process-output` topic). */
  outputSource(): TopicSource<{ component: SupervisedId }, string>;
  dispose(): Promise<void>;
}
