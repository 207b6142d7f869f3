/**
 * What the rest of the app may ask of the `.env` / timeout capability (implemented in this folder).
 * The plugin capability uses `applyEnvChanges` for its one-click signature fix
 * (FORCE_VERIFYING_SIGNATURE=false, recreating only plugin_daemon).
 */
import type { JobHandle } from '../core/jobs';

export interface EnvChangeRequest {
  /** KEY → new value, validated (catalog keys by the catalog; any key by the editor's rules). */
  changes: Record<string, string>;
  /** 'readers' (default): `up -d --no-deps <services that read the keys>`; 'full': a plain `up -d`. */
  mode?: 'readers' | 'full';
  /** Write here instead of the file the panel would choose (relative to the Dify folder or absolute). */
  file?: string;
  /** Write only; no compose. */
  noRedeploy?: boolean;
}

export interface EnvApplyResult {
  /** Files written (absolute) with the backup id of each previous version. */
  written: Array<{ file: string; backupId: string | null }>;
  /** Services recreated. */
  recreated: string[];
  /** Services whose resolved config changed but were left for the next full start. */
  pending: string[];
  /** The project was not running: written only, takes effect on the next start. */
  notRunning: boolean;
}

export interface EnvApi {
  /** Write + redeploy as the timeout panel's Apply does (a job serialized with every compose operation). */
  applyEnvChanges(request: EnvChangeRequest): JobHandle<EnvApplyResult>;
}

/**
 * Sets keys of any `.env` file byte-preservingly, atomically, after a backup (the plugin capability
 * writes a plugin folder's remote-debug settings with it). Pure file work: no compose, no job.
 */
export { setEnvFileValues, type EnvFileEditResult } from './env-file-edit';
