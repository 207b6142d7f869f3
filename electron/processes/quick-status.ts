/**
 * Ollama's and A1111's part of a one-shot `dify-stack status`: the same look ProcessService.refresh
 * takes (HTTP probes, the process registry), without the job machinery or a running watch.
 */
import path from 'node:path';
import type { ComponentStatus } from '../core/contract';
import type * as SettingsContract from '../settings/contract';
import type { SettingsView } from '../settings/contract';
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
  const settings = withSchemaDefaults(options.settings);
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

/**
 * The settings given, any other field at the schema's default. A status reads only fields the CLI
 * peeked at (settings/settings-peek.ts), so the schema — and zod, 50–100 ms of a CLI's start (issue 8)
 * — is loaded only if another field is ever asked for.
 */
function withSchemaDefaults(given: Partial<Settings>): Settings {
  let defaults: Settings | undefined;
  const fallback = (): Settings => {
    if (!defaults) {
      // A plain require: the bundle loads the schema here, not at start (esbuild keeps it in place).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const contract = require('../settings/contract') as typeof SettingsContract;
      defaults = contract.SettingsViewSchema.shape.settings.parse({});
    }
    return defaults;
  };
  return new Proxy(given as Settings, {
    get: (target, key) => (key in target ? Reflect.get(target, key) : Reflect.get(fallback(), key)),
  });
}
