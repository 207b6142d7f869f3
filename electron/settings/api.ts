/**
 * What other capabilities may ask of the settings (implemented by `SettingsStore` in this folder):
 * read the current view, change some fields, hear about changes (from this process; the file is
 * shared with the CLI and re-read before every write).
 */
import type { SettingsView } from './contract';
import type { SettingsPatch } from './schema';

export interface SettingsApi {
  readonly path: string;
  get(): SettingsView;
  update(patch: SettingsPatch): Promise<SettingsView>;
  onChange(listener: (view: SettingsView) => void): () => void;
}
