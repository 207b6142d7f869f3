import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { AppError, isAppError } from '../core/errors';
import type { JobContext } from '../core/jobs';
import type { CallOptions, InstalledPlugin, PluginConsoleApi } from './console-client';
import { failureText, installAndFollow, type InstallOutcome } from './install-task';
import { checkPluginFolder } from './manifest';
import { readPackageIdentity } from './package-reader';
import { PackageStore } from './package-store';
import {
  ALWAYS_EXCLUDED,
  buildPackage,
  listPackageFiles,
  packageFileName,
  requireValidManifest,
  type SkippedEntry,
} from './packager';
import { isTransientDifyError, retryTransient } from './transient-retry';

/**
 * The one-click reinstall: validate → package → upload → uninstall the installed version (if any) →
 * install → follow the task → confirm with the installed list. Dify has no "upgrade from a local
 * package" call, so this is what its web UI does too — with one addition: the package of the last
 * successful install is kept, and when the new version fails after the old one was removed, the old
 * one is installed again. The previous plugin is never left removed without the error saying so.
 *
 * Once the old version is removed, cancelling no longer interrupts: the job finishes the install (or
 * the restore) first, because stopping halfway is exactly what would leave the plugin missing. And the
 * restore starts only when the new install is known to be over: installing the old version while the
 * new one may still be installing would race it (a daemon hiccup or the time limit leave that open).
 *
 * Plugin-daemon hiccups (400 "Failed to request plugin daemon", facts.md) are retried with a bounded
 * backoff at every call (transient-retry.ts).
 */

export type ReinstallSource = { kind: 'folder'; dir: string } | { kind: 'package'; file: string };

export interface ReinstallDeps {
  client: PluginConsoleApi;
  ctx: JobContext;
  /** App-data folder where the package of each plugin's last successful install is kept. */
  backupDir: string;
  /** Where packages built from folders are written. */
  workDir: string;
  /**
   * The one-click fix for signature rejection (FORCE_VERIFYING_SIGNATURE=false + recreate
   * plugin_daemon), provided by the env/stack code. When given, a rejected upload runs it and retries once.
   */
  fixSignature?: () => Promise<void>;
  /** Time limit for one install task. */
  taskTimeoutMs?: number;
  pollIntervalMs?: number;
  maxPackageBytes?: number;
  /** Reinstall even when exactly this package is already installed. */
  force?: boolean;
  /** Waits between retries of a call that met a plugin-daemon hiccup. */
  retryDelaysMs?: readonly number[];
}

export interface ReinstallResult {
  pluginId: string;
  version: string;
  identifier: string;
  action: 'installed' | 'reinstalled' | 'unchanged';
  previous: { identifier: string; version: string } | null;
  packagePath: string;
  packageSha256: string;
  /** What the folder held but the package does not (e.g. links out of the folder); [] for a package file. */
  skipped: SkippedEntry[];
  /** Milliseconds per phase (package, upload, list, uninstall, install, confirm, keep) and total. */
  timings: Record<string, number>;
}

export const DEFAULT_TASK_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_POLL_MS = 1000;

interface Prepared {
  pluginId: string;
  version: string;
  packagePath: string;
  sha256: string;
  skipped: SkippedEntry[];
}

export async function reinstallPlugin(
  source: ReinstallSource,
  deps: ReinstallDeps,
): Promise<ReinstallResult> {
  const { ctx } = deps;
  const timings: Record<string, number> = {};
  const started = Date.now();
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + Date.now() - t0;
    }
  };

  const prepared = await timed('package', () => prepare(source, deps));
  const { pluginId, version } = prepared;
  ctx.throwIfCancelled();

  ctx.step('plugins.steps.upload', { file: path.basename(prepared.packagePath) });
  ctx.progress(0.35);
  const identifier = await timed('upload', () => upload(prepared, deps));
  ctx.log(`Uploaded: ${identifier}`);
  ctx.throwIfCancelled();

  ctx.step('plugins.steps.checkInstalled');
  ctx.progress(0.45);
  const installedBefore = await timed('list', () => listPlugins(deps, { signal: ctx.signal }));
  const existing = installedBefore.find((p) => p.plugin_id === pluginId) ?? null;
  const store = new PackageStore(deps.backupDir);
  const previous = existing
    ? { identifier: existing.plugin_unique_identifier, version: existing.version }
    : null;
  const result = (action: ReinstallResult['action']): ReinstallResult => ({
    pluginId,
    version,
    identifier,
    action,
    previous,
    packagePath: prepared.packagePath,
    packageSha256: prepared.sha256,
    skipped: prepared.skipped,
    timings: { ...timings, total: Date.now() - started },
  });

  if (existing && existing.plugin_unique_identifier === identifier && !deps.force) {
    ctx.step('plugins.steps.unchanged');
    await timed('keep', () => keepQuietly(store, pluginId, identifier, version, prepared.packagePath, ctx));
    return result('unchanged');
  }
  ctx.throwIfCancelled();

  if (existing) {
    ctx.step('plugins.steps.uninstall', { version: existing.version });
    ctx.progress(0.5);
    ctx.log(`Removing ${existing.plugin_unique_identifier}`);
    await timed('uninstall', () => uninstall(existing, deps));
  }
  // From here on the old version is gone: no more cancellation points until it is back or replaced.
  const removed = existing;
  const onCancel = (): void =>
    ctx.log('Cancel requested: finishing the installation first so the plugin is not left removed.');
  if (removed) ctx.signal.addEventListener('abort', onCancel, { once: true });
  const signal = removed ? undefined : ctx.signal;

  try {
    ctx.step('plugins.steps.install', { plugin: pluginId, version });
    ctx.progress(0.55);
    let outcome = await timed('install', () => installAndWait(identifier, deps, signal));

    if (outcome.kind === 'success') {
      ctx.step('plugins.steps.confirm');
      ctx.progress(0.95);
      const after = await timed('confirm', () => listPlugins(deps, { signal }));
      if (!after.some((p) => p.plugin_unique_identifier === identifier)) {
        if (!removed) throw new AppError('PLUGIN_NOT_CONFIRMED', { params: { identifier } });
        outcome = {
          kind: 'failed',
          message: `Dify reported success, but ${identifier} is not in the installed list`,
          mayStillRun: false,
        };
      }
    } else if (removed) {
      // A task we lost sight of may have finished in the meantime.
      const after = await listPlugins(deps, {}).catch(() => [] as InstalledPlugin[]);
      if (after.some((p) => p.plugin_unique_identifier === identifier)) outcome = { kind: 'success' };
    }

    if (outcome.kind === 'success') {
      await timed('keep', () => keepQuietly(store, pluginId, identifier, version, prepared.packagePath, ctx));
      ctx.step('plugins.steps.done', { identifier });
      return result(removed ? 'reinstalled' : 'installed');
    }

    const failure = { plugin: pluginId, version };
    if (!removed) {
      if (outcome.kind === 'timeout')
        throw new AppError('PLUGIN_INSTALL_TIMEOUT', { params: { ...failure, seconds: outcome.seconds } });
      throw new AppError('PLUGIN_INSTALL_FAILED', { params: { ...failure, message: outcome.message } });
    }
    if (outcome.kind === 'timeout' || outcome.mayStillRun) {
      throw new AppError('PLUGIN_INSTALL_UNSETTLED', {
        params: {
          ...failure,
          previousVersion: removed.version,
          reason:
            outcome.kind === 'timeout'
              ? `no result within ${outcome.seconds} s`
              : `Dify's last answer: ${outcome.message}`,
        },
      });
    }
    const restore = await restorePrevious(removed, store, deps);
    const params = { ...failure, previousVersion: removed.version, message: outcome.message };
    if (restore.ok) {
      throw new AppError('PLUGIN_INSTALL_FAILED_RESTORED', {
        params: { ...params, previousVersion: restore.version },
      });
    }
    throw new AppError('PLUGIN_INSTALL_FAILED_NOT_RESTORED', {
      params: { ...params, restoreError: restore.reason },
    });
  } finally {
    ctx.signal.removeEventListener('abort', onCancel);
  }
}

/** Folder → validated, packaged; package file → identity read from its manifest. */
async function prepare(source: ReinstallSource, deps: ReinstallDeps): Promise<Prepared> {
  const { ctx } = deps;
  if (source.kind === 'package') {
    ctx.step('plugins.steps.readPackage');
    ctx.progress(0.05);
    const identity = await readPackageIdentity(source.file);
    return {
      pluginId: identity.pluginId,
      version: identity.version,
      packagePath: path.resolve(source.file),
      sha256: await sha256File(source.file),
      skipped: [],
    };
  }
  ctx.step('plugins.steps.validate');
  ctx.progress(0.05);
  const list = await listPackageFiles(source.dir);
  const check = await checkPluginFolder(source.dir, {
    packagedFiles: new Set(list.files.map((f) => f.rel)),
    ignoreFile: [list.ignoreFile, ALWAYS_EXCLUDED.join(', ')].filter(Boolean).join('; '),
  });
  const manifest = requireValidManifest(check);
  for (const s of list.skipped) ctx.log(`Not packaged (${s.reason}): ${s.rel}`);
  ctx.throwIfCancelled();
  ctx.step('plugins.steps.package');
  ctx.progress(0.1);
  const built = await buildPackage(list, {
    outFile: path.join(deps.workDir, packageFileName(manifest)),
    maxUncompressedBytes: deps.maxPackageBytes,
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(0.1 + (total > 0 ? (0.2 * done) / total : 0.2)),
  });
  ctx.log(
    `Packaged ${built.files} files (${built.uncompressedSize} bytes) into ${built.path} (${built.bytes} bytes)`,
  );
  return {
    pluginId: manifest.pluginId,
    version: manifest.version,
    packagePath: built.path,
    sha256: built.sha256,
    skipped: list.skipped,
  };
}

/** Upload; on signature rejection run the injected fix once and retry. */
async function upload(prepared: Prepared, deps: ReinstallDeps): Promise<string> {
  const { ctx } = deps;
  let res;
  try {
    res = await uploadPkg(prepared.packagePath, deps);
  } catch (e) {
    if (!(isAppError(e) && e.code === 'PLUGIN_SIGNATURE_REJECTED' && deps.fixSignature)) throw e;
    ctx.log(`Dify refused the unsigned package: ${e.params?.message ?? e.message}`);
    ctx.step('plugins.steps.fixSignature');
    await deps.fixSignature();
    ctx.throwIfCancelled();
    ctx.step('plugins.steps.upload', { file: path.basename(prepared.packagePath) });
    try {
      res = await uploadPkg(prepared.packagePath, deps);
    } catch (e2) {
      if (isAppError(e2) && e2.code === 'PLUGIN_SIGNATURE_REJECTED') {
        throw new AppError('PLUGIN_SIGNATURE_STILL_REJECTED', {
          params: { message: String(e2.params?.message ?? '') },
          cause: e2,
        });
      }
      throw e2;
    }
  }
  const uploadedId = res.unique_identifier.split(':')[0];
  if (uploadedId !== prepared.pluginId) {
    throw new AppError('DIFY_UNEXPECTED_RESPONSE', {
      params: {
        endpoint: 'POST /workspaces/current/plugin/upload/pkg',
        reason: `identifier ${res.unique_identifier} is not for ${prepared.pluginId}`,
      },
    });
  }
  return res.unique_identifier;
}

/** The calls below, each retried through plugin-daemon hiccups. */
function retried<T>(
  what: string,
  fn: () => Promise<T>,
  deps: ReinstallDeps,
  signal: AbortSignal | undefined,
) {
  return retryTransient(fn, {
    delaysMs: deps.retryDelaysMs,
    signal,
    onRetry: (e, ms) => deps.ctx.log(`${what} failed (${failureText(e)}); retrying in ${ms} ms`),
  });
}

function uploadPkg(file: string, deps: ReinstallDeps, signal: AbortSignal | undefined = deps.ctx.signal) {
  return retried('Upload', () => deps.client.uploadPkg(file, { signal }), deps, signal);
}

function listPlugins(deps: ReinstallDeps, options: CallOptions): Promise<InstalledPlugin[]> {
  return retried(
    'Listing the installed plugins',
    () => deps.client.listPlugins(options),
    deps,
    options.signal,
  );
}

/**
 * A retried uninstall may find the work done: a daemon that timed out may have removed the plugin all
 * the same. So when the retries end in an error, the installed list decides.
 */
async function uninstall(existing: InstalledPlugin, deps: ReinstallDeps): Promise<void> {
  const signal = deps.ctx.signal;
  let hiccup = false;
  const once = () =>
    deps.client.uninstall(existing.installation_id, { signal }).catch((e: unknown) => {
      hiccup ||= isTransientDifyError(e);
      throw e;
    });
  try {
    await retried('Removing the installed version', once, deps, signal);
  } catch (e) {
    if (!hiccup) throw e;
    const now = await listPlugins(deps, { signal }).catch(() => null);
    if (!now || now.some((p) => p.installation_id === existing.installation_id)) throw e;
    deps.ctx.log('The installed version is gone although Dify reported an error: carrying on.');
  }
}

function installAndWait(
  identifier: string,
  deps: ReinstallDeps,
  signal: AbortSignal | undefined,
): Promise<InstallOutcome> {
  return installAndFollow(deps.client, identifier, {
    ctx: deps.ctx,
    timeoutMs: deps.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
    pollIntervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_MS,
    retryDelaysMs: deps.retryDelaysMs,
    signal,
  });
}

async function restorePrevious(
  removed: InstalledPlugin,
  store: PackageStore,
  deps: ReinstallDeps,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const { ctx } = deps;
  const kept = await store.get(removed.plugin_id);
  if (!kept) {
    return { ok: false, reason: 'no copy of its package was kept (it was not installed by this app)' };
  }
  if (kept.identifier !== removed.plugin_unique_identifier) {
    ctx.log(
      `The kept package is ${kept.identifier}; the removed one was ${removed.plugin_unique_identifier}`,
    );
  }
  ctx.step('plugins.steps.restore', { version: kept.version });
  try {
    const up = await uploadPkg(kept.file, deps, undefined);
    const outcome = await installAndWait(up.unique_identifier, deps, undefined);
    if (outcome.kind === 'success') {
      ctx.log(`Restored ${up.unique_identifier}`);
      return { ok: true, version: kept.version };
    }
    return {
      ok: false,
      reason:
        outcome.kind === 'timeout'
          ? `the install did not finish within ${outcome.seconds} s`
          : outcome.message,
    };
  } catch (e) {
    return { ok: false, reason: failureText(e) };
  }
}

/** A failure to keep the package must not turn a successful install into an error: it is logged. */
async function keepQuietly(
  store: PackageStore,
  pluginId: string,
  identifier: string,
  version: string,
  file: string,
  ctx: JobContext,
): Promise<void> {
  try {
    await store.keep(pluginId, identifier, version, file);
  } catch (e) {
    ctx.log(`Could not keep a copy of the package for a later restore: ${failureText(e)}`);
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
