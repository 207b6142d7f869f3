/**
 * Ollama as a part of the stack. Three owners are possible, and each is stopped its own way:
 * - a server already answering that we did not start (a systemd unit, another program): used as it is
 *   — never a second `serve` beside it — and not ours to stop;
 * - Ollama's desktop app (Windows): it owns `serve`, restarts its child a second after any exit and
 *   kills other `serve` processes when its own cannot bind (facts.md), so Start launches the app and
 *   Stop ends the app's whole tree;
 * - an `ollama serve` we started (the app or a CLI run), found again through the process registry.
 */
import { AppError } from '../core/errors';
import type { ComponentStatus, OllamaInfo } from '../core/contract';
import type { JobContext } from '../core/jobs';
import { answered, httpProbe } from './http-probe';
import { OllamaClient, looksLikeOllama } from './ollama-client';
import { ollamaEndpoint } from './ollama-host';
import {
  desktopAppPids,
  findOllama,
  ollamaDesktopSpec,
  ollamaServeSpec,
  type OllamaInstall,
} from './ollama-install';
import { killTree } from './process-tree';
import { SupervisedComponent, type ComponentDeps } from './supervised-component';

/** How long the desktop app's tree may take to go, and how often we look. */
const DESKTOP_STOP_MS = 15_000;
/** The desktop app's pids cost a tasklist run: looked up at most this often while Ollama answers. */
const DESKTOP_LOOK_MS = 30_000;

/** Ollama's version and installed models change rarely: asked again at most this often (or on a new pid). */
const SLOW_FACTS_MS = 30_000;

export class OllamaComponent extends SupervisedComponent {
  private desktopSeen: { at: number; running: boolean } | null = null;
  private slowFacts: {
    at: number;
    key: string;
    version: string | null;
    models: { name: string; size: number; remote: boolean }[];
  } | null = null;

  constructor(deps: ComponentDeps) {
    super('ollama', deps, {
      port: null,
      // GET / answers only once the server serves; the "Listening on" line comes before (facts.md).
      ready: (signal) => this.client().ping(signal),
      quietTimeoutMs: 120_000,
    });
  }

  endpoint() {
    return ollamaEndpoint(this.deps.settings().ollamaHost, this.deps.env);
  }

  client(): OllamaClient {
    return new OllamaClient(this.endpoint().endpoint.url, { timeoutMs: 2000 });
  }

  install(): OllamaInstall {
    const { platform, env } = this.deps;
    return findOllama({ setting: this.deps.settings().ollamaPath, platform, env });
  }

  configured(): boolean {
    const install = this.install();
    return install.serve !== null || install.desktopApp !== null;
  }

  async status(): Promise<ComponentStatus> {
    const client = this.client();
    const url = this.endpoint().endpoint.url;
    const startable = this.configured();
    const sup = this.supervisor.state();
    if (await client.ping()) {
      const [{ version, models }, loaded] = await Promise.all([
        this.versionAndModels(client, url),
        client.ps().catch(() => []),
      ]);
      const owner = this.ourOwner() ?? ((await this.desktopAppRunning()) ? 'desktop-app' : 'external');
      const ollama: OllamaInfo = {
        url,
        version,
        models: models.filter((m) => !m.remote).map((m) => ({ name: m.name, size: m.size })),
        loaded: loaded.map((m) => ({ name: m.name, size: m.size, sizeVram: m.sizeVram })),
      };
      return {
        id: 'ollama',
        state: 'running',
        detail:
          `Ollama ${version ?? ''} at ${url}: ${ollama.models.length} models, ${ollama.loaded.length} loaded`.replace(
            '  ',
            ' ',
          ),
        reason: {
          key: 'processes.reason.ollamaRunning',
          params: { version: version ?? '?', models: ollama.models.length, loaded: ollama.loaded.length },
        },
        error: null,
        process: this.processInfo(owner, startable),
        ollama,
      };
    }
    const base = { id: 'ollama' as const, process: this.processInfo(null, startable) };
    if (sup.starting)
      return {
        ...base,
        state: 'starting',
        detail: `Starting Ollama at ${url}`,
        reason: { key: 'processes.reason.starting' },
        error: null,
      };
    if (sup.crashed) return { ...base, ...this.errorFields(this.crashError('Ollama')) };
    if (!startable) {
      return {
        ...base,
        state: 'unavailable',
        detail: `Ollama is not installed (looked in ${this.install().looked.join(', ')})`,
        reason: { key: 'processes.reason.ollamaNotInstalled' },
        error: null,
      };
    }
    return {
      ...base,
      state: 'stopped',
      detail: `Ollama is not running (${url})`,
      reason: { key: 'processes.reason.stopped' },
      error: null,
    };
  }

  start(ctx: JobContext): Promise<void> {
    return this.inJob(ctx, async () => {
      const { endpoint, hostValue } = this.endpoint();
      ctx.step('processes.steps.ollamaStarting');
      const probe = await httpProbe(`${endpoint.url}/`);
      if (answered(probe)) {
        if (!looksLikeOllama(probe.status, probe.body))
          throw new AppError('PORT_TAKEN', { params: { port: endpoint.port, component: 'Ollama' } });
        ctx.log(`Ollama already answers at ${endpoint.url}; using it as it is.`);
        return;
      }
      const install = this.install();
      if (!install.serve && !install.desktopApp)
        throw new AppError('OLLAMA_NOT_FOUND', { params: { looked: install.looked.join(', ') } });
      const { platform, env, settings } = this.deps;
      const spec = install.desktopApp
        ? ollamaDesktopSpec(install, { baseEnv: env })
        : ollamaServeSpec(install, { hostValue, extraEnv: settings().ollamaEnv, baseEnv: env, platform });
      ctx.log(`$ ${spec.command} ${spec.args.join(' ')}`);
      ctx.step('processes.steps.ollamaWaiting', { url: endpoint.url });
      await this.supervisor.start(spec, ctx.signal);
    });
  }

  stop(ctx: JobContext, explicit: boolean): Promise<void> {
    return this.inJob(ctx, async () => {
      ctx.step('processes.steps.ollamaStopping');
      if (await this.deps.registry.get('ollama')) {
        await this.supervisor.stop(ctx.signal);
        return;
      }
      const { platform, env } = this.deps;
      const pids = await desktopAppPids({ platform, env });
      if (pids.length > 0) {
        // Killing only `serve` does nothing: the app restarts it within a second (facts.md).
        ctx.log(`Stopping Ollama's desktop app and its tree (pid ${pids.join(', ')})…`);
        const gone = await Promise.all(pids.map((pid) => killTree(pid, { platform, env })));
        if (gone.includes(false))
          throw new AppError('PROCESS_STOP_FAILED', {
            params: { component: 'Ollama', pid: pids.join(', ') },
          });
        await this.waitUntilSilent(ctx);
        this.desktopSeen = null;
        return;
      }
      const url = this.endpoint().endpoint.url;
      if (!(await this.client().ping())) {
        ctx.log('Ollama is not running.');
        return;
      }
      if (explicit) throw new AppError('OLLAMA_NOT_OURS', { params: { url } });
      ctx.log(`Ollama at ${url} was started outside this app; it is left running.`);
    });
  }

  /** The status polls every few seconds while the app runs: the idle CPU budget is 1 % of a core. */
  private async versionAndModels(
    client: OllamaClient,
    url: string,
  ): Promise<{ version: string | null; models: { name: string; size: number; remote: boolean }[] }> {
    const key = `${url} ${this.supervisor.state().pid ?? ''}`;
    const cached = this.slowFacts;
    if (cached && cached.key === key && Date.now() - cached.at < SLOW_FACTS_MS) return cached;
    const [version, models] = await Promise.all([
      client.version().catch(() => null),
      client.tags().catch(() => []),
    ]);
    this.slowFacts = { at: Date.now(), key, version, models };
    return this.slowFacts;
  }

  private async waitUntilSilent(ctx: JobContext): Promise<void> {
    const deadline = Date.now() + DESKTOP_STOP_MS;
    while (Date.now() < deadline) {
      ctx.throwIfCancelled();
      if (!(await this.client().ping())) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async desktopAppRunning(): Promise<boolean> {
    if (this.deps.platform !== 'win32') return false;
    if (this.desktopSeen && Date.now() - this.desktopSeen.at < DESKTOP_LOOK_MS)
      return this.desktopSeen.running;
    const { platform, env } = this.deps;
    const running = (await desktopAppPids({ platform, env }).catch(() => [])).length > 0;
    this.desktopSeen = { at: Date.now(), running };
    return running;
  }
}
