/**
 * What the viewer can open and how each is read: the Dify project's compose services (their
 * containers, through the stack's view of the project), Ollama's and A1111's log files (the processes
 * capability says which), and registered plugin folders' debug runs (the plugin capability's file).
 */
import { stat } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { LogSource } from '../core/contract';
import { logSourceKey } from '../core/presentation';
import { AppError } from '../core/errors';
import type { PluginsApi } from '../plugins/api';
import type { OpenProject, StackApi } from '../stack/api';
import type { LogSourceInfo } from './contract';
import {
  containerDetail,
  openServiceSource,
  pickContainer,
  type ServiceContainer,
  type ServiceSourceDeps,
} from './service-source';
import type { OpenSource } from './source';

/** The key a source goes by (one rule for main and the window: core/presentation.ts). */
export const sourceKey = logSourceKey;

export type ProgramId = 'ollama' | 'a1111';

export interface SourceCatalogDeps {
  stack: Pick<StackApi, 'openProject' | 'getSnapshot' | 'onSnapshot'>;
  /** The engine client (created on first use). */
  docker(): Pick<Docker, 'getContainer'>;
  /** The file Ollama's / A1111's output goes to now (null when it is not set up), and whether it runs. */
  programLog(id: ProgramId): { file: string | null; running: boolean };
  plugins: Pick<PluginsApi, 'debugLogFile'>;
  /** Follows a log file (surviving rotation and truncation). */
  openFile(file: string): OpenSource;
  /** Waits of the service source between looks (tests shorten them). */
  serviceRetryMs?: ServiceSourceDeps['retryMs'];
}

/** A container of the project as the stack lists it, in the service source's terms. */
function serviceContainers(open: OpenProject, service: string): ServiceContainer[] {
  return open.containers
    .filter((c) => c.service === service)
    .map((c) => ({ id: c.id, name: c.name ?? c.id.slice(0, 12), state: c.state, created: c.created }));
}

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

const RUNNING_DEBUG_PHASES = new Set(['installing', 'starting', 'connected']);

export class SourceCatalog {
  constructor(private readonly deps: SourceCatalogDeps) {}

  /** Every source there is now, with its state: the project's services first, then the programs, then plugin runs. */
  async list(): Promise<LogSourceInfo[]> {
    const [services, programs, plugins] = await Promise.all([
      this.services(),
      Promise.all((['ollama', 'a1111'] as const).map((id) => this.program(id))),
      this.pluginRuns(),
    ]);
    return [...services, ...programs, ...plugins];
  }

  /** How to read `source`; throws (refusing the view) for a program or plugin folder with no log. */
  opener(source: LogSource): OpenSource {
    switch (source.kind) {
      case 'service':
        return openServiceSource(this.serviceDeps(), source.service);
      case 'plugin': {
        const file = this.deps.plugins.debugLogFile(source.folder);
        if (file === null)
          throw new AppError('PLUGIN_PROJECT_NOT_REGISTERED', { params: { dir: source.folder } });
        return this.deps.openFile(file);
      }
      default: {
        const { file } = this.deps.programLog(source.kind);
        if (file === null) {
          const component = source.kind === 'ollama' ? 'Ollama' : 'AUTOMATIC1111';
          throw new AppError('COMPONENT_NOT_CONFIGURED', { params: { component } });
        }
        return this.deps.openFile(file);
      }
    }
  }

  /** The service source's view of the project: the stack's containers, and its snapshot as the nudge. */
  serviceDeps(): ServiceSourceDeps {
    const { stack } = this.deps;
    return {
      docker: this.deps.docker(),
      containers: async (service) => serviceContainers(await stack.openProject(), service),
      // The stack's snapshot follows Docker events while the app watches: a container that starts,
      // stops or is recreated changes it at once.
      onChange: (listener) => stack.onSnapshot(() => listener()),
      retryMs: this.deps.serviceRetryMs,
    };
  }

  private async services(): Promise<LogSourceInfo[]> {
    const open = await this.deps.stack.openProject().catch(() => null);
    if (!open) return [];
    return open.model.services.map((spec) => {
      const all = serviceContainers(open, spec.name);
      const picked = pickContainer(all);
      const source: LogSource = { kind: 'service', service: spec.name };
      return {
        source,
        key: sourceKey(source),
        state: !picked ? 'missing' : picked.state === 'running' ? 'running' : 'stopped',
        detail: picked ? containerDetail(picked, all) : null,
      };
    });
  }

  private async program(id: ProgramId): Promise<LogSourceInfo> {
    const source: LogSource = { kind: id };
    const { file, running } = this.deps.programLog(id);
    const exists = file !== null && (await fileExists(file));
    return {
      source,
      key: sourceKey(source),
      state: !exists ? 'missing' : running ? 'running' : 'stopped',
      detail: file,
    };
  }

  /** Registered plugin folders that have a debug log file (or a run under way). */
  private async pluginRuns(): Promise<LogSourceInfo[]> {
    const folders = this.deps.stack.getSnapshot().plugins.folders;
    const found = await Promise.all(
      folders.map(async (folder): Promise<LogSourceInfo | null> => {
        const file = this.deps.plugins.debugLogFile(folder.dir);
        if (file === null) return null;
        const source: LogSource = { kind: 'plugin', folder: folder.dir };
        const running = RUNNING_DEBUG_PHASES.has(folder.debug?.phase ?? '');
        const exists = running || (await fileExists(file));
        return {
          source,
          key: sourceKey(source),
          state: running ? 'running' : exists ? 'stopped' : 'missing',
          detail: file,
        };
      }),
    );
    return found.filter((s): s is LogSourceInfo => s !== null);
  }
}
