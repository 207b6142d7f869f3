/**
 * Ollama's and A1111's part of a one-shot `dify-stack status`: the same look ProcessService.refresh
 * takes (HTTP probes, the process registry), without the job machinery or a running watch.
 */
import path from 'node:path';
import type { ComponentStatus } from '../core/contract';
import { SettingsViewSchema, type SettingsView } from '../settings/contract';
import { A1111Component } from './a1111-component';
import { OllamaComponent } from './ollama-component';
import { ProcessRegistry } from './registry';
import type { ComponentDeps } from './supervised-component';

type Settings = SettingsView['settings'];

export interface QuickProcessOptions {
  settings: Partial<Settings>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** settings/paths.ts localDataDir: where the registry lives. */
  dataDir: string;
}

export async function quickProcessStatus(options: QuickProcessOptions): Promise<ComponentStatus[]> {
  const settings: Settings = { ...SettingsViewSchema.shape.settings.parse({}), ...options.settings };
  const deps: ComponentDeps = {
    settings: () => settings,
    registry: new ProcessRegistry({
      file: path.join(options.dataDir, 'processes.json'),
      platform: options.platform,
      env: options.env,
    }),
    program: 'cli',
    platform: options.platform,
    env: options.env,
    logDir: path.join(options.dataDir, 'logs'),
    onChange: () => undefined,
  };
  const components = [new OllamaComponent(deps), new A1111Component(deps)];
  try {
    await Promise.all(components.map((c) => c.supervisor.attach().catch(() => false)));
    return await Promise.all(components.map((c) => c.status()));
  } finally {
    for (const c of components) c.dispose();
  }
}
