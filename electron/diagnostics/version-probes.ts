/**
 * What `versions.json` says, one probe per item. Each probe answers or throws; the export records a
 * throw as `{error: code, message}` (`settleItem`), so Docker or Ollama being down never fails it.
 *
 * Sources (facts.md): the engine's `GET /version`; the Compose the project uses (or both found on the
 * machine when no project opens); the images of the project's containers; Ollama's `GET /api/version`;
 * AUTOMATIC1111's `GET /internal/sysinfo` (UI mode, v1.6+: `Version` is its git tag) — only a few of
 * its fields are kept, as it also dumps the environment and every setting; nvidia-smi's name and driver.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { AppError, messageOf } from '../core/errors';

/** An item that could not be read. */
export interface Unavailable {
  error: string;
  message: string;
}

export interface VersionProbes {
  docker(): Promise<unknown>;
  compose(): Promise<unknown>;
  difyImages(): Promise<unknown>;
  ollama(): Promise<unknown>;
  a1111(): Promise<unknown>;
  nvidia(): Promise<unknown>;
}

export const VERSION_ITEMS = ['docker', 'compose', 'difyImages', 'ollama', 'a1111', 'nvidia'] as const;

/**
 * Runs a probe with a time limit; a failure becomes `{error, message}`. A cancel (`signal`) stops the
 * wait at once (the probe's own request ends by its time limit) and throws CANCELLED.
 */
export async function settleItem(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ItemError('TIMEOUT', `no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        onAbort = () => reject(new AppError('CANCELLED'));
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } catch (e) {
    if (e instanceof AppError && e.code === 'CANCELLED') throw e;
    return unavailable(e);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** A probe's own failure: a code for the record and an English sentence for whoever reads the zip. */
export class ItemError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ItemError';
  }
}

export function unavailable(e: unknown): Unavailable {
  if (e instanceof ItemError) return { error: e.code, message: e.message };
  if (e instanceof AppError)
    return { error: e.code, message: e.detail ? `${e.message} ${e.detail}` : e.message };
  return { error: 'UNAVAILABLE', message: messageOf(e) };
}

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && 'error' in value && 'message' in value;
}

/** `langgenius/dify-api:1.9.1@sha256:…` → image and tag (a registry port is not a tag). */
export function splitImage(ref: string): { image: string; tag: string | null; digest: string | null } {
  const [name = '', digest = null] = ref.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { image: name.slice(0, colon), tag: name.slice(colon + 1), digest };
  return { image: name, tag: null, digest };
}

/** The runtime the export runs in: Electron's versions in the app, "cli" (plain Node) otherwise. */
export function runtimeVersions(
  versions: NodeJS.ProcessVersions = process.versions,
): Record<string, string | null> {
  const electron = (versions as Record<string, string | undefined>).electron;
  return {
    electron: electron ?? 'cli',
    chrome: (versions as Record<string, string | undefined>).chrome ?? null,
    node: versions.node,
    platform: process.platform,
    arch: process.arch,
    os: `${os.type()} ${os.release()}`,
  };
}

export interface EngineVersion {
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  Os?: string;
  Arch?: string;
  KernelVersion?: string;
}

export function engineVersionOf(body: unknown): Record<string, string | null> {
  const v = (body ?? {}) as EngineVersion;
  if (typeof v.Version !== 'string')
    throw new ItemError('DOCKER_API_ERROR', 'GET /version answered without a Version');
  return {
    version: v.Version,
    apiVersion: v.ApiVersion ?? null,
    minApiVersion: v.MinAPIVersion ?? null,
    os: v.Os ?? null,
    arch: v.Arch ?? null,
    kernel: v.KernelVersion ?? null,
  };
}

/** The few fields of A1111's sysinfo worth sharing: never its Environment, Config or Commandline. */
export function a1111SysinfoOf(body: unknown): Record<string, unknown> {
  const info = (body ?? {}) as Record<string, unknown>;
  const torch = (info['Torch env info'] ?? {}) as Record<string, unknown>;
  const pick = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    version: pick(info.Version),
    commit: pick(info.Commit),
    python: pick(info.Python),
    platform: pick(info.Platform),
    torch: typeof torch === 'object' ? pick(torch.torch_version) : null,
    cuda: typeof torch === 'object' ? pick(torch.cuda_runtime_version) : null,
  };
}

/** `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits`, parsed. */
export function nvidiaGpusOf(
  stdout: string,
): Array<{ name: string; driver: string | null; memoryTotalMiB: number | null }> {
  const known = (v: string | undefined): string | null => (!v || /^\[.*\]$/.test(v) ? null : v);
  return stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', driver, total] = line.split(', ').map((f) => f.trim());
      const mib = known(total);
      return { name, driver: known(driver), memoryTotalMiB: mib === null ? null : Number(mib) };
    });
}

/** One run of nvidia-smi (located by the GPU capability's rules); throws its error text. */
export function runNvidiaSmi(command: string, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits'],
      { timeout: timeoutMs, windowsHide: true, env },
      (error, stdout) => {
        if (error)
          reject(new ItemError('NVIDIA_SMI_FAILED', `${String(stdout).trim()} ${error.message}`.trim()));
        else resolve(String(stdout));
      },
    );
  });
}

/** GET a loopback service's JSON (Ollama, A1111) with a time limit, never following a redirect. */
export async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}
