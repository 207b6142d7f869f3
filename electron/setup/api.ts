/**
 * What the rest of the app (IPC handlers, main.ts, the E2E harness) may ask of the first-run setup:
 * what is not configured yet, and the two things the app does at start (the OS login item, starting
 * the stack). Implemented by `SetupService` in this folder.
 */
import type { SetupState } from './contract';
import type { LaunchStart, LoginItemAdapter } from './launch';

export { electronLoginItem, LOGIN_ARG, type LaunchStart, type LoginItemAdapter } from './launch';

export interface SetupApi {
  state(): Promise<SetupState>;
  /** Keeps the OS login item equal to the `startAtLogin` setting from now on; returns the stop. */
  followLoginItem(adapter: LoginItemAdapter): () => void;
  /**
   * At app start, after the services are up: one fresh look, then the stack's Start job when the
   * `startStackOnLaunch` setting asks for it and something is down. Says what it decided.
   */
  startStackOnLaunch(): Promise<LaunchStart>;
}
