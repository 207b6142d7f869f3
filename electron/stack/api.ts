/**
 * What the rest of the app (IPC handlers, tray, CLI, E2E harness) may ask of the Docker/Dify
 * capability. Implemented by `StackService` in this folder.
 */
import type { DetectedProject, DifyDirCheck, StatusSnapshot } from '../contract';
import type { JobHandle } from '../core/jobs';

export interface StackApi {
  /** The latest snapshot (cheap; kept live by Docker events while watching). */
  getSnapshot(): StatusSnapshot;
  /** A full re-read from the engine (one round of API calls). */
  refresh(): Promise<StatusSnapshot>;
  onSnapshot(listener: (snapshot: StatusSnapshot) => void): () => void;
  /** Begin following Docker events and engine availability (the app does; a one-shot CLI does not). */
  watch(): Promise<void>;

  /** Engine up (starting Docker Desktop on Windows if needed) → `compose up -d` → wait until running. */
  startStack(): JobHandle<void>;
  /** `compose stop`: containers kept, next start is quick. */
  stopStack(): JobHandle<void>;
  /** `compose down`: containers and networks removed (volumes kept). */
  downStack(): JobHandle<void>;
  restartService(service: string): JobHandle<void>;

  checkDifyDir(dir: string): Promise<DifyDirCheck>;
  /** Dify projects seen in containers' compose labels (running or stopped). */
  detectDifyDirs(): Promise<DetectedProject[]>;

  dispose(): Promise<void>;
}
