/**
 * What the rest of the app may ask of the plugin capability (implemented by `PluginService`).
 * The log viewer reads a plugin folder's debug run from the file named here.
 */
export interface PluginsApi {
  /**
   * The log file a debug run of `folder` writes — the plugin's output and pip's, with a
   * `[dify-stack] …` line of ours between runs — whether or not it runs now; null when `folder` is
   * neither registered nor being debugged. The file may not exist yet (never debugged).
   */
  debugLogFile(folder: string): string | null;
}
