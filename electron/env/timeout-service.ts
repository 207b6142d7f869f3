/**
 * The timeout panel's engine (also behind the CLI's `timeouts` / `env` commands and the plugin
 * signature fix), as one object for services.ts, handlers.ts and the plugin capability (`EnvApi`).
 * A thin facade: the view is built in timeout-view.ts, changes are planned in timeout-plan.ts and
 * carried out in timeout-deploy.ts; this file runs Apply / Restore as jobs serialized with every
 * other compose operation on the project, and owns the one reach resolver per project they share.
 */
import { AppError } from '../core/errors';
import type { JobHandle } from '../core/jobs';
import type { OpenProject, StackApi } from '../stack/api';
import type { EnvApi, EnvApplyResult, EnvChangeRequest } from './api';
import { listBackups, type WriteWithBackupOptions } from './backups';
import type { BackupEntry, ChangePreview, CheckResult, FitResultDto, TimeoutsView } from './contract';
import { detectRelease, type ReleaseInfo } from './dify-release';
import { isValidEnvKey } from './env-file';
import type { KeyReach } from './reach-model';
import { ReachResolver } from './reach-resolver';
import { TIMEOUT_CATALOG } from './timeout-catalog';
import type { ChainInput } from './timeout-chain';
import { deploy, type DeployOptions } from './timeout-deploy';
import {
  invalidChanges,
  planChanges,
  planRestore,
  reachProject,
  resolveReach,
  type ApplyMode,
  type ResolverFor,
} from './timeout-plan';
import type { FitInput } from './timeout-fit';
import type { ChainScenario } from './timeout-scenarios';
import { checkDraft, fitView, timeoutsView } from './timeout-view';

export interface TimeoutServiceOptions {
  stack: StackApi;
  /** Backups go under `<backupRoot>/env-backups/…` (the app's data folder), not into the Dify folder. */
  backupRoot?: string;
  /** Where resolved reach is kept between runs and processes (app data); none: memory only. */
  cacheDir?: string;
  /** How long recreated services may take to run and pass health checks before Apply rolls back. */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export class TimeoutService implements EnvApi {
  private readonly resolvers = new Map<string, ReachResolver>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly resolverFor: ResolverFor = (open) => this.resolverOf(open);

  constructor(private readonly options: TimeoutServiceOptions) {
    this.env = options.env ?? process.env;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /**
   * Every catalog key with its effective value, source file, readers and no-effect flags. `quick`:
   * answer at once — from the cache when the files are unchanged, else with the values from the files
   * and readers from the YAML (`resolving`), while Compose goes on resolving for the next call.
   */
  async getView(options: { quick?: boolean } = {}): Promise<TimeoutsView> {
    const open = await this.options.stack.openProject();
    const keys = TIMEOUT_CATALOG.map((k) => k.key);
    const reach = options.quick
      ? await this.resolverOf(open).resolveNow(reachProject(open), keys)
      : await resolveReach(this.resolverFor, open, keys);
    return timeoutsView(open, reach, await this.release(open));
  }

  /** The Dify and plugin daemon releases (their image tags; the compose file's when stopped). */
  release(open: OpenProject): Promise<ReleaseInfo> {
    return detectRelease({ containers: open.containers, composeFile: open.project.composeFile });
  }

  /** Reach of any keys (catalog or not): `env get`. */
  async getKeys(keys: readonly string[]): Promise<KeyReach[]> {
    for (const key of keys)
      if (!isValidEnvKey(key)) throw new AppError('ENV_KEY_INVALID', { params: { key } });
    const open = await this.options.stack.openProject();
    return (await resolveReach(this.resolverFor, open, keys)).keys;
  }

  /** Validation of draft values and the chains they give (pure, for typing). */
  check(
    values: Record<string, string>,
    plugin?: ChainInput['plugin'],
    release?: ChainInput['release'],
  ): CheckResult {
    return checkDraft(values, plugin, release);
  }

  /** "Make this call fit": the fewest changes for a scenario and target (pure; preview them after). */
  fit(scenario: ChainScenario, input: FitInput): FitResultDto {
    return fitView(scenario, input);
  }

  async previewChanges(
    changes: Record<string, string>,
    options: { file?: string; mode?: ApplyMode } = {},
  ): Promise<ChangePreview> {
    const open = await this.options.stack.openProject();
    return (await planChanges(this.resolverFor, open, changes, options)).preview;
  }

  async listBackups(): Promise<BackupEntry[]> {
    const open = await this.options.stack.openProject();
    // Only the candidate files are needed: never wait for Compose here.
    const reach = await this.resolverOf(open).resolveNow(reachProject(open), []);
    const out: BackupEntry[] = [];
    for (const c of reach.candidates) {
      for (const b of await listBackups(c.abs, this.backupOptions())) {
        out.push({ id: b.id, file: c.rel, createdAt: b.createdAt.getTime(), size: b.size });
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  // ---- changing ----------------------------------------------------------------------------------

  applyEnvChanges(request: EnvChangeRequest): JobHandle<EnvApplyResult> {
    return this.options.stack.runProjectJob('timeouts.apply', async (ctx, tools) => {
      ctx.step('timeouts.steps.plan');
      const options = { file: request.file, mode: request.mode };
      const plan = await planChanges(this.resolverFor, tools, request.changes, options, true);
      if (plan.preview.errors.length > 0) throw invalidChanges(plan.preview.errors);
      return deploy(
        ctx,
        tools,
        plan,
        request.mode ?? 'readers',
        request.noRedeploy ?? false,
        this.deployOptions(),
      );
    });
  }

  /** Puts a backup back and redeploys the services that read what it changes, as Apply does. */
  restoreBackup(
    file: string,
    backupId: string,
    options: { mode?: ApplyMode; noRedeploy?: boolean } = {},
  ): JobHandle<EnvApplyResult> {
    return this.options.stack.runProjectJob('timeouts.restore', async (ctx, tools) => {
      ctx.step('timeouts.steps.plan');
      const mode = options.mode ?? 'readers';
      const plan = await planRestore(this.resolverFor, tools, file, backupId, mode, this.backupOptions());
      return deploy(ctx, tools, plan, mode, options.noRedeploy ?? false, this.deployOptions());
    });
  }

  // ---- internals ---------------------------------------------------------------------------------

  private backupOptions(): WriteWithBackupOptions {
    return this.options.backupRoot ? { appDataRoot: this.options.backupRoot } : {};
  }

  private deployOptions(): DeployOptions {
    return {
      resolverFor: this.resolverFor,
      backup: this.backupOptions(),
      readyTimeoutMs: this.options.readyTimeoutMs,
      env: this.env,
      platform: this.options.platform,
      warm: () => this.warm(),
    };
  }

  /** Resolves the project as it is now in the background (errors show in the next real call). */
  private warm(): void {
    void (async () => {
      const open = await this.options.stack.openProject();
      await this.resolverOf(open).resolve(
        reachProject(open),
        TIMEOUT_CATALOG.map((k) => k.key),
      );
    })().catch(() => undefined);
  }

  private resolverOf(open: OpenProject): ReachResolver {
    const id = `${open.bin.flavor}:${open.project.dir}:${open.project.composeFile}`;
    let resolver = this.resolvers.get(id);
    if (!resolver) {
      resolver = new ReachResolver({
        bin: open.bin,
        env: this.env,
        platform: this.options.platform,
        cacheDir: this.options.cacheDir,
      });
      this.resolvers.set(id, resolver);
    }
    return resolver;
  }
}
